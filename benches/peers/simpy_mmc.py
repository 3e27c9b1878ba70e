"""SimPy peer of benches/scenarios/mmc-2m.toml, for the speed comparison in reports/performance.md.

The same M/M/c model as omnisim's mmc-2m: Poisson arrivals at 300/h, exponential service with
mean 100 s, 10 servers, first come first served, no abandonment, no accept delay. It counts
waits the way omnisim does: a conversation's wait runs from its arrival to the moment a server
takes it; "delayed" means a wait > 0; the service level is answered within 20 s / answered.

Usage: python3 benches/peers/simpy_mmc.py [--customers 2000000] [--seed 11]
Prints one JSON line: customers, wall_s, conversations_per_s and the wait figures (to check
that both tools simulate the same queue: compare with omnisim's summary.json and Erlang C).
Needs `pip install simpy`. Not part of the tests.
"""

import argparse
import json
import random
import time

import simpy

LAMBDA = 300 / 3600.0  # arrivals per second
MEAN_SERVICE = 100.0  # seconds
SERVERS = 10
SL_THRESHOLD = 20.0  # seconds


class Stats:
    def __init__(self):
        self.answered = 0
        self.delayed = 0
        self.in_sl = 0
        self.wait_sum = 0.0


def customer(env, servers, rng, stats):
    arrived = env.now
    with servers.request() as req:
        yield req
        wait = env.now - arrived
        stats.answered += 1
        stats.wait_sum += wait
        if wait > 0:
            stats.delayed += 1
        if wait <= SL_THRESHOLD:
            stats.in_sl += 1
        yield env.timeout(rng.expovariate(1.0 / MEAN_SERVICE))


def source(env, servers, rng, stats, n):
    for _ in range(n):
        yield env.timeout(rng.expovariate(LAMBDA))
        env.process(customer(env, servers, rng, stats))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=2_000_000)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=SERVERS)
    stats = Stats()
    started = time.perf_counter()
    env.process(source(env, servers, rng, stats, args.customers))
    env.run()
    wall = time.perf_counter() - started
    a = max(stats.answered, 1)
    print(
        json.dumps(
            {
                "tool": "simpy",
                "simpy_version": simpy.__version__,
                "customers": args.customers,
                "answered": stats.answered,
                "wall_s": round(wall, 3),
                "conversations_per_s": round(stats.answered / wall, 1),
                "wait_mean_s": round(stats.wait_sum / a, 4),
                "p_delayed": round(stats.delayed / a, 5),
                "service_level": round(stats.in_sl / a, 5),
            }
        )
    )


if __name__ == "__main__":
    main()
