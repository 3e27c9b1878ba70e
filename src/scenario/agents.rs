//! Agent names in the scenario file: wherever an agent is named (`[[supervisors]] agent`, an
//! action's `agent`, a `pick` that names one), a name is a group agent's, `<group>-<k>`, or a
//! `[traffic] roster` agent's own name (issue 25, twelfth tester: `agent = "ann"`, a roster
//! agent, was "not an agent name; expected `<group>-<number>`"). Roster agents follow the
//! groups' agents in id order, in the roster's order, so the roster is read before the
//! sections that name agents ([`RosterNames`]). An unknown name is one message listing the
//! names that are valid, with the nearest one.

use std::cell::OnceCell;

use super::diag::Ctx;
use super::sections::Names;
use super::spanned::{string, Val};
use super::suggest::closest;
use crate::model::AgentId;

/// How many names an "unknown agent" message lists of each kind before "…".
const LISTED: usize = 8;

/// How many roster names the nearest-name search compares (a typo in a million-agent roster
/// still costs a bounded time).
const COMPARED: usize = 100_000;

/// The `[traffic] roster` agents' names, for agent references.
#[derive(Debug, Default)]
pub(crate) struct RosterNames {
    /// The names in roster order (agent ids follow the groups' agents in this order); empty
    /// without a roster.
    names: Vec<String>,
    /// `[traffic] roster` is given but could not be read (its problems are reported): a name
    /// that is no group agent's is then not reported again.
    unread: bool,
    /// Indices into `names`, sorted by name: built at the first look-up, so a reference is a
    /// binary search, not a scan of the roster.
    sorted: OnceCell<Vec<u32>>,
}

impl RosterNames {
    /// From [`roster_names`](super::traffic::roster_names): `None` when the roster is given
    /// but could not be read.
    pub(crate) fn new(names: Option<Vec<String>>) -> Self {
        RosterNames {
            unread: names.is_none(),
            names: names.unwrap_or_default(),
            sorted: OnceCell::new(),
        }
    }

    /// The names, or `None` when the roster could not be read.
    pub(crate) fn list(&self) -> Option<&[String]> {
        (!self.unread).then_some(&self.names[..])
    }

    /// The roster position of `name`.
    fn position(&self, name: &str) -> Option<u32> {
        let sorted = self.sorted.get_or_init(|| {
            let mut v: Vec<u32> = (0..self.names.len() as u32).collect();
            v.sort_unstable_by(|&a, &b| self.names[a as usize].cmp(&self.names[b as usize]));
            v
        });
        sorted
            .binary_search_by(|&i| self.names[i as usize].as_str().cmp(name))
            .ok()
            .map(|at| sorted[at])
    }
}

/// What a `<group>-<k>` look-up found.
enum Group {
    /// The agent.
    Agent(AgentId),
    /// A group of that name whose count did not parse (reported there): not checked further.
    Unchecked,
    /// No such agent.
    Missing,
}

impl Names {
    /// Resolves an agent name: a group agent `<group>-<k>` (as
    /// [`Scenario::agent_name`](super::Scenario::agent_name) writes it), else a roster agent's
    /// name, else `<group>-<k>` with `k` written otherwise (`tier1-03`). Call once the roster
    /// is read ([`Names::roster`]).
    ///
    /// Errors (reported on `cx`, `None` returned): not a string; a name that is neither, with
    /// the valid names and the nearest one.
    pub(crate) fn agent(&self, cx: &mut Ctx<'_>, path: &str, v: &Val<'_>) -> Option<AgentId> {
        let n = string(cx, path, v)?;
        match self.group_agent(&n, true) {
            Group::Agent(a) => return Some(a),
            Group::Unchecked => return None,
            Group::Missing => {}
        }
        if let Some(i) = self.roster.position(&n) {
            let first: u64 = self
                .groups
                .iter()
                .map(|g| u64::from(g.count.unwrap_or(0)))
                .sum();
            return u32::try_from(first + u64::from(i)).ok().map(AgentId);
        }
        match self.group_agent(&n, false) {
            Group::Agent(a) => return Some(a),
            Group::Unchecked => return None,
            Group::Missing => {}
        }
        // The roster's problems are reported; whether it holds the name is unknown.
        if !self.roster.unread {
            self.unknown_agent(cx, path, v, &n);
        }
        None
    }

    /// Whether `name` is a roster agent's.
    pub(crate) fn is_roster_agent(&self, name: &str) -> bool {
        self.roster.position(name).is_some()
    }

    /// `name` as `<group>-<k>`: `canonical`, `k` as agent names write it (no sign, no leading
    /// zero); otherwise any `u32` spelling.
    fn group_agent(&self, name: &str, canonical: bool) -> Group {
        let Some((gname, k)) = name.rsplit_once('-') else {
            return Group::Missing;
        };
        let plain = !k.is_empty() && !k.starts_with('0') && k.bytes().all(|b| b.is_ascii_digit());
        let Some(k) = k.parse::<u32>().ok().filter(|_| plain || !canonical) else {
            return Group::Missing;
        };
        let Some(g) = self.groups.iter().find(|g| g.name == gname) else {
            return Group::Missing;
        };
        match g.count {
            None => Group::Unchecked,
            Some(count) if (1..=count).contains(&k) => g
                .first
                .checked_add(k - 1)
                .map_or(Group::Unchecked, |a| Group::Agent(AgentId(a))),
            Some(_) => Group::Missing,
        }
    }

    /// Reports `n` as no agent's name: the group agents' ranges, the roster's names, and the
    /// nearest name.
    fn unknown_agent(&self, cx: &mut Ctx<'_>, path: &str, v: &Val<'_>, n: &str) {
        let ranges: Vec<String> = self
            .groups
            .iter()
            .filter(|g| !g.name.is_empty())
            .filter_map(|g| match g.count? {
                0 => None,
                1 => Some(format!("{}-1", g.name)),
                c => Some(format!("{0}-1 … {0}-{c}", g.name)),
            })
            .collect();
        let groups = listed(ranges.iter().map(String::as_str), ranges.len(), false);
        let roster = &self.roster.names;
        let roster_list = if roster.is_empty() {
            "the scenario has no [traffic] roster agent".to_string()
        } else {
            listed(roster.iter().map(String::as_str), roster.len(), true)
        };
        // Candidates for "did you mean": every roster name (up to `COMPARED`), and per group
        // its first agent and its agent `k` when `n` ends in `-k` (`tier-3` → `tier1-3`),
        // except the group `n` names (its range is in the message).
        let parsed = n
            .rsplit_once('-')
            .and_then(|(g, k)| Some((g, k.parse::<u32>().ok()?)));
        let mut near: Vec<String> = Vec::new();
        for g in &self.groups {
            let Some(count) = g.count.filter(|&c| c > 0) else {
                continue;
            };
            if g.name.is_empty() || parsed.is_some_and(|(p, _)| p == g.name) {
                continue;
            }
            near.push(format!("{}-1", g.name));
            if let Some((_, k)) = parsed.filter(|(_, k)| (2..=count).contains(k)) {
                near.push(format!("{}-{k}", g.name));
            }
        }
        let hint = closest(
            n,
            roster
                .iter()
                .take(COMPARED)
                .map(String::as_str)
                .chain(near.iter().map(String::as_str)),
        )
        .map(|c| format!("did you mean {c:?}?"));
        cx.report(
            path,
            Some(v.span()),
            format!(
                "unknown agent {n:?}; expected a group agent's name <group>-<number> ({}) or a \
                 roster agent's name ({roster_list})",
                if ranges.is_empty() {
                    "the scenario has no agent group with agents"
                } else {
                    &groups
                }
            ),
            hint,
        );
    }
}

/// The first [`LISTED`] of `items` (`total` in all), joined, quoted when `quote`, with "…" and
/// the total when some are left out.
fn listed<'a>(items: impl Iterator<Item = &'a str>, total: usize, quote: bool) -> String {
    let shown: Vec<String> = items
        .take(LISTED)
        .map(|s| {
            if quote {
                format!("{s:?}")
            } else {
                s.to_string()
            }
        })
        .collect();
    if total > LISTED {
        format!("{}, … ({total} in all)", shown.join(", "))
    } else {
        shown.join(", ")
    }
}
