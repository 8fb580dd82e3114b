#!/usr/bin/env python3
"""Nearest-neighbour purity of embeddings of a planted-cluster walk corpus (gen_walks.py).

Reads a TSV of vectors (`node<TAB>v1 v2 ...`, the layout of `m2grl train --format tsv` and of
gensim_bench.py --save-tsv), node names `n<id>` with cluster = id // cluster_size. For a
seeded sample of query nodes, ranks all other nodes by cosine similarity and prints one
JSON line with purity@k for each k in --k: the mean share of the query's k nearest
neighbours that lie in its own cluster. With k = cluster_size - 1 this is the R-precision
(how much of the whole cluster comes first), which saturates later than purity@10.
Needs numpy (present in the gensim venv).
"""
import argparse
import json

import numpy as np


def load(path):
    names, rows = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            name, _, values = line.rstrip("\n").partition("\t")
            if not values:
                continue
            names.append(name)
            rows.append(np.array(values.split(), dtype=np.float32))
    return names, np.vstack(rows)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("tsv")
    p.add_argument("--cluster-size", type=int, default=50)
    p.add_argument("--k", default="10,49", help="comma-separated cut-offs")
    p.add_argument("--queries", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    names, m = load(a.tsv)
    ids = np.array([int(n[1:]) for n in names])
    clusters = ids // a.cluster_size
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    m = m / np.maximum(norms, 1e-12)
    rng = np.random.default_rng(a.seed)
    queries = rng.choice(len(names), size=min(a.queries, len(names)), replace=False)
    sims = m[queries] @ m.T
    sims[np.arange(len(queries)), queries] = -np.inf
    result = {"file": a.tsv, "nodes": len(names), "queries": int(len(queries))}
    for k in (int(x) for x in a.k.split(",")):
        top = np.argpartition(-sims, k, axis=1)[:, :k]
        same = clusters[top] == clusters[queries][:, None]
        result[f"purity@{k}"] = round(float(same.mean()), 4)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
