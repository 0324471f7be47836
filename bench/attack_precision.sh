#!/usr/bin/env bash
# What a bf16 search costs and changes (issue 19 item 3): `portal eval 2afc` with the same checkpoint, triplets and APGD
# budget, the attack's forward/backward in float32 and then in bfloat16 (`--attack-precision bf16`; everything is still
# scored in float32), alternating for ROUNDS rounds. Prints each run's wall seconds, clean and robust accuracy, and per
# round the bf16/float32 time ratio and the robust-accuracy difference in points.
#
#   bench/attack_precision.sh CHECKPOINT [DATASET] [ROUNDS] [EPS] [ITERS] [DEVICE]
#
# DATASET defaults to the demo world's 2AFC folder (written once under artifacts/attack-precision); EPS to 1/255, ITERS
# to 10, DEVICE to cpu. On CPU, bf16 is emulated by most kernels and is expected to be slower; the figure that matters
# there is the accuracy difference. Timing uses the Release CLI (built into artifacts/cli-release if missing).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
CKPT="${1:?checkpoint}"; DATA="${2:-}"; ROUNDS="${3:-2}"; EPS="${4:-1/255}"; ITERS="${5:-10}"; DEVICE="${6:-cpu}"
CLI="$repo/artifacts/cli-release/Portal.Cli"
[ -x "$CLI" ] || (cd "$repo" && dotnet build Portal.Cli -c Release -o "$repo/artifacts/cli-release" >&2)
WORK="$repo/artifacts/attack-precision"; mkdir -p "$WORK"
if [ -z "$DATA" ]; then
  DATA="$WORK/demo/2afc"
  [ -f "$DATA/data.csv" ] || "$CLI" demo data --out "$WORK/demo" --twoafc 64 >&2
fi
run() { # precision round
  local out="$WORK/$1-r$2.json"; rm -f "$out" "$out.items.jsonl"
  local t0; t0=$(date +%s.%N)
  "$CLI" eval 2afc --checkpoint "$CKPT" --dataset "$DATA" --attack apgd --norm linf --eps "$EPS" --iters "$ITERS" \
    --device "$DEVICE" --attack-precision "$1" --quiet --json "$out" > /dev/null
  local t1; t1=$(date +%s.%N)
  python3 - "$1" "$2" "$t0" "$t1" "$out" <<'PY'
import json, sys
p, r, t0, t1, out = sys.argv[1:]
j = json.load(open(out))
print(json.dumps({"precision": p, "round": int(r), "wall_s": round(float(t1) - float(t0), 2), "n": j["n"],
                  "clean_accuracy": j["clean_accuracy"], "robust_accuracy": j["robust_accuracy"],
                  "sanity_passed": all(s["passed"] for s in j["sanity"])}))
PY
}
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then a=float32; b=bf16; else a=bf16; b=float32; fi
  ra="$(run $a $r)"; echo "$ra"; rb="$(run $b $r)"; echo "$rb"
  python3 - "$ra" "$rb" <<'PY'
import json, sys
x, y = (json.loads(s) for s in sys.argv[1:])
f, h = (x, y) if x["precision"] == "float32" else (y, x)
print(f"round {f['round']}: time bf16/float32 {h['wall_s'] / f['wall_s']:.2f}x, robust accuracy bf16 - float32 "
      f"{100 * (h['robust_accuracy'] - f['robust_accuracy']):+.2f} points, clean equal: {h['clean_accuracy'] == f['clean_accuracy']}")
PY
done
