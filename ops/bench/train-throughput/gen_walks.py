#!/usr/bin/env python3
"""Writes a synthetic walk corpus: one walk per line, space-separated node names.

Nodes fall into clusters; each step stays in the current cluster with probability
--stay, else jumps to a uniformly random node (planted-cluster graph, as in the tests).
Standard library only, seeded, so the same arguments give the same file.
"""
import argparse
import random
import sys


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--nodes", type=int, default=10000)
    p.add_argument("--cluster-size", type=int, default=50)
    p.add_argument("--walks-per-node", type=int, default=5)
    p.add_argument("--length", type=int, default=40)
    p.add_argument("--stay", type=float, default=0.9)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default="-")
    a = p.parse_args()
    rng = random.Random(a.seed)
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8")
    with out:
        for _ in range(a.walks_per_node):
            for start in range(a.nodes):
                cur = start
                walk = [cur]
                for _ in range(a.length - 1):
                    if rng.random() < a.stay:
                        base = (cur // a.cluster_size) * a.cluster_size
                        cur = min(a.nodes - 1, base + rng.randrange(a.cluster_size))
                    else:
                        cur = rng.randrange(a.nodes)
                    walk.append(cur)
                out.write(" ".join(f"n{t}" for t in walk) + "\n")


if __name__ == "__main__":
    main()
