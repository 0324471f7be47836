#!/usr/bin/env python3
"""Acceptance of the engine's Square Attack against AutoAttack's own SquareAttack (autoattack/square.py).

Generates a held-out model (a small random conv net, saved as TorchScript + sidecar recipe, which the engine loads
with --allow-torchscript) and held-out 2AFC triplets (NIGHTS layout, 8-bit PNGs), then, for each norm, radius and
seed, runs
  * AutoAttack's SquareAttack: margin loss on the two logits [cos(f(ref+d), f(x0)), cos(f(ref+d), f(x1))] with the
    2AFC label, candidates embedded once on clean images (as the engine does);
  * the engine's Square: `portal eval 2afc --attack square` on the same files;
and prints robust accuracy per radius: mean and sd over seeds for both, their difference, and the seed-noise
standard error of that difference. Nothing of AutoAttack is copied: it is imported from --autoattack DIR.

  python3 square_acceptance.py --autoattack /path/to/auto-attack --portal "dotnet Portal.Cli/bin/Debug/net10.0/Portal.Cli.dll" \
      --work /tmp/sq-accept [--items 64] [--queries 300] [--seeds 5] [--threads 2]
"""
import argparse, json, math, os, shlex, statistics, struct, subprocess, sys, time, zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

SIZE = 32
RADII = {"linf": [1 / 255, 2 / 255, 4 / 255], "l2": [0.1, 0.25, 0.5]}


class Net(nn.Module):
    """The held-out encoder: random weights (seeded), normalisation inside, N×3×32×32 pixels in [0,1] -> N×32."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(128, 32))

    def forward(self, x):
        return self.body((x - 0.5) / 0.25)


class TwoAfcLogits(nn.Module):
    """AutoAttack's `predict`: the two 2AFC logits of each perturbed reference. AutoAttack calls it on subsets of the
    batch, so each row is matched to its triplet by the nearest clean reference (references are independent random
    images, far further apart than any radius attacked here, which the script checks)."""

    def __init__(self, net, refs, e0, e1):
        super().__init__()
        self.net, self.refs, self.e0, self.e1 = net, refs.flatten(1), e0, e1

    def forward(self, x):
        idx = torch.cdist(x.flatten(1), self.refs).argmin(1)
        e = self.net(x)
        return torch.stack([F.cosine_similarity(e, self.e0[idx], dim=1, eps=1e-8),
                            F.cosine_similarity(e, self.e1[idx], dim=1, eps=1e-8)], 1)


def write_png(path, img):
    """img: 3×H×W uint8 tensor -> an 8-bit RGB PNG (no filter), so both sides read exactly these values."""
    c, h, w = img.shape
    rows = img.permute(1, 2, 0).contiguous().numpy().tobytes()
    raw = b"".join(b"\x00" + rows[y * w * 3:(y + 1) * w * 3] for y in range(h))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def smooth_images(g, n):
    """Random images with structure at several scales (low-resolution noise upsampled, plus fine noise)."""
    coarse = F.interpolate(torch.rand(n, 3, 4, 4, generator=g), size=SIZE, mode="bilinear", align_corners=False)
    mid = F.interpolate(torch.rand(n, 3, 8, 8, generator=g), size=SIZE, mode="bilinear", align_corners=False)
    return (0.6 * coarse + 0.3 * mid + 0.1 * torch.rand(n, 3, SIZE, SIZE, generator=g)).clamp(0, 1)


def to_u8(x):
    return (x * 255).round().clamp(0, 255).to(torch.uint8)


def make_world(work, items, model_seed, data_seed):
    torch.manual_seed(model_seed)
    net = Net().eval()
    for p in net.parameters():
        p.requires_grad_(False)
    model_path = os.path.join(work, "model.pt")
    torch.jit.trace(net, torch.rand(1, 3, SIZE, SIZE)).save(model_path)
    with open(model_path + ".json", "w") as f:
        json.dump({"image_size": SIZE, "resize": "squash", "interpolation": "bilinear", "embedding_dim": 32,
                   "name": "square-acceptance-net"}, f)

    g = torch.Generator().manual_seed(data_seed)
    refs = to_u8(smooth_images(g, items))
    # Two distortions of different strength; the "human" label is the one the model finds closer on 75 % of the
    # triplets (the rest are clean-wrong and not attacked, as in the task).
    d0 = to_u8((refs / 255 + 0.25 * (torch.rand(items, 3, SIZE, SIZE, generator=g) - 0.5)).clamp(0, 1))
    d1 = to_u8((refs / 255 + 0.25 * (torch.rand(items, 3, SIZE, SIZE, generator=g) - 0.5)).clamp(0, 1))
    with torch.no_grad():
        logits = TwoAfcLogits(net, refs / 255, net(d0 / 255), net(d1 / 255))(refs / 255)
    closer = logits.argmax(1)
    flip = torch.rand(items, generator=g) < 0.25
    label = torch.where(flip, 1 - closer, closer)
    data = os.path.join(work, "2afc")
    lines = ["id,left_vote,right_vote,votes,ref_path,left_path,right_path,split,is_imagenet,prompt"]
    for i in range(items):
        r, a, b = f"ref/000/{i:03d}.png", f"distort/000/{i:03d}_0.png", f"distort/000/{i:03d}_1.png"
        write_png(os.path.join(data, r), refs[i])
        write_png(os.path.join(data, a), d0[i])
        write_png(os.path.join(data, b), d1[i])
        right = int(label[i])
        lines.append(f"{i},{1 - right},{right},6,{r},{a},{b},test,{'True' if i % 2 == 0 else 'False'},acceptance")
    with open(os.path.join(data, "data.csv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return net, model_path, data, refs / 255, d0 / 255, d1 / 255, label


def autoattack_robust(SquareAttack, net, refs, d0, d1, label, norm, eps, queries, seed):
    with torch.no_grad():
        predict = TwoAfcLogits(net, refs, net(d0), net(d1))
        attack = SquareAttack(predict, norm={"linf": "Linf", "l2": "L2"}[norm], n_queries=queries, eps=eps, p_init=0.8,
                              n_restarts=1, seed=seed, loss="margin", resc_schedule=True, device=torch.device("cpu"))
        adv = attack.perturb(refs.clone(), label.clone())
        d = (adv - refs).flatten(1)
        size = d.abs().max(1)[0] if norm == "linf" else d.norm(dim=1)
        assert float(size.max()) <= eps + 1e-5 and float(adv.min()) >= 0 and float(adv.max()) <= 1, "AutoAttack left the ball"
        return float((predict(adv).argmax(1) == label).float().mean())


def engine_robust(portal, model_path, data, work, norm, eps, queries, seed):
    out = os.path.join(work, f"engine-{norm}-{eps:.6f}-{seed}.json")
    cmd = shlex.split(portal) + ["eval", "2afc", "--checkpoint", model_path, "--allow-torchscript", "--dataset", data,
                                 "--attack", "square", "--norm", norm, "--eps", repr(eps), "--queries", str(queries),
                                 "--seed", str(seed), "--batch", "64", "--quiet", "--json", out]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"engine run failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
    with open(out) as f:
        r = json.load(f)
    r = r.get("result", r)
    assert all(s["passed"] for s in r["sanity"]), r["sanity"]
    return r["robust_accuracy"], r["clean_accuracy"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--autoattack", required=True, help="a checkout of github.com/fra31/auto-attack (its root)")
    ap.add_argument("--portal", required=True, help="the command that runs the portal CLI")
    ap.add_argument("--work", required=True)
    ap.add_argument("--items", type=int, default=64)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--norms", default="linf,l2")
    ap.add_argument("--json", help="write the table as JSON here")
    a = ap.parse_args()
    sys.path.insert(0, a.autoattack)
    from autoattack.square import SquareAttack  # imported from the given checkout, not vendored

    torch.set_num_threads(a.threads)
    os.makedirs(a.work, exist_ok=True)
    net, model_path, data, refs, d0, d1, label = make_world(a.work, a.items, model_seed=20250216, data_seed=7)
    with torch.no_grad():
        clean = TwoAfcLogits(net, refs, net(d0), net(d1))(refs)
    clean_acc = float((clean.argmax(1) == label).float().mean())
    gap = torch.cdist(refs.flatten(1), refs.flatten(1)) + 1e9 * torch.eye(a.items)
    print(f"held-out world: {a.items} triplets, clean accuracy {clean_acc:.3f}, closest pair of references L2 {float(gap.min()):.2f}")

    rows = []
    for norm in a.norms.split(","):
        for eps in RADII[norm]:
            assert float(gap.min()) > 2 * eps * (math.sqrt(3 * SIZE * SIZE) if norm == "linf" else 1), "references too close to match rows"
            aa, en = [], []
            t0 = time.time()
            for seed in range(a.seeds):
                aa.append(autoattack_robust(SquareAttack, net, refs, d0, d1, label, norm, eps, a.queries, seed))
                rob, eng_clean = engine_robust(a.portal, model_path, data, a.work, norm, eps, a.queries, seed)
                assert abs(eng_clean - clean_acc) < 0.5 / a.items, f"engine clean accuracy {eng_clean} != {clean_acc}"
                en.append(rob)
            ma, mb = statistics.mean(aa), statistics.mean(en)
            sa, sb = statistics.stdev(aa), statistics.stdev(en)
            se = math.sqrt(sa ** 2 / a.seeds + sb ** 2 / a.seeds)
            diff = mb - ma
            rows.append(dict(norm=norm, eps=eps, autoattack=aa, engine=en, autoattack_mean=ma, autoattack_sd=sa,
                             engine_mean=mb, engine_sd=sb, difference=diff, se_difference=se,
                             within_noise=abs(diff) <= 2 * se + 1.0 / a.items))
            print(f"{norm} eps={eps:.5f}: AutoAttack {ma:.3f}±{sa:.3f}  engine {mb:.3f}±{sb:.3f}  diff {diff:+.3f} (se {se:.3f})"
                  f"  {'ok' if rows[-1]['within_noise'] else 'OUTSIDE NOISE'}  [{time.time() - t0:.0f}s]", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(items=a.items, queries=a.queries, seeds=a.seeds, clean_accuracy=clean_acc, rows=rows), f, indent=1)
    ok = all(r["within_noise"] for r in rows)
    print("ACCEPTED: the engine's robust accuracy matches AutoAttack's within seed noise" if ok else "NOT ACCEPTED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
