#!/usr/bin/env bash
# Throughput of real evaluation jobs with 1 vs 2 local worker processes on this machine (docs/deployment.md,
# "Worker throughput"). Each round starts a fresh embedded portal (SQLite, demo off) with the given workers and
# libtorch threads per worker, uploads the OpenCLIP ViT-B/32 mini fixture checkpoint, queues JOBS APGD jobs on a
# procedural NIGHTS-layout set and times them to the end; the configurations alternate ROUNDS times so that a noisy
# machine slows them alike.
#   bash bench/worker_throughput.sh [jobs=6] [iterations=10] [rounds=2] [triplets=48]
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${1:-6} ITER=${2:-10} ROUNDS=${3:-2} TRIPLETS=${4:-48}
CORES=$(nproc)
dotnet build -c Release -v q -nologo Portal.Web >/dev/null
dotnet build -c Release -v q -nologo Portal.Cli >/dev/null
dotnet build -c Release -v q -nologo bench/PortalBench >/dev/null
CLI="dotnet Portal.Cli/bin/Release/net10.0/Portal.Cli.dll"
WORK=$(mktemp -d /tmp/worker-throughput.XXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null; rm -rf "$WORK"' EXIT
$CLI demo data --out "$WORK/demo" --twoafc "$TRIPLETS" --queries 1 --detection 1 >/dev/null
CKPT=Portal.Tests/Fixtures/encoders/openclip-vit-b32-mini/model.safetensors

run() { # workers threads-per-worker
  local root="$WORK/root-$1x$2-$RANDOM" port=$((20000 + RANDOM % 20000))
  mkdir -p "$root"
  local token; token=$($CLI user add bench --role admin --data-root "$root" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  Portal__DataRoot="$root" Portal__Demo__Enabled=false Portal__Workers__Local=$1 Portal__Worker__Threads=$2 \
    Portal__Worker__PollSeconds=0.2 Portal__AllowServerFileRegistration=true Portal__ServerFileRoots__0="$WORK" \
    dotnet Portal.Web/bin/Release/net10.0/Portal.Web.dll --urls "http://127.0.0.1:$port" >"$root/web.log" 2>&1 &
  local web=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.3; done
  echo "== $1 worker(s) × $2 thread(s)"
  dotnet bench/PortalBench/bin/Release/net10.0/PortalBench.dll workers "http://127.0.0.1:$port" "$token" "$WORK/demo/2afc" "$CKPT" "$JOBS" "$ITER" \
    | tee "$root/out.txt"
  grep RESULT "$root/out.txt" | sed "s/^/$1x$2 /" >>"$WORK/results"
  kill $web; wait $web 2>/dev/null || true
}

for r in $(seq "$ROUNDS"); do
  run 1 "$CORES"
  run 2 $((CORES / 2 > 0 ? CORES / 2 : 1))
done
echo "== summary (wall seconds per configuration, ratio = 1 worker / 2 workers, > 1 means 2 workers are faster)"
python3 - "$WORK/results" <<'PY'
import sys, statistics, re
walls = {}
for line in open(sys.argv[1]):
    cfg, rest = line.split(" ", 1)
    walls.setdefault(cfg, []).append(float(re.search(r"wall_s=([\d.]+)", rest).group(1)))
for cfg, w in walls.items(): print(f"{cfg}: {', '.join(f'{x:.1f}' for x in w)} s (median {statistics.median(w):.1f})")
one, two = [statistics.median(v) for v in walls.values()]
print(f"throughput ratio 2 workers / 1 worker: {one / two:.2f}")
PY
