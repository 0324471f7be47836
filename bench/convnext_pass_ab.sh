#!/usr/bin/env bash
# Per-pass ConvNeXt-B (convnext_base_w tower, 224 px) forward and forward+backward w.r.t. the input, batch 8:
# PyTorch 1.13 (Debian python3-torch + OpenBLAS, bench/pytorch_convnext_reference.py, the engine's random init) and
# the engine (`portal bench encoders`), alternating in every round, with and without the options under test:
#   python flush-to-zero off/on (torch.set_flush_denormal), engine channels-last off/on (PORTAL_CONVNEXT_CHANNELS_LAST;
#   only a CLI built from commit 2160e05, the reverted channels-last experiment, reads it: set CHANNELS_LAST_AB=1 then).
#
#   bench/convnext_pass_ab.sh [CLI] [ROUNDS=3] [THREADS=2] [REPS=3]
# CLI defaults to artifacts/cli-release/Portal.Cli (a Release build). Output: one line per run, "load" first.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
CLI="${1:-$repo/artifacts/cli-release/Portal.Cli}"; ROUNDS="${2:-3}"; THREADS="${3:-2}"; REPS="${4:-3}"
export OPENBLAS_NUM_THREADS="$THREADS"
py() { /usr/bin/python3 "$repo/bench/pytorch_convnext_reference.py" --threads "$THREADS" --batch 8 --reps "$REPS" "$@" 2>&1 | sed "s/^/  /"; }
eng() {
  PORTAL_CONVNEXT_CHANNELS_LAST="$1" /usr/bin/time -f '  peak RSS %M KiB' "$CLI" bench encoders --arch convnext_base_w --batches 8 \
    --reps "$REPS" --threads "$THREADS" 2>&1 >/dev/null | grep -v '^arch' | sed "s/^/  engine channels_last=$1: /"
}
for r in $(seq 1 "$ROUNDS"); do
  if [ "${CHANNELS_LAST_AB:-0}" = 1 ]; then
    steps=("py" "py --flush-denormal" "eng 0" "eng 1"); [ $((r % 2)) = 0 ] && steps=("eng 1" "eng 0" "py --flush-denormal" "py")
  else
    steps=("py" "py --flush-denormal" "eng 0"); [ $((r % 2)) = 0 ] && steps=("eng 0" "py --flush-denormal" "py")
  fi
  for s in "${steps[@]}"; do
    echo "round $r, load $(cut -d' ' -f1-3 /proc/loadavg): $s"
    $s
  done
done
