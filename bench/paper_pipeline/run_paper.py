"""Runs the paper's own evaluation script, fra31/perceptual-metrics `eval.py`, unmodified, from a checkout the user
provides, on the benchmark's checkpoint and NIGHTS-layout triplets.

eval.py cannot be pointed at a local checkpoint from its command line: `resolve_args` looks `--shortname` up in
`utils_perceptual_models.PRETRAINED_MODELS` (released models only). This driver adds ONE entry to that dict,
{shortname: {'ckptpath': <the benchmark's ViT-B-32 .pt>}}, then executes eval.py as __main__ with runpy, so the
paper's own argument parsing, model wrapping (ClipVisionModel, normalisation inside the forward pass), NIGHTS loader,
attack loop (attacks_clip.eval_loader -> autopgd.apgd_train) and accuracy code all run as published.
Everything else is configuration: the thread count (torch.set_num_threads; eval.py sets none) and, optionally,
flush-to-zero for denormals (off by default, matching libtorch's default and the engine's).

Prints one JSON line: wall seconds of eval.py's main (imports included), eval.py's own "Attack time", clean and
robust accuracy as eval.py saved them (acc_dets.json via --save_to_dict).
"""
import argparse, json, os, runpy, subprocess, sys, time

PAPER_COMMIT = "962995f738b9c6530216a8b92992de5c33b9e89a"


def git_head(path):
    try:
        head = subprocess.run(["git", "-C", path, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", path, "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, check=True).stdout.strip()
        return head, dirty
    except (subprocess.CalledProcessError, FileNotFoundError):
        return None, ""


def main():
    t_start = time.perf_counter()
    ap = argparse.ArgumentParser()
    ap.add_argument("--paper", required=True, help="fra31/perceptual-metrics checkout at " + PAPER_COMMIT)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--data-dir", required=True, help="folder that contains nights/")
    ap.add_argument("--out", required=True)
    ap.add_argument("--eps", required=True, help="L-inf radius in 1/255 units, as eval.py's --eps")
    ap.add_argument("--n-iter", type=int, default=10)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--n-ex", type=int, default=48)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--flush-denormal", action="store_true")
    a = ap.parse_args()

    paper = os.path.abspath(a.paper)
    head, dirty = git_head(paper)
    if head != PAPER_COMMIT:
        sys.exit(f"{paper}: HEAD is {head}, the benchmark is pinned to {PAPER_COMMIT}")
    if dirty:
        sys.exit(f"{paper}: tracked files are modified:\n{dirty}")

    import torch
    torch.set_num_threads(a.threads)
    if a.flush_denormal and not torch.set_flush_denormal(True):
        sys.exit("torch.set_flush_denormal(True) is not supported on this CPU")

    sys.path.insert(0, paper)
    import utils_perceptual_models  # the paper's module; eval.py's own import then gets this same object
    shortname = "bench-vit-b-32-random"
    utils_perceptual_models.PRETRAINED_MODELS[shortname] = {"ckptpath": os.path.abspath(a.checkpoint)}

    os.makedirs(a.out, exist_ok=True)
    os.chdir(a.out)
    sys.argv = ["eval.py", "--shortname", shortname, "--dataset", "nights", "--data_dir", os.path.abspath(a.data_dir),
                "--split", "test_imagenet", "--n_ex", str(a.n_ex), "--batch_size", str(a.batch), "--device", "cpu",
                "--attack_name", "apgd", "--norm", "Linf", "--eps", a.eps, "--n_iter", str(a.n_iter), "--use_rs",
                "--loss", "ce", "--save_to_dict", "--savedir", ".", "--logdir", "logs", "--dictname", "acc_dets.json"]
    if os.path.exists("acc_dets.json"):
        os.remove("acc_dets.json")
    t_main = time.perf_counter()
    runpy.run_path(os.path.join(paper, "eval.py"), run_name="__main__")
    t_end = time.perf_counter()

    dets = json.load(open("acc_dets.json"))
    (model_dets,) = dets.values()
    (ds_dets,) = model_dets.values()
    clean = ds_dets["clean"]
    robust = next(v for k, v in ds_dets.items() if k != "clean")
    attack_time = None
    for root, _, names in os.walk("logs"):
        for nm in names:
            for line in open(os.path.join(root, nm)):
                if line.startswith("Attack time:"):
                    attack_time = float(line.split()[2])
    print(json.dumps({
        "side": "paper", "commit": head, "torch": torch.__version__, "threads": torch.get_num_threads(),
        "flush_denormal": a.flush_denormal, "eps_255": float(a.eps), "n_iter": a.n_iter, "batch": a.batch,
        "n": clean[2], "clean_correct": clean[1], "clean_accuracy": clean[0],
        "robust_correct": robust[1], "robust_accuracy": robust[0],
        "attack_seconds": attack_time, "main_seconds": t_end - t_main, "driver_seconds": t_end - t_start,
    }))


if __name__ == "__main__":
    main()
