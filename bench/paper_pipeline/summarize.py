"""Summarises bench/paper_pipeline/run.sh's results.jsonl: per radius, each round's engine/paper ratio of wall and of
CPU seconds (the two runs of a round are back to back), their medians, and whether the accuracies agree."""
import json, statistics, sys
from collections import defaultdict

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = defaultdict(dict)
for r in rows:
    by[(r["eps_255"], r["round"])][r["side"]] = r
ok = True
for eps in sorted({k[0] for k in by}, reverse=True):
    pairs = [by[k] for k in sorted(by) if k[0] == eps and len(by[k]) == 2]
    print(f"eps = {eps:g}/255, APGD L-inf 10 iterations, batch 16")
    print(f"  {'round':>5} {'paper wall':>10} {'engine wall':>11} {'ratio':>6} {'paper cpu':>9} {'engine cpu':>10} {'ratio':>6}"
          f" {'paper RSS':>9} {'engine RSS':>10}  accuracy paper | engine (clean / robust)   load before paper, engine")
    wr, cr = [], []
    for p in pairs:
        a, b = p["paper"], p["engine"]
        wr.append(b["wall_s"] / a["wall_s"]); cr.append(b["cpu_s"] / a["cpu_s"])
        same = a["clean_accuracy"] == b["clean_accuracy"] and a["robust_accuracy"] == b["robust_accuracy"]
        ok &= same
        print(f"  {a['round']:>5} {a['wall_s']:>9.1f}s {b['wall_s']:>10.1f}s {wr[-1]:>6.2f} {a['cpu_s']:>8.1f}s {b['cpu_s']:>9.1f}s"
              f" {cr[-1]:>6.2f} {a['peak_rss_mib']:>6} MiB {b['peak_rss_mib']:>7} MiB  {a['clean_accuracy']:.2%} / {a['robust_accuracy']:.2%}"
              f" | {b['clean_accuracy']:.2%} / {b['robust_accuracy']:.2%} {'same' if same else 'DIFFER'}   {a['load_before']} | {b['load_before']}")
    if wr:
        print(f"  median engine/paper: wall {statistics.median(wr):.2f}x, CPU {statistics.median(cr):.2f}x over {len(wr)} rounds")
print("accuracies agree in every round" if ok else "ACCURACIES DIFFER in some round")
sys.exit(0 if ok else 1)
