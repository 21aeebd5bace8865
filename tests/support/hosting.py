"""What a host reads from the repository: the hosted settings the Dockerfile sets."""

from tests.support import ROOT


def dockerfile_env() -> dict[str, str]:
    """The hosted settings from the Dockerfile's ENV lines (NAME=value pairs, continuations joined)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    pairs = [word for line in text.splitlines() if line.startswith("ENV ") for word in line.split()[1:]]
    env = dict(pair.split("=", 1) for pair in pairs)
    return {k: v for k, v in env.items() if k.startswith(("MNIST_LAB_", "STREAMLIT_", "TF_", "MALLOC_"))}
