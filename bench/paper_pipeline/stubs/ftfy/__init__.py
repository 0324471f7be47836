"""STUB for the benchmark (bench/paper_pipeline), not the real ftfy: open_clip's tokenizer imports ftfy at module
load; the image path never calls it. Text is returned unchanged."""


def fix_text(text, *args, **kwargs):
    return text
