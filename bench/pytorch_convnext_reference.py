"""PyTorch reference timing for `portal bench encoders`: the convnext_base_w visual tower at full size
(dims 128/256/512/1024, depths 3/3/27/3, embed 640), random weights, forward and forward+backward with
respect to the input at 224x224. Run with the same thread count as the C# benchmark, and with OpenBLAS (Debian's python3-torch links libblas.so.3,
which is the reference BLAS until libopenblas0-pthread is installed; OPENBLAS_NUM_THREADS sets its threads, torch 1.13
does not pass set_num_threads on to it):

    OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/pytorch_convnext_reference.py --threads 2 --batch 8 --reps 5

Weights follow the engine's `RandomInit` (`portal bench encoders`) by default, so both sides multiply the same kind
of numbers: matrices N(0, 0.02), biases 0, LayerNorm weight 1, layer scale gamma 1e-6 (timm's init). `--init torch`
keeps PyTorch's default initialisation instead. `--flush-denormal` sets torch.set_flush_denormal(True); libtorch's
default, and the engine's (TorchSharp 0.107 has no binding for it), is off. `--count-denormals` reports how many
subnormal floats the forward activations and the input gradient hold (0 means flushing cannot matter).
"""
import argparse, time, statistics
import torch
import torch.nn as nn
import torch.nn.functional as F


class LayerNorm2d(nn.LayerNorm):
    def forward(self, x):
        return F.layer_norm(x.permute(0, 2, 3, 1), self.normalized_shape, self.weight, self.bias, self.eps).permute(0, 3, 1, 2)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv_dw = nn.Conv2d(c, c, 7, padding=3, groups=c)
        self.norm = nn.LayerNorm(c, eps=1e-6)
        self.fc1, self.fc2 = nn.Linear(c, 4 * c), nn.Linear(4 * c, c)
        self.gamma = nn.Parameter(torch.full((c,), 1e-6))

    def forward(self, x):
        y = self.conv_dw(x).permute(0, 2, 3, 1)
        y = self.fc2(F.gelu(self.fc1(self.norm(y)))) * self.gamma
        return x + y.permute(0, 3, 1, 2)


class ConvNeXtTower(nn.Module):
    def __init__(self, dims=(128, 256, 512, 1024), depths=(3, 3, 27, 3), embed=640):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, dims[0], 4, stride=4), LayerNorm2d(dims[0], eps=1e-6))
        stages = []
        for i, (c, d) in enumerate(zip(dims, depths)):
            down = nn.Identity() if i == 0 else nn.Sequential(LayerNorm2d(dims[i - 1], eps=1e-6), nn.Conv2d(dims[i - 1], c, 2, stride=2))
            stages.append(nn.Sequential(down, *[Block(c) for _ in range(d)]))
        self.stages = nn.Sequential(*stages)
        self.head_norm = nn.LayerNorm(dims[-1], eps=1e-6)
        self.proj = nn.Linear(dims[-1], embed, bias=False)
        self.register_buffer("mean", torch.tensor([0.48145466, 0.4578275, 0.40821073]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.26862954, 0.26130258, 0.27577711]).view(1, 3, 1, 1))

    def forward(self, x):
        x = self.stages(self.stem((x - self.mean) / self.std))
        return self.proj(self.head_norm(x.mean((2, 3))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--init", choices=["engine", "torch"], default="engine")
    ap.add_argument("--flush-denormal", action="store_true")
    ap.add_argument("--count-denormals", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.flush_denormal and not torch.set_flush_denormal(True):
        raise SystemExit("flush-to-zero is not supported on this CPU")
    torch.manual_seed(0)
    m = ConvNeXtTower().eval()
    if a.init == "engine":
        with torch.no_grad():
            for name, p in m.named_parameters():
                if name.endswith("gamma"): p.fill_(1e-6)
                elif p.dim() == 1 and name.endswith("weight"): p.fill_(1.0)
                elif name.endswith("bias"): p.zero_()
                else: p.normal_(0, 0.02)
    for p in m.parameters():
        p.requires_grad_(False)
    x = torch.rand(a.batch, 3, 224, 224)

    def fwd():
        with torch.no_grad():
            m(x)

    def fwd_bwd():
        xi = x.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(m(xi).square().sum(), xi)

    if a.count_denormals:
        tiny = torch.finfo(torch.float32).tiny
        counts = {"activations": 0, "values": 0}
        def hook(_, inputs, out):
            for t in (*inputs, out):  # inputs too: F.gelu's output is fc2's input
                if isinstance(t, torch.Tensor):
                    counts["activations"] += int(((t != 0) & (t.abs() < tiny)).sum()); counts["values"] += t.numel()
        hs = [mod.register_forward_hook(hook) for mod in m.modules()]
        xi = x.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(m(xi).square().sum(), xi)
        for h in hs: h.remove()
        print(f"subnormal floats: {counts['activations']} of {counts['values']} forward inputs+outputs of modules, "
              f"{int(((g != 0) & (g.abs() < tiny)).sum())} of {g.numel()} input-gradient values")

    for name, fn in (("forward", fwd), ("forward+backward", fwd_bwd)):
        fn()
        ts = []
        for _ in range(a.reps):
            t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
        med = statistics.median(ts)
        print(f"pytorch {torch.__version__} threads={a.threads} init={a.init} flush_denormal={a.flush_denormal} batch={a.batch} {name}: median {med*1000:.0f} ms, {a.batch/med:.2f} images/s")


if __name__ == "__main__":
    main()
