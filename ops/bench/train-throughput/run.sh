#!/usr/bin/env bash
# Skip-gram training throughput and quality: gensim Word2Vec vs the m2grl trainer on the
# same walks, in the same run.
#
#   ops/bench/train-throughput/run.sh [--walks FILE] [--m2grl BIN] [--threads "1 2"]
#                                     [--epochs N] [--repeat R] [--cluster-size C]
#                                     [--learning-rate LR]
#
# Without --walks a synthetic planted-cluster corpus is generated (gen_walks.py: 10k nodes in
# clusters of 50, 5 walks of 40 per node, 2M tokens). gensim is installed with pip into a
# throwaway venv under ${M2GRL_BENCH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/m2grl-bench/venv}.
# --m2grl defaults to .build/release/m2grl of this checkout (`swift build -c release
# --product m2grl`); pass --m2grl none to measure gensim only.
#
# Both tools: skip-gram, dim 128, window 5, 5 negatives, no frequent-token down-sampling,
# learning rate LR (default 0.025) -> 0.0001, N epochs. Rates count centre tokens processed per second of
# the training loop only: gensim times train() (not vocabulary building); for m2grl the
# figure is the one it prints, `trained ... (<rate> tokens/s, N threads)`, measured by the
# trainer around its loop (not loading walks or writing files). The m2grl wall clock of the
# whole command is shown too. With --repeat R each measurement is repeated and the best
# rate kept (the machine may be shared). Quality: purity.py on each tool's vectors of the
# last repeat (share of a node's nearest neighbours in its planted cluster, @10 and
# @cluster_size-1); meaningful only for gen_walks.py corpora.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
walks="" m2grl="$root/.build/release/m2grl" threads="1 2" epochs=5 repeat=1 cluster=50 lr=0.025
while [[ $# -gt 0 ]]; do
  case "$1" in
    --walks) walks="$2"; shift 2 ;;
    --m2grl) m2grl="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --learning-rate) lr="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --cluster-size) cluster="$2"; shift 2 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ "$m2grl" == none ]] && m2grl=""
if [[ -n "$m2grl" && ! -x "$m2grl" ]]; then
  echo "no m2grl binary at $m2grl (swift build -c release --product m2grl, or --m2grl none)" >&2
  exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/m2grl-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if [[ -z "$walks" ]]; then
  walks="$work/walks.txt"
  echo "generating synthetic walks -> $walks" >&2
  python3 "$here/gen_walks.py" --cluster-size "$cluster" --out "$walks"
fi
tokens_per_epoch=$(wc -w < "$walks")
echo "corpus: $(wc -l < "$walks") walks, $tokens_per_epoch tokens per epoch, $epochs epochs, learning rate $lr; machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" >&2

venv="${M2GRL_BENCH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/m2grl-bench/venv}"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import gensim" 2>/dev/null; then
  echo "installing gensim into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet gensim
fi
echo "gensim $("$venv/bin/python" -c 'import gensim; print(gensim.__version__)')" >&2

# "1.23M" / "456.7k" / "789" -> tokens/s as an integer.
parse_rate() { python3 -c 'import sys; s=sys.argv[1]; m={"M":1e6,"k":1e3}.get(s[-1],1); print(round(float(s.rstrip("Mk"))*m))' "$1"; }
purity() { "$venv/bin/python" "$here/purity.py" "$1" --cluster-size "$cluster" --k "10,$((cluster - 1))" \
  | python3 -c 'import json,sys; r=json.load(sys.stdin); print(" ".join(f"{k}={v}" for k,v in r.items() if k.startswith("purity")))'; }

printf "%-7s %-8s %12s %14s %12s  %s\n" tool threads "tokens/s" "tokens/s/core" "wall s" "quality (last repeat)"
declare -A g_rate m_rate
for n in $threads; do
  best=0
  for ((r = 0; r < repeat; r++)); do
    line=$("$venv/bin/python" "$here/gensim_bench.py" --walks "$walks" --workers "$n" --epochs "$epochs" --alpha "$lr" \
      --save-tsv "$work/gensim-$n.tsv")
    rate=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["tokens_per_s"])' "$line")
    secs=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["seconds"])' "$line")
    (( rate > best )) && best=$rate
  done
  g_rate[$n]=$best
  printf "%-7s %-8s %12s %14s %12s  %s\n" gensim "$n" "$best" "$((best / n))" "$secs" "$(purity "$work/gensim-$n.tsv")"
  if [[ -n "$m2grl" ]]; then
    best=0
    for ((r = 0; r < repeat; r++)); do
      rm -rf "$work/model-$n"
      start=$(date +%s.%N)
      "$m2grl" train --walks "$walks" --out "$work/model-$n" --threads "$n" --dim 128 --window 5 \
        --negatives 5 --epochs "$epochs" --learning-rate "$lr" --format tsv --quiet > "$work/m2grl-$n.log" 2>&1 \
        || { cat "$work/m2grl-$n.log" >&2; exit 1; }
      end=$(date +%s.%N)
      printed=$(sed -n 's/.*(\([0-9.]*[Mk]\{0,1\}\) tokens\/s, .*/\1/p' "$work/m2grl-$n.log" | head -1)
      [[ -n "$printed" ]] || { echo "m2grl printed no tokens/s line:" >&2; cat "$work/m2grl-$n.log" >&2; exit 1; }
      rate=$(parse_rate "$printed")
      wall=$(python3 -c "print(round($end - $start, 2))")
      (( rate > best )) && best=$rate
    done
    m_rate[$n]=$best
    printf "%-7s %-8s %12s %14s %12s  %s\n" m2grl "$n" "$best" "$((best / n))" "$wall" "$(purity "$work/model-$n/item.tsv")"
  fi
done
if [[ -n "$m2grl" ]]; then
  for n in $threads; do
    python3 -c "print(f'threads $n: m2grl/gensim tokens/s per core = {${m_rate[$n]} / ${g_rate[$n]}:.2f}')"
  done
fi
