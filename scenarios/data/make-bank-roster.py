#!/usr/bin/env python3
"""Writes bank-roster-week.csv: the assumed staffing of scenarios/bank-week.toml.

Six daily shift patterns, the same agents on the same pattern Monday to Friday 3-7 March
2003, breaks staggered across each pattern's agents. Invented (the data set has no staffing);
sized by hand against the week's mean hourly offered load at a 4.5-minute handle + wrap-up.
Run from the repository root: python3 scenarios/data/make-bank-roster.py
"""
import csv

DAYS = ["2003-03-03", "2003-03-04", "2003-03-05", "2003-03-06", "2003-03-07"]
# name, count, start, end, break starts (30 minutes each, agent k takes slot k mod len)
PATTERNS = [
    ("early", 100, "07:00", "15:30", ["12:00", "12:30", "13:00"]),
    ("day", 80, "08:00", "16:30", ["12:30", "13:00", "13:30"]),
    ("core", 100, "09:00", "17:30", ["13:00", "13:30", "14:00"]),
    ("peak", 40, "10:00", "14:00", []),
    ("late", 90, "13:00", "21:05", ["16:30", "17:00", "17:30"]),
    ("evening", 50, "16:00", "21:05", ["18:30", "19:00"]),
]


def plus30(hhmm):
    h, m = map(int, hhmm.split(":"))
    m += 30
    return f"{h + m // 60:02d}:{m % 60:02d}"


with open("scenarios/data/bank-roster-week.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["agent", "queues", "shift_start", "shift_end", "capacity", "breaks"])
    for day in DAYS:
        for name, count, start, end, slots in PATTERNS:
            for k in range(1, count + 1):
                brk = ""
                if slots:
                    s = slots[(k - 1) % len(slots)]
                    brk = f"{s}-{plus30(s)}"
                w.writerow([f"{name}-{k:03d}", "retail", f"{day}T{start}", f"{day}T{end}", 100, brk])
