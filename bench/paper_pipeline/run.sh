#!/usr/bin/env bash
# Side-by-side timing of the paper's own evaluation pipeline (fra31/perceptual-metrics eval.py -> attacks_clip ->
# autopgd.apgd_train, on Debian's python3-torch) and `portal eval 2afc`, on the same random-init OpenCLIP ViT-B/32
# weights and the same NIGHTS-layout triplets: APGD L-inf, 10 iterations, batch 16, CE loss, random start.
#
#   bench/paper_pipeline/run.sh --paper DIR --open-clip DIR --auto-attack DIR [--work DIR] [--rounds 2]
#                               [--threads 2] [--eps "4 0.1"] [--n 48] [--flush-denormal]
#
# (or PAPER_REPO, OPEN_CLIP_REPO, AUTO_ATTACK_REPO in the environment). The checkouts are the user's:
#   PAPER_REPO        fra31/perceptual-metrics at 962995f738b9c6530216a8b92992de5c33b9e89a (verified; run unmodified)
#   AUTO_ATTACK_REPO  fra31/auto-attack at a39220048b3c9f2cca9a4d3a54604793c68eca7e (the paper's requirements.txt pin;
#                     autopgd.py imports its helpers)
#   OPEN_CLIP_REPO    mlfoundations/open_clip; the paper does not pin it; v2.24.0 (3ff1faf10b60…) is checked by
#                     default (a nn.MultiheadAttention-era release that runs on torch 1.13); --any-open-clip skips it.
# Needs Debian's python3-torch python3-torchvision python3-pandas python3-regex python3-tqdm, and OpenBLAS
# (libopenblas0-pthread): Debian's default reference BLAS is not a fair peer. The two stubs in stubs/ stand in for
# ftfy and OpenAI's clip (neither is on the image path).
#
# Each round runs, per radius, both sides one after the other, the order swapped every round; it prints each
# process's wall and CPU seconds (user+sys), peak RSS, clean and robust accuracy, and the load average before it.
# Timing uses the Release CLI (built into artifacts/cli-release if missing).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
PAPER="${PAPER_REPO:-}"; OPENCLIP="${OPEN_CLIP_REPO:-}"; AUTOATTACK="${AUTO_ATTACK_REPO:-}"
WORK="${WORK:-$repo/artifacts/paper-pipeline}"; ROUNDS=2; THREADS=2; EPSS="4 0.1"; N=48; FLUSH=""; ANY_OPENCLIP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --paper) PAPER="$2"; shift 2;; --open-clip) OPENCLIP="$2"; shift 2;; --auto-attack) AUTOATTACK="$2"; shift 2;;
    --work) WORK="$2"; shift 2;; --rounds) ROUNDS="$2"; shift 2;; --threads) THREADS="$2"; shift 2;;
    --eps) EPSS="$2"; shift 2;; --n) N="$2"; shift 2;; --flush-denormal) FLUSH="--flush-denormal"; shift;;
    --any-open-clip) ANY_OPENCLIP=1; shift;;
    *) echo "unknown argument $1" >&2; exit 2;;
  esac
done
[ -n "$PAPER" ] && [ -n "$OPENCLIP" ] && [ -n "$AUTOATTACK" ] || { echo "need --paper, --open-clip and --auto-attack (or PAPER_REPO, OPEN_CLIP_REPO, AUTO_ATTACK_REPO)" >&2; exit 2; }
check_commit() { # dir expected name
  local head; head="$(git -C "$1" rev-parse HEAD 2>/dev/null || echo none)"
  [ "$head" = "$2" ] || { echo "$3 checkout $1 is at $head, expected $2" >&2; exit 2; }
}
check_commit "$PAPER" 962995f738b9c6530216a8b92992de5c33b9e89a perceptual-metrics
check_commit "$AUTOATTACK" a39220048b3c9f2cca9a4d3a54604793c68eca7e auto-attack
[ "$ANY_OPENCLIP" = 1 ] || check_commit "$OPENCLIP" 3ff1faf10b60be27252be7f6c84ce7c8c5e14ec8 open_clip
PY=/usr/bin/python3
export PYTHONPATH="$here/stubs:$OPENCLIP/src:$AUTOATTACK"
export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS"   # torch 1.13 does not pass its thread count to OpenBLAS
blas="$($PY -c 'import torch,re; torch.randn(64,64)@torch.randn(64,64); print(" ".join(sorted({l.split()[-1] for l in open("/proc/self/maps") if re.search(r"blas|lapack", l)})))')"
echo "python torch $($PY -c 'import torch; print(torch.__version__)'), BLAS loaded: $blas" >&2
case "$blas" in *openblas*) ;; *) echo "warning: python3-torch is not using OpenBLAS (apt-get install libopenblas0-pthread)" >&2;; esac

CLI="$repo/artifacts/cli-release/Portal.Cli"
if [ ! -x "$CLI" ]; then
  (cd "$repo" && dotnet build Portal.Cli -c Release -o "$repo/artifacts/cli-release" >&2)
fi

inputs="$($PY "$here/make_inputs.py" --work "$WORK" --n "$N")"
CKPT="$($PY -c 'import json,sys; print(json.loads(sys.argv[1])["checkpoint"])' "$inputs")"
NIGHTS="$($PY -c 'import json,sys; print(json.loads(sys.argv[1])["nights"])' "$inputs")"
RESULTS="$WORK/results.jsonl"; : > "$RESULTS"

timed() { # label eps round -- command...; appends one JSON line to RESULTS
  local side="$1" eps="$2" round="$3"; shift 4
  local out="$WORK/runs/$side-eps$eps-r$round"; rm -rf "$out"; mkdir -p "$out"
  local load; load="$(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -f '%e %U %S %M' -o "$out/time" "$@" > "$out/stdout" 2> "$out/stderr" || { echo "$side eps=$eps failed, see $out" >&2; exit 1; }
  $PY - "$side" "$eps" "$round" "$load" "$out" >> "$RESULTS" <<'EOF'
import json, sys
side, eps, rnd, load, out = sys.argv[1:]
wall, user, sys_, rss = open(out + "/time").read().split()[-4:]
line = [l for l in open(out + "/stdout") if l.strip()]
if side == "paper":
    r = json.loads(line[-1]); clean, robust, n = r["clean_accuracy"], r["robust_accuracy"], r["n"]
else:
    r = json.load(open(out + "/out.json")); clean, robust, n = r["clean_accuracy"], r["robust_accuracy"], r["n"]
print(json.dumps({"side": side, "eps_255": float(eps), "round": int(rnd), "load_before": load, "wall_s": float(wall),
                  "cpu_s": float(user) + float(sys_), "peak_rss_mib": int(rss) // 1024, "n": n,
                  "clean_accuracy": clean, "robust_accuracy": robust}))
EOF
  tail -n1 "$RESULTS" >&2
}

paper() { timed paper "$1" "$2" -- $PY "$here/run_paper.py" --paper "$PAPER" --checkpoint "$CKPT" --data-dir "$(dirname "$NIGHTS")" \
            --out "$WORK/runs/paper-eps$1-r$2/eval" --eps "$1" --n-iter 10 --batch 16 --n-ex "$N" --threads "$THREADS" $FLUSH; }
engine() { timed engine "$1" "$2" -- "$CLI" eval 2afc --checkpoint "$CKPT" --dataset "$NIGHTS" --split test_imagenet --attack apgd \
            --norm linf --eps "$1/255" --iters 10 --batch 16 --threads "$THREADS" --quiet --json "$WORK/runs/engine-eps$1-r$2/out.json"; }

for r in $(seq 1 "$ROUNDS"); do
  for eps in $EPSS; do
    if [ $((r % 2)) = 1 ]; then paper "$eps" "$r"; engine "$eps" "$r"; else engine "$eps" "$r"; paper "$eps" "$r"; fi
  done
done
$PY "$here/summarize.py" "$RESULTS"
