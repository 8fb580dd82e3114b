#!/usr/bin/env bash
# Skip-gram training throughput: gensim Word2Vec vs the m2grl trainer on the same walks.
#
#   ops/bench/train-throughput/run.sh [--walks FILE] [--m2grl BIN] [--threads "1 2"] [--epochs N]
#
# Without --walks a synthetic planted-cluster corpus is generated (gen_walks.py, 10k nodes,
# 2M tokens). gensim is installed with pip into a throwaway venv under
# ${M2GRL_BENCH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/m2grl-bench/venv}. Without --m2grl
# (path of an m2grl binary with `m2grl train --walks FILE --out DIR --threads N --dim 128
# --window 5 --negatives 5`), only gensim is measured. m2grl is timed by wall clock, which
# includes loading walks and writing the model, so its tokens/s is a slight underestimate;
# it is assumed to run `--epochs` epochs (pass matching flags in M2GRL_EXTRA_ARGS, e.g.
# "--epochs 5", if the CLI default differs). Prints tokens/s and tokens/s per core for both
# and the ratio m2grl/gensim per thread count.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
walks="" m2grl="" threads="1 2" epochs=5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --walks) walks="$2"; shift 2 ;;
    --m2grl) m2grl="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

work="$(mktemp -d "${TMPDIR:-/tmp}/m2grl-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if [[ -z "$walks" ]]; then
  walks="$work/walks.txt"
  echo "generating synthetic walks -> $walks" >&2
  python3 "$here/gen_walks.py" --out "$walks"
fi
tokens_per_epoch=$(wc -w < "$walks")
echo "corpus: $walks, $tokens_per_epoch tokens per epoch, $epochs epochs" >&2

venv="${M2GRL_BENCH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/m2grl-bench/venv}"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import gensim" 2>/dev/null; then
  echo "installing gensim into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet gensim
fi

printf "%-8s %-8s %14s %16s\n" tool threads "tokens/s" "tokens/s/core"
declare -A gensim_rate m2grl_rate
for n in $threads; do
  line=$("$venv/bin/python" "$here/gensim_bench.py" --walks "$walks" --workers "$n" --epochs "$epochs")
  rate=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["tokens_per_s"])' "$line")
  gensim_rate[$n]=$rate
  printf "%-8s %-8s %14s %16s\n" gensim "$n" "$rate" "$((rate / n))"
  if [[ -n "$m2grl" ]]; then
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    "$m2grl" train --walks "$walks" --out "$work/model-$n" --threads "$n" --dim 128 --window 5 \
      --negatives 5 ${M2GRL_EXTRA_ARGS:-} > "$work/m2grl-$n.log" 2>&1
    end=$(date +%s.%N)
    rate=$(python3 -c "print(round($tokens_per_epoch * $epochs / ($end - $start)))")
    m2grl_rate[$n]=$rate
    printf "%-8s %-8s %14s %16s\n" m2grl "$n" "$rate" "$((rate / n))"
  fi
done
if [[ -n "$m2grl" ]]; then
  for n in $threads; do
    python3 -c "print(f'threads $n: m2grl/gensim = {${m2grl_rate[$n]} / ${gensim_rate[$n]}:.2f}')"
  done
fi
