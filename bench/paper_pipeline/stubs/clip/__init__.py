"""STUB for the benchmark (bench/paper_pipeline), not OpenAI's clip package: the paper's utils_perceptual_models
imports it for --source clip, which the benchmark never uses."""


def load(*args, **kwargs):
    raise RuntimeError("OpenAI 'clip' is a stub in bench/paper_pipeline/stubs; the benchmark uses open_clip only")
