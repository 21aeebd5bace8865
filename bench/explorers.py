"""Timings of the explorer pages' core work, per shipped model: the map of digits, fooling, unit patches.

    python -m bench.explorers --digits 8 --calls 30

Targets: placing a drawing on a ready map ≤ 200 ms; one fooling search ≤ 2 s. The reference for both is
one plain forward pass of the same drawing, measured in the same run.
"""

import argparse
import statistics
import time

import numpy as np

from bench.record import Figure
from mnist_core import load_mnist, load_shipped_models
from mnist_core.inside.digit_map import build_map, features, place
from mnist_core.inside.fooling import fool
from mnist_core.inside.receptive_field import top_images, unit_layers
from mnist_core.models.inference import forward

TARGETS = {"place_median": "<= 200 ms", "fool_p95": "<= 2 s"}


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def p95(values: list[float]) -> float:
    """The 95th percentile, as the nearest value."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)))]


def summary(seconds: list[float]) -> str:
    ms = [1000 * s for s in seconds]
    return f"median {statistics.median(ms):.1f} ms, p95 {p95(ms):.1f} ms"


def bench_map(model, images, labels, calls: int) -> dict[str, Figure]:
    """Build the map of the test digits, then time placing one drawing on it against a forward pass."""
    features(model, images[:1000])  # warm-up: the first call builds and traces the two-headed sub-model
    seconds, digit_map = timed(lambda: build_map(model, images, labels))
    print(f"  build map of {len(images):,} test digits (after a warm-up batch): {seconds:.2f} s")
    drawing = images[0].astype(np.float32) / 255
    place(digit_map, model, drawing)  # the first call builds the sub-model
    placing = [timed(lambda: place(digit_map, model, drawing))[0] for _ in range(calls)]
    plain = [timed(lambda: forward(model, drawing))[0] for _ in range(calls)]
    ratio = statistics.median(placing) / statistics.median(plain)
    print(f"  place a drawing: {summary(placing)} (target {TARGETS['place_median']}); one forward pass: "
          f"{summary(plain)}; ratio {ratio:.2f}")
    return {"build_map": Figure(seconds, "s"),
            "place_median": Figure(1000 * statistics.median(placing), "ms", TARGETS["place_median"]),
            "forward_median": Figure(1000 * statistics.median(plain), "ms"), "place_over_forward": Figure(ratio)}


def bench_fool(model, images, labels, digits: int) -> dict[str, Figure]:
    """Two fooling searches per test digit: away from its verdict and towards label + 1."""
    runs = []
    for image, label in zip(images[:digits], labels[:digits], strict=True):
        drawing = image.astype(np.float32) / 255
        runs += [fool(model, drawing, None), fool(model, drawing, int(label + 1) % 10)]
    seconds = [r.seconds for r in runs]
    pixels = [len(r.pixels) for r in runs if r.fooled]
    print(f"  fool, {len(runs)} searches (away from the verdict, and towards label+1): {summary(seconds)} "
          f"(target {TARGETS['fool_p95']}); fooled {sum(r.fooled for r in runs)}/{len(runs)}, "
          f"median {statistics.median(pixels) if pixels else float('nan'):g} pixels")
    return {"fool_median": Figure(statistics.median(seconds), "s"), "fool_p95": Figure(p95(seconds), "s",
            TARGETS["fool_p95"]), "fooled_share": Figure(sum(r.fooled for r in runs) / len(runs))}


def bench_units(model, images) -> dict[str, Figure]:
    """The nine top test patches for every unit of the first and the last unit layer."""
    figures = {}
    for which, layer in (("first", unit_layers(model)[0]), ("last", unit_layers(model)[-1])):
        seconds, _ = timed(lambda layer=layer: top_images(model, layer, images))
        print(f"  nine top test patches for every unit of {layer}: {seconds:.2f} s (once per model and layer)")
        figures[f"top_patches_{which}_layer"] = Figure(seconds, "s")
    return figures


def parser() -> argparse.ArgumentParser:
    """Its options (also `python -m bench run NAME -- --help`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits", type=int, default=8, help="test digits to fool (two searches each)")
    parser.add_argument("--calls", type=int, default=30, help="placements to time")
    return parser


def main(argv: list[str] | None = None) -> dict[str, Figure]:
    """Print and return each shipped model's timings, named `<model>.<figure>`."""
    args = parser().parse_args(argv)
    images, labels = load_mnist()[1]
    figures = {}
    for name, model in load_shipped_models().items():
        print(name)
        mine = {**bench_map(model, images, labels, args.calls), **bench_fool(model, images, labels, args.digits)}
        if unit_layers(model):
            mine.update(bench_units(model, images))
        figures.update({f"{name}.{key}": figure for key, figure in mine.items()})
    return figures


if __name__ == "__main__":
    main()
