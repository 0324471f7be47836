"""Makes (or reuses) the inputs both sides of the paper-pipeline benchmark read:

- WORK/ViT-B-32-random-seed<S>.pt: a random-init OpenCLIP ViT-B/32 image tower, built by open_clip itself
  (`open_clip.create_model('ViT-B-32', pretrained=None)` after `torch.manual_seed(S)`), saved as
  `model.visual.state_dict()` with torch.save. That is the layout of the paper's robust checkpoints, which its
  `utils_perceptual_models.get_model_and_transforms` loads with `model.visual.load_state_dict(ckpt, strict=True)`,
  and the engine loads it as a visual-only open_clip state dict. The file name contains "ViT-B-32" because the
  paper's `resolve_args` picks the architecture from the checkpoint name.
- WORK/data/nights/: N triplets in NIGHTS' layout (ref/000/MMM.png, distort/000/MMM_{0,1}.png, data.csv with
  id,left_vote,right_vote,votes,ref_path,left_path,right_path,split,is_imagenet,prompt; split test, is_imagenet True,
  6 unanimous votes), 224x224 RGB PNGs of smooth random images, so both sides' resize + centre crop is the identity.

Run with the open_clip checkout on PYTHONPATH (run.sh does). A manifest (WORK/inputs.json) records the seed, the
count and each file's sha256; a second call with the same settings reuses the files.
"""
import argparse, hashlib, json, os, sys

import numpy as np
import torch
from PIL import Image


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def smooth_image(rng, size=224):
    """Low-frequency random image in [0,1]: an 8x8 grid of colours, bicubically upsampled, plus mild noise."""
    coarse = rng.random((8, 8, 3)).astype(np.float32)
    img = Image.fromarray((coarse * 255).round().astype(np.uint8)).resize((size, size), Image.BICUBIC)
    a = np.asarray(img).astype(np.float32) / 255
    return np.clip(a + rng.normal(0, 0.03, a.shape), 0, 1)


def to_png(a, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray((a * 255).round().astype(np.uint8), "RGB").save(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--n", type=int, default=48)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    manifest_path = os.path.join(a.work, "inputs.json")
    ckpt = os.path.join(a.work, f"ViT-B-32-random-seed{a.seed}.pt")
    root = os.path.join(a.work, "data", "nights")

    if os.path.exists(manifest_path):
        m = json.load(open(manifest_path))
        if m.get("seed") == a.seed and m.get("n") == a.n and all(
                os.path.exists(os.path.join(a.work, p)) and sha256(os.path.join(a.work, p)) == h for p, h in m["files"].items()):
            print(f"reusing {manifest_path} ({len(m['files'])} files verified)", file=sys.stderr)
            print(json.dumps({"checkpoint": ckpt, "nights": root}))
            return

    import open_clip  # from the user's checkout (PYTHONPATH)

    torch.manual_seed(a.seed)
    model = open_clip.create_model("ViT-B-32", pretrained=None)
    model.eval()
    torch.save(model.visual.state_dict(), ckpt)

    rng = np.random.default_rng(a.seed)
    rows = ["id,left_vote,right_vote,votes,ref_path,left_path,right_path,split,is_imagenet,prompt"]
    for i in range(a.n):
        ref = smooth_image(rng)
        # two distortions of the reference: another smooth image blended in at different strengths
        d0 = np.clip((1 - rng.uniform(0.2, 0.6)) * ref + rng.uniform(0.2, 0.6) * smooth_image(rng), 0, 1)
        d1 = np.clip((1 - rng.uniform(0.2, 0.6)) * ref + rng.uniform(0.2, 0.6) * smooth_image(rng), 0, 1)
        name = f"{i:03d}"
        to_png(ref, os.path.join(root, "ref", "000", f"{name}.png"))
        to_png(d0, os.path.join(root, "distort", "000", f"{name}_0.png"))
        to_png(d1, os.path.join(root, "distort", "000", f"{name}_1.png"))
        right = int(rng.integers(0, 2))
        rows.append(f"{i},{1 - right},{right},6,ref/000/{name}.png,distort/000/{name}_0.png,distort/000/{name}_1.png,test,True,bench")
    with open(os.path.join(root, "data.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")

    files = {}
    for dirpath, _, names in os.walk(a.work):
        for nm in names:
            p = os.path.join(dirpath, nm)
            rel = os.path.relpath(p, a.work)
            if rel == "inputs.json" or not (rel.endswith(".png") or rel.endswith(".csv") or rel == os.path.basename(ckpt)):
                continue
            files[rel] = sha256(p)
    json.dump({"seed": a.seed, "n": a.n, "open_clip": os.path.dirname(open_clip.__file__), "files": files},
              open(manifest_path, "w"), indent=1, sort_keys=True)
    print(json.dumps({"checkpoint": ckpt, "nights": root}))


if __name__ == "__main__":
    main()
