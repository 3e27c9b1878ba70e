#!/usr/bin/env python3
"""A small rules engine in Python (standard library only, Python 3.11+ for tomllib) speaking
omnisim's engine protocol v1 as JSON lines on stdin/stdout (docs/protocol.md).

It implements part of the rule catalogue: the conversation lifecycle, capacity (without
reservation on invite), presence, push and pick routing (highest_capacity and round_robin),
classification, exact skill matching and prioritization (it publishes its routing tags in its
setup answer), supervisor monitor, join, assign, transfer and force close. It does not
implement reserve_on_invite (CAP-RESERVE), monitor_channels (MON-CHANNEL narrows nothing),
closest matching (RT-CLOSEST), assignment rules (RT-RULESET), the least_active and
advanced_round_robin methods, overflow commands, views or metrics. `omnisim conform --engine "cmd:python3 engine.py"` reports which rules it passes
(README.md).

`--break RULE` makes it break one more rule on purpose (for omnisim's own tests of conform):
RT-ORDER (newest first), RT-METHOD (always the lowest agent id), CAP-UNITS (free units
ignored), PR-ALLOWED (allowed presences ignored), PR-MANUAL (an agent Away by hand gets work),
RT-ELIGIBLE (refusals never skip), RT-TRIGGER (no routing on a presence change or queue join).
"""

import itertools
import json
import sys

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = None

BREAKS = {"RT-ORDER", "RT-METHOD", "CAP-UNITS", "PR-ALLOWED", "PR-MANUAL", "RT-ELIGIBLE", "RT-TRIGGER"}
CHATTY = {"persistent_chat", "messaging"}


class Refused(Exception):
    """A command refused by a rule: answered { "refused": RULE }."""


class BadRequest(Exception):
    """A request that cannot be applied: answered { "error": ... }."""


def dur_ms(v):
    """'90s', '2m', '1h', '500ms' -> milliseconds."""
    v = str(v).strip()
    for suffix, k in (("ms", 1), ("s", 1000), ("m", 60000), ("h", 3600000), ("d", 86400000)):
        if v.endswith(suffix) and v[: -len(suffix)].replace(".", "", 1).isdigit():
            return int(float(v[: -len(suffix)]) * k)
    raise BadRequest(f"cannot read the duration {v!r}")


class Engine:
    def __init__(self, sc, broken=None):
        self.broken = broken
        e = sc.get("engine", {})
        self.cfg = {
            "assign_enabled": e.get("assign_enabled", True),
            "monitor_enabled": e.get("monitor_enabled", True),
            "transfer_enabled": e.get("transfer_enabled", True),
            "force_close_enabled": e.get("force_close_enabled", False),
            "monitor_waiting": e.get("monitor_waiting", False),
            "overallocation": e.get("overallocation", "allow"),
            "assign_overrides_presence": e.get("assign_overrides_presence", False),
            "refusals_before_skip": e.get("refusals_before_skip", 3),
            "max_consultants": e.get("max_consultants", 5),
        }
        self.ws = {}
        for w in sc.get("workstreams", []):
            block = w.get("block_capacity_for_wrap_up", "always")
            self.ws[w["name"]] = {
                "name": w["name"],
                "attributes": {k: list(v) for k, v in w.get("attributes", {}).items()},
                "classification": w.get("classification", []),
                "matching": w.get("skill_matching", "exact"),
                "channel": w["channel"],
                "units": w.get("capacity_units", 100),
                "allowed": w.get("allowed_presences", ["available", "busy"]),
                "pick": w.get("mode", "push") == "pick",
                "wrap_hold": block != "never",
            }
        qnames = [q["name"] for q in sc.get("queues", [])]
        self.queues = [
            {"name": q["name"], "ws": self.ws[q["workstream"]], "priority": q.get("priority", 1),
             "method": q.get("assignment", "highest_capacity"), "rr_last": None,
             "buckets": [r.get("when", {}) for r in q.get("prioritization", [])]}
            for q in sc.get("queues", [])
        ]
        self.agents = []
        names = {}
        for g in sc.get("agent_groups", []):
            for k in range(g["count"]):
                names[f"{g['name']}-{k + 1}"] = len(self.agents)
                self.agents.append({
                    "name": f"{g['name']}-{k + 1}", "capacity": g.get("capacity", 100),
                    "queues": {qnames.index(q) for q in g["queues"]}, "used": 0, "manual": None,
                    "pending": set(), "last_assign": None, "presence": "available",
                    "skills": g.get("skills", {}),
                })
        self.sups = [
            {"name": s["name"], "queues": {qnames.index(q) for q in s["queues"]},
             "agent": names.get(s.get("agent"))}
            for s in sc.get("supervisors", [])
        ]
        self.tags, self.reqs, self.attrsets = [], [{}], [{}]
        for w in self.ws.values():
            names = list(w["attributes"])
            for values in itertools.product(*(w["attributes"][n] for n in names)):
                attrs = dict(zip(names, values))
                req = {}
                for rule in w["classification"]:
                    if matches(rule.get("when", {}), attrs):
                        for skill, rating in rule["require"].items():
                            req[skill] = max(rating, req.get(skill, 0))
                if req not in self.reqs:
                    self.reqs.append(req)
                self.attrsets.append(attrs)
                self.tags.append({"workstream": w["name"], "attributes": attrs,
                                  "tag": {"req": self.reqs.index(req), "attrs": len(self.attrsets) - 1}})
        self.convs = {}
        self.seq = 0
        self.invite_seq = 0
        self.assign_seq = 0
        self.now = 0

    # ----- state helpers -----
    def presence(self, a):
        ag = self.agents[a]
        if ag["manual"]:
            return ag["manual"]
        if ag["used"] == 0:
            return "available"
        return "busy_dnd" if ag["used"] >= ag["capacity"] else "busy"

    def set_units(self, a, delta, out):
        ag = self.agents[a]
        before = ag["used"]
        ag["used"] += delta
        out.append({"type": "units", "agent": a, "before": before, "after": ag["used"],
                    "capacity": ag["capacity"]})
        if delta > 0 and ag["used"] > ag["capacity"]:
            out.append({"type": "overallocated", "agent": a, "over": ag["used"] - ag["capacity"]})

    def conv(self, cid):
        c = self.convs.get(cid)
        if c is None or c["state"] == "closed":
            raise Refused("LC-CLOSED")
        return c

    def change(self, c, to, out):
        out.append({"type": "state_changed", "conv": c["id"], "from": c["state"], "to": to})
        c["state"] = to

    def withdraw(self, c, out):
        inv = c["invite"]
        if inv:
            self.agents[inv["agent"]]["pending"].discard(inv["id"])
            out.append({"type": "invite_withdrawn", "conv": c["id"], "agent": inv["agent"],
                        "invite": inv["id"]})
            c["invite"] = None

    def invite(self, c, a, by_supervisor, out):
        inv = {"id": self.invite_seq, "agent": a, "by_supervisor": by_supervisor}
        self.invite_seq += 1
        c["invite"] = inv
        self.agents[a]["pending"].add(inv["id"])
        out.append({"type": "invited", "conv": c["id"], "agent": a, "invite": inv["id"],
                    "by_supervisor": by_supervisor})

    def close(self, c, reason, out):
        self.withdraw(c, out)
        if c["agent"] is not None and c["holds"]:
            self.set_units(c["agent"], -c["queue_ws"]["units"], out)
            c["holds"] = False
        self.change(c, "closed", out)
        out.append({"type": "closed", "conv": c["id"], "queue": c["queue"], "reason": reason,
                    "answered": c["answered"], "arrived_at_ms": c["arrived"]})

    # ----- routing -----
    def eligible(self, c, a):
        ag, ws = self.agents[a], c["queue_ws"]
        if c["queue"] not in ag["queues"] or ag["pending"]:
            return False
        p = self.presence(a)
        if ag["manual"] == "offline" or ag["manual"] == "away" and self.broken != "PR-MANUAL":
            return False
        if p not in ws["allowed"] and self.broken != "PR-ALLOWED" and not (
                self.broken == "PR-MANUAL" and p == "away"):
            return False
        if ag["capacity"] - ag["used"] < ws["units"] and self.broken != "CAP-UNITS":
            return False
        if ws["matching"] == "exact" and not self.skilled(a, c["req"]):
            return False
        limit = self.cfg["refusals_before_skip"]
        return c["refusals"].get(a, 0) < limit or self.broken == "RT-ELIGIBLE"

    def skilled(self, a, req):
        skills = self.agents[a]["skills"]
        return all(skills.get(k, 0) >= r for k, r in req.items())

    def bucket(self, c):
        rules = self.queues[c["queue"]]["buckets"]
        return next((i for i, w in enumerate(rules) if matches(w, c["attrs"])), len(rules))

    def choose(self, c, cands):
        q = self.queues[c["queue"]]
        if self.broken == "RT-METHOD":
            return min(cands)
        if q["method"] == "round_robin":
            members = sorted(a for a in range(len(self.agents)) if c["queue"] in self.agents[a]["queues"])
            start = 0 if q["rr_last"] is None else members.index(q["rr_last"]) + 1
            for a in members[start:] + members[:start]:
                if a in cands:
                    return a
        def key(a):
            ag = self.agents[a]
            last = -1 if ag["last_assign"] is None else ag["last_assign"]
            return (-(ag["capacity"] - ag["used"]), last, a)
        return min(cands, key=key)

    def route(self, out):
        while True:
            open_convs = [c for c in self.convs.values()
                          if c["state"] == "open" and c["invite"] is None and not c["queue_ws"]["pick"]]
            newest_first = self.broken == "RT-ORDER"
            open_convs.sort(key=lambda c: (self.queues[c["queue"]]["priority"], self.bucket(c),
                                           -c["seq"] if newest_first else c["seq"]))
            for c in open_convs:
                cands = [a for a in range(len(self.agents)) if self.eligible(c, a)]
                if cands:
                    a = self.choose(c, cands)
                    self.queues[c["queue"]]["rr_last"] = a
                    self.agents[a]["last_assign"] = self.assign_seq
                    self.assign_seq += 1
                    self.invite(c, a, False, out)
                    break
            else:
                return

    # ----- supervisor rule checks -----
    def scope(self, s, c, rule):
        if c["queue"] not in self.sups[s]["queues"]:
            raise Refused(rule)

    def target_agent(self, c, a):
        ag, ws = self.agents[a], c["queue_ws"]
        if c["queue"] not in ag["queues"]:
            raise Refused("ASSIGN-AGENT-QUEUE")
        if ag["manual"] == "offline":
            raise Refused("ASSIGN-AGENT-PRESENCE")
        if ag["manual"] and ag["manual"] not in ws["allowed"] and not self.cfg["assign_overrides_presence"]:
            raise Refused("ASSIGN-AGENT-PRESENCE")
        # ASSIGN-CAPACITY judges what the agent holds once its pending invitations (which
        # reserve nothing here) are accepted; this conversation's own invitation is replaced.
        promised = sum(o["queue_ws"]["units"] for o in self.convs.values()
                       if o is not c and o["invite"] and o["invite"]["agent"] == a)
        over = ag["used"] + promised + ws["units"] - ag["capacity"]
        limit = self.cfg["overallocation"]
        if over > 0 and (limit == "deny" or (isinstance(limit, int) and over > limit)):
            raise Refused("ASSIGN-CAPACITY")

    # ----- commands -----
    def apply(self, cmd):
        out = []
        before = [self.presence(a) for a in range(len(self.agents))]
        getattr(self, "cmd_" + cmd["type"])(cmd, out)
        for a, p in enumerate(before):
            now = self.presence(a)
            if now != p:
                out.append({"type": "presence", "agent": a, "from": p, "to": now})
        return out

    def cmd_arrive(self, cmd, out):
        q = cmd["queue"]
        if not 0 <= q < len(self.queues):
            raise BadRequest(f"no queue {q}")
        cid = f"{self.seq}.0"
        tag = cmd.get("tag", {})
        req, attrs = tag.get("req", 0), tag.get("attrs", 0)
        if not (0 <= req < len(self.reqs) and 0 <= attrs < len(self.attrsets)):
            raise BadRequest(f"routing tag {tag} was not given at setup")
        self.convs[cid] = {"req": self.reqs[req], "attrs": self.attrsets[attrs],"id": cid, "seq": self.seq, "queue": q, "queue_ws": self.queues[q]["ws"],
                           "state": "open", "agent": None, "holds": False, "invite": None,
                           "refusals": {}, "monitoring": set(), "joined": set(),
                           "arrived": self.now, "answered": False}
        self.seq += 1
        out.append({"type": "arrived", "conv": cid, "queue": q})
        c = self.convs[cid]
        if c["queue_ws"]["matching"] == "exact" and not any(
                q in ag["queues"] and self.skilled(a, c["req"]) for a, ag in enumerate(self.agents)):
            out.append({"type": "unmatched", "conv": cid, "queue": q})
        self.route(out)

    def cmd_accept(self, cmd, out):
        c = self.conv(cmd["conv"])
        inv = c["invite"]
        if c["state"] != "open" or inv is None or inv["id"] != cmd["invite"]:
            raise Refused("LC-OPEN-ACTIVE")
        a = inv["agent"]
        self.agents[a]["pending"].discard(inv["id"])
        c["invite"] = None
        self.change(c, "active", out)
        out.append({"type": "accepted", "conv": c["id"], "agent": a, "first": not c["answered"],
                    "waited_ms": self.now - c["arrived"]})
        c["agent"], c["answered"], c["holds"] = a, True, True
        self.set_units(a, c["queue_ws"]["units"], out)

    def refuse_invite(self, cmd, out, timed_out):
        c = self.conv(cmd["conv"])
        inv = c["invite"]
        if inv is None or inv["id"] != cmd["invite"]:
            raise Refused("RT-INVITE")
        a = inv["agent"]
        self.agents[a]["pending"].discard(inv["id"])
        c["invite"] = None
        c["refusals"][a] = c["refusals"].get(a, 0) + 1
        out.append({"type": "refusal", "conv": c["id"], "agent": a, "timed_out": timed_out})
        self.route(out)

    def cmd_reject(self, cmd, out):
        self.refuse_invite(cmd, out, False)

    def cmd_timeout(self, cmd, out):
        self.refuse_invite(cmd, out, True)

    def cmd_pick(self, cmd, out):
        a = cmd["agent"]
        ag = self.agents[a]
        convs = sorted((c for c in self.convs.values()
                        if c["state"] == "open" and c["invite"] is None and c["queue_ws"]["pick"]
                        and c["queue"] in ag["queues"]
                        and ag["capacity"] - ag["used"] >= c["queue_ws"]["units"]),
                       key=lambda c: c["seq"])
        if not convs:
            raise Refused("RT-PICK")
        c = convs[0]
        self.change(c, "active", out)
        out.append({"type": "accepted", "conv": c["id"], "agent": a, "first": not c["answered"],
                    "waited_ms": self.now - c["arrived"]})
        c["agent"], c["answered"], c["holds"] = a, True, True
        self.set_units(a, c["queue_ws"]["units"], out)

    def cmd_end(self, cmd, out):
        c = self.conv(cmd["conv"])
        if c["state"] != "active":
            raise Refused("LC-ACTIVE")
        self.change(c, "wrap_up", out)
        if not c["queue_ws"]["wrap_hold"]:
            self.set_units(c["agent"], -c["queue_ws"]["units"], out)
            c["holds"] = False
            self.route(out)

    def cmd_close(self, cmd, out):
        c = self.conv(cmd["conv"])
        if c["state"] != "wrap_up":
            raise Refused("LC-WRAPUP")
        self.close(c, "completed", out)
        self.route(out)

    def cmd_release(self, cmd, out):
        c = self.conv(cmd["conv"])
        if c["state"] != "active":
            raise Refused("LC-ACTIVE")
        self.change(c, "open", out)
        self.set_units(c["agent"], -c["queue_ws"]["units"], out)
        c["agent"], c["holds"] = None, False
        self.route(out)

    def cmd_set_waiting(self, cmd, out):
        c = self.conv(cmd["conv"])
        if c["state"] != "active" or c["queue_ws"]["channel"] not in CHATTY:
            raise Refused("LC-WAITING")
        self.change(c, "waiting", out)
        self.set_units(c["agent"], -c["queue_ws"]["units"], out)
        c["holds"] = False
        self.route(out)

    def cmd_resume(self, cmd, out):
        c = self.conv(cmd["conv"])
        if c["state"] != "waiting":
            raise Refused("LC-WAITING")
        self.change(c, "active", out)
        self.set_units(c["agent"], c["queue_ws"]["units"], out)
        c["holds"] = True

    def cmd_customer_return(self, cmd, out):
        c = self.conv(cmd["conv"])
        if c["state"] != "waiting":
            raise Refused("LC-WAITING")
        self.change(c, "open", out)
        c["agent"] = None
        self.route(out)

    def cmd_abandon(self, cmd, out):
        c = self.conv(cmd["conv"])
        if c["state"] != "open":
            raise Refused("LC-ABANDON")
        self.close(c, "abandoned", out)
        self.route(out)

    def cmd_auto_close(self, cmd, out):
        c = self.conv(cmd["conv"])
        reason = {"open": "abandoned", "waiting": "auto_closed", "wrap_up": "completed"}.get(c["state"])
        if reason is None:
            raise Refused("LC-ACTIVE")
        self.close(c, reason, out)
        self.route(out)

    def cmd_set_presence(self, cmd, out):
        self.agents[cmd["agent"]]["manual"] = cmd.get("presence")
        if self.broken != "RT-TRIGGER":
            self.route(out)

    def cmd_join_queue(self, cmd, out):
        self.agents[cmd["agent"]]["queues"].add(cmd["queue"])
        if self.broken != "RT-TRIGGER":
            self.route(out)

    def cmd_leave_queue(self, cmd, out):
        self.agents[cmd["agent"]]["queues"].discard(cmd["queue"])

    def cmd_monitor(self, cmd, out):
        s = cmd["supervisor"]
        if not self.cfg["monitor_enabled"]:
            raise Refused("MON-DISABLED")
        c = self.conv(cmd["conv"])
        self.scope(s, c, "MON-SCOPE")
        if c["queue_ws"]["channel"] == "entity_records":
            raise Refused("MON-CHANNEL")
        states = {"active", "wrap_up"} | ({"waiting"} if self.cfg["monitor_waiting"] else set())
        if c["state"] not in states:
            raise Refused("MON-STATE")
        if c["agent"] is not None and c["agent"] == self.sups[s]["agent"]:
            raise Refused("MON-SELF")
        c["monitoring"].add(s)
        out.append({"type": "monitoring", "conv": c["id"], "supervisor": s})

    def cmd_join(self, cmd, out):
        s, mode = cmd["supervisor"], cmd.get("mode", "internal")
        if not self.cfg["monitor_enabled"]:
            raise Refused("MON-DISABLED")
        c = self.conv(cmd["conv"])
        self.scope(s, c, "MON-SCOPE")
        if s not in c["monitoring"]:
            raise Refused("JOIN-MONITORING")
        if c["state"] != "active":
            raise Refused("JOIN-STATE")
        if s not in c["joined"] and len(c["joined"]) >= self.cfg["max_consultants"]:
            raise Refused("JOIN-LIMIT")
        c["joined"].add(s)
        notice = {"supervisor_joined": {"supervisor": s, "mode": mode}}
        out.append({"type": "joined", "conv": c["id"], "supervisor": s, "mode": mode})
        out.append({"type": "notified", "conv": c["id"], "to": {"agent": c["agent"]}, "notice": notice})
        out.append({"type": "notified", "conv": c["id"], "to": "customer", "notice": notice})

    def assign_checks(self, cmd):
        if not self.cfg["assign_enabled"]:
            raise Refused("ASSIGN-DISABLED")
        c = self.conv(cmd["conv"])
        self.scope(cmd["supervisor"], c, "ASSIGN-SCOPE")
        claimed = c["invite"] is not None and c["invite"]["by_supervisor"]
        if c["state"] != "open" or c["agent"] is not None or claimed:
            raise Refused("ASSIGN-STATE")
        return c

    def cmd_assign_to_agent(self, cmd, out):
        c = self.assign_checks(cmd)
        a = cmd["agent"]
        self.target_agent(c, a)
        self.withdraw(c, out)
        self.invite(c, a, True, out)
        self.route(out)

    def cmd_assign_to_queue(self, cmd, out):
        c = self.assign_checks(cmd)
        q = cmd["queue"]
        if q == c["queue"] or self.queues[q]["ws"]["channel"] != c["queue_ws"]["channel"]:
            raise Refused("ASSIGN-QUEUE-SAME")
        self.withdraw(c, out)
        out.append({"type": "requeued", "conv": c["id"], "from": c["queue"], "to": q})
        c["queue"], c["queue_ws"] = q, self.queues[q]["ws"]
        self.route(out)

    def cmd_transfer(self, cmd, out):
        if not self.cfg["transfer_enabled"]:
            raise Refused("TRANSFER-STATE")
        c = self.conv(cmd["conv"])
        self.scope(cmd["supervisor"], c, "ASSIGN-SCOPE")
        a = cmd["agent"]
        if c["state"] not in ("active", "waiting") or c["agent"] == a:
            raise Refused("TRANSFER-STATE")
        self.target_agent(c, a)
        old = c["agent"]
        if c["holds"]:
            self.set_units(old, -c["queue_ws"]["units"], out)
            self.set_units(a, c["queue_ws"]["units"], out)
        c["agent"] = a
        out.append({"type": "transferred", "conv": c["id"], "from": old, "to": a})
        out.append({"type": "notified", "conv": c["id"], "to": "customer", "notice": "transferred"})
        self.route(out)

    def cmd_force_close(self, cmd, out):
        if not self.cfg["force_close_enabled"]:
            raise Refused("FORCE-CLOSE")
        c = self.conv(cmd["conv"])
        self.scope(cmd["supervisor"], c, "ASSIGN-SCOPE")
        agent = c["agent"]
        self.close(c, "force_closed", out)
        if agent is not None:
            out.append({"type": "notified", "conv": c["id"], "to": {"agent": agent}, "notice": "force_closed"})
        out.append({"type": "notified", "conv": c["id"], "to": "customer", "notice": "force_closed"})
        self.route(out)


def matches(when, attrs):
    """Whether every attribute of a `when` holds (a value or a list of values)."""
    for k, v in when.items():
        if attrs.get(k) not in (v if isinstance(v, list) else [v]):
            return False
    return True


def setup_view(sc, engine):
    queues = [{"id": i, "name": q["name"], "workstream": q["ws"]["name"]} for i, q in enumerate(engine.queues)]
    return {"v": 1, "scenario": sc.get("scenario", {}).get("name", ""), "queues": queues,
            "tags": engine.tags}


def main():
    broken = None
    if "--break" in sys.argv:
        broken = sys.argv[sys.argv.index("--break") + 1]
        if broken not in BREAKS:
            sys.exit(f"--break: expected one of {sorted(BREAKS)}")
    sc = {}
    engine = Engine(sc, broken)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "setup":
                if tomllib is None:
                    raise BadRequest("this engine needs Python 3.11+ (tomllib) to read a setup")
                if "scenario" in req:
                    sc = tomllib.loads(req["scenario"])
                engine = Engine(sc, broken)
                answer = setup_view(sc, engine)
            elif op == "reset":
                engine = Engine(sc, broken)
                answer = {"status": "ok", "v": 1}
            elif op == "commands":
                if req["now_ms"] < engine.now:
                    raise BadRequest("simulated time never goes back")
                engine.now = req["now_ms"]
                results = []
                for cmd in req["commands"]:
                    if not hasattr(engine, "cmd_" + str(cmd.get("type"))):
                        raise BadRequest(f"command type {cmd.get('type')!r} is not supported by this engine")
                    try:
                        results.append({"effects": engine.apply(cmd)})
                    except Refused as r:
                        results.append({"refused": r.args[0]})
                answer = {"results": results}
            else:
                raise BadRequest(f"op {op!r} is not supported by this engine")
        except (BadRequest, KeyError, ValueError, TypeError, IndexError) as e:
            answer = {"error": str(e)}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
