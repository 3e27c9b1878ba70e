#!/usr/bin/env python3
"""Writes large, deterministic inputs for `fit` and `forecast` memory checks (issue 25).

Usage: scripts/big-histories.py DIR ROWS

Writes, in DIR (not committed: a million rows are tens of MB):
  log-ROWS.csv  a conversation log for `omnisim fit` (id, arrival as local date-times, queue,
                outcome, wait, handle, wrap_up, patience, agent): 3 queues, about 1.7 rows a
                minute a queue over 08:00-20:00 on Monday-Saturday, 85 % answered, 12 %
                abandoned, 3 % overflowed
  hist-ROWS.csv a conversation history for `omnisim forecast` (arrival, queue): the same arrivals
  vol-ROWS.csv  a volume file for `omnisim forecast` (interval_start, queue, volume): one row per
                5-minute interval and queue, 08:00-20:00, every day, 50 queues
Each file has ROWS data rows. Measure with `/usr/bin/time -f %M omnisim fit DIR/log-ROWS.csv`.
"""
import datetime
import random
import sys


def main():
    out, rows = sys.argv[1], int(sys.argv[2])
    rng = random.Random(25)
    start = datetime.datetime(2025, 1, 6)
    queues = ["billing", "sales", "support"]
    with open(f"{out}/log-{rows}.csv", "w") as log, open(f"{out}/hist-{rows}.csv", "w") as hist:
        log.write("id,arrival,queue,outcome,wait,handle,wrap_up,patience,agent\n")
        hist.write("arrival,queue\n")
        day, t, n = 0, 8 * 3600.0, 0
        while n < rows:
            t += rng.expovariate(5.0 / 60.0)
            if t >= 20 * 3600:
                day += 1
                if (start + datetime.timedelta(days=day)).weekday() == 6:
                    day += 1
                t = 8 * 3600.0 + rng.expovariate(5.0 / 60.0)
            at = start + datetime.timedelta(days=day, seconds=int(t))
            stamp = at.strftime("%Y-%m-%dT%H:%M:%S")
            q = queues[n % 3]
            n += 1
            u = rng.random()
            if u < 0.85:
                out_, wait = "answered", rng.expovariate(1 / 25.0)
                handle = f"{rng.lognormvariate(5.3, 0.6):.3f}"
                wrap = f"{rng.expovariate(1 / 30.0):.3f}"
                agent = f"a{rng.randrange(120)}"
            elif u < 0.97:
                out_, wait, handle, wrap, agent = "abandoned", rng.expovariate(1 / 60.0), "", "", ""
            else:
                out_, wait, handle, wrap, agent = "overflowed", rng.expovariate(1 / 90.0), "", "", ""
            log.write(f"{n},{stamp},{q},{out_},{wait:.3f},{handle},{wrap},,{agent}\n")
            hist.write(f"{stamp},{q}\n")
    with open(f"{out}/vol-{rows}.csv", "w") as vol:
        vol.write("interval_start,queue,volume\n")
        n, day = 0, 0
        while n < rows:
            for slot in range(8 * 12, 20 * 12):
                at = start + datetime.timedelta(days=day, minutes=5 * slot)
                stamp = at.strftime("%Y-%m-%dT%H:%M")
                for k in range(50):
                    if n == rows:
                        break
                    vol.write(f"{stamp},q{k:02},{rng.randrange(40)}\n")
                    n += 1
            day += 1


main()
