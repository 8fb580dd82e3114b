#!/usr/bin/env python3
"""Times gensim Word2Vec skip-gram on a walk corpus and prints one JSON line.

Settings match the m2grl trainer's benchmark: sg=1, negative sampling (hs=0), no
down-sampling of frequent tokens (sample=0, the trainer has none), min_count=1,
linear learning-rate decay 0.025 -> 0.0001. Only train() is timed (not vocabulary
building). tokens/s counts centre words processed, as the trainer does.
"""
import argparse
import json
import time

from gensim.models import Word2Vec


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--walks", required=True)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--negative", type=int, default=5)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--alpha", type=float, default=0.025, help="initial learning rate (decays to 0.0001)")
    p.add_argument("--save-tsv", help="write the vectors as node<TAB>v1 v2 ... (for purity.py)")
    a = p.parse_args()
    with open(a.walks, encoding="utf-8") as f:
        walks = [line.split() for line in f if line.strip()]
    tokens = sum(len(w) for w in walks)
    model = Word2Vec(vector_size=a.dim, window=a.window, negative=a.negative, hs=0, sg=1,
                     sample=0, min_count=1, workers=a.workers, alpha=a.alpha, min_alpha=0.0001, seed=1)
    model.build_vocab(walks)
    start = time.perf_counter()
    model.train(walks, total_examples=len(walks), epochs=a.epochs)
    seconds = time.perf_counter() - start
    processed = tokens * a.epochs
    if a.save_tsv:
        with open(a.save_tsv, "w", encoding="utf-8") as out:
            for word in model.wv.index_to_key:
                out.write(word + "\t" + " ".join(f"{x:.6g}" for x in model.wv[word]) + "\n")
    print(json.dumps({"tool": "gensim", "workers": a.workers, "tokens": processed,
                      "seconds": round(seconds, 3), "tokens_per_s": round(processed / seconds),
                      "tokens_per_s_per_core": round(processed / seconds / a.workers)}))


if __name__ == "__main__":
    main()
