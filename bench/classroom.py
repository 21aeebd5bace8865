"""Classroom timings: saving one drawing (a committed, fsynced transaction) and scoring a class.

    python -m bench.classroom --drawings 500 --url sqlite:////tmp/bench-class.sqlite

Prints the median and p95 of `add_drawing` (SQLite WAL with synchronous=FULL by default, or any
SQLAlchemy URL), reading the class back, and scoring its drawings with every shipped model;
the reference is `evaluate_model` on the same number of MNIST test digits, measured in the same run.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.record import Figure
from mnist_core import evaluate_model, load_mnist, load_shipped_models
from mnist_core.classroom.rules import new_secret
from mnist_core.classroom.scoring import score_class
from mnist_core.classroom.store import ClassroomStore


def timed(fn, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - start))
    return times


def summary(times: list[float]) -> str:
    return f"median {statistics.median(times):.2f} ms, p95 {np.percentile(times, 95):.2f} ms"


def parser() -> argparse.ArgumentParser:
    """Its options (also `python -m bench run NAME -- --help`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drawings", type=int, default=500)
    parser.add_argument("--url", help="a SQLAlchemy URL; default: a fresh SQLite file in a temporary folder")
    parser.add_argument("--repeats", type=int, default=5)
    return parser


def figures(times: list[float], name: str) -> dict[str, Figure]:
    """The median and p95 of `times` (ms) as figures `<name>_median` and `<name>_p95`."""
    return {f"{name}_median": Figure(statistics.median(times), "ms"),
            f"{name}_p95": Figure(float(np.percentile(times, 95)), "ms")}


def main(argv: list[str] | None = None) -> dict[str, Figure]:
    """Print and return add_drawing's, reading back's and scoring's median and p95, and scoring's reference."""
    args = parser().parse_args(argv)
    folder = tempfile.mkdtemp()
    store = ClassroomStore(args.url or f"sqlite:///{Path(folder) / 'bench.sqlite'}",
                           visitor_cap=args.drawings, class_cap=args.drawings)
    images, labels = load_mnist()[1]
    images, labels = images[:args.drawings], labels[:args.drawings]
    code, key = store.open_class(1)
    visitor, floats = new_secret(), images.astype(np.float32) / 255
    adds = [timed(lambda i=i: store.add_drawing(code, visitor, floats[i], int(labels[i])), 1)[0]
            for i in range(args.drawings)]
    print(f"add_drawing ({store.engine.dialect.name}), {args.drawings} drawings: {summary(adds)}")
    reads = timed(lambda: store.drawings(code), args.repeats)
    print(f"read the class back ({args.drawings} drawings): {summary(reads)}")
    models = load_shipped_models()
    score_class(models, *store.drawings(code))  # the first call builds each model's graph
    ours, reference = [], []
    for _ in range(args.repeats):  # interleaved, so that a busy machine slows both alike
        ours += timed(lambda: score_class(models, *store.drawings(code)), 1)
        reference += timed(lambda: [evaluate_model(m, images, labels) for m in models.values()], 1)
    print(f"read + score a class of {args.drawings} with {len(models)} models: {summary(ours)}")
    print(f"reference, evaluate_model on {args.drawings} MNIST digits with the same models: {summary(reference)}")
    print(f"ratio {statistics.median(ours) / statistics.median(reference):.3f}")
    store.delete_class(code, key)
    return {**figures(adds, "add_drawing"), **figures(reads, "read_class"), **figures(ours, "score_class"),
            **figures(reference, "evaluate_model"),
            "score_over_evaluate": Figure(statistics.median(ours) / statistics.median(reference))}


if __name__ == "__main__":
    main()
