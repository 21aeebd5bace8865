"""Timings of the explorer pages' core work, per shipped model: the map of digits, fooling, unit patches.

    python -m bench.explorers --digits 8 --calls 30

Targets: placing a drawing on a ready map ≤ 200 ms; one fooling search ≤ 2 s. The reference for both is
one plain forward pass of the same drawing, measured in the same run.
"""

import argparse
import statistics
import time

import numpy as np

from mnist_core import load_mnist, load_shipped_models
from mnist_core.inside.digit_map import build_map, features, place
from mnist_core.inside.fooling import fool
from mnist_core.inside.receptive_field import top_images, unit_layers
from mnist_core.models.inference import forward


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def summary(seconds: list[float]) -> str:
    ms = sorted(1000 * s for s in seconds)
    return f"median {statistics.median(ms):.1f} ms, p95 {ms[min(len(ms) - 1, round(0.95 * len(ms)))]:.1f} ms"


def bench_map(model, images, labels, calls: int) -> None:
    features(model, images[:1000])  # warm-up: the first call builds and traces the two-headed sub-model
    seconds, digit_map = timed(lambda: build_map(model, images, labels))
    print(f"  build map of {len(images):,} test digits (after a warm-up batch): {seconds:.2f} s")
    drawing = images[0].astype(np.float32) / 255
    place(digit_map, model, drawing)  # the first call builds the sub-model
    placing = [timed(lambda: place(digit_map, model, drawing))[0] for _ in range(calls)]
    plain = [timed(lambda: forward(model, drawing))[0] for _ in range(calls)]
    print(f"  place a drawing: {summary(placing)} (target <= 200 ms); one forward pass: {summary(plain)}; "
          f"ratio {statistics.median(placing) / statistics.median(plain):.2f}")


def bench_fool(model, images, labels, digits: int) -> None:
    runs = []
    for image, label in zip(images[:digits], labels[:digits], strict=True):
        drawing = image.astype(np.float32) / 255
        runs += [fool(model, drawing, None), fool(model, drawing, int(label + 1) % 10)]
    seconds = [r.seconds for r in runs]
    pixels = [len(r.pixels) for r in runs if r.fooled]
    print(f"  fool, {len(runs)} searches (away from the verdict, and towards label+1): {summary(seconds)} "
          f"(target <= 2 s); fooled {sum(r.fooled for r in runs)}/{len(runs)}, "
          f"median {statistics.median(pixels) if pixels else float('nan'):g} pixels")


def bench_units(model, images) -> None:
    for layer in (unit_layers(model)[0], unit_layers(model)[-1]):
        seconds, _ = timed(lambda layer=layer: top_images(model, layer, images))
        print(f"  nine top test patches for every unit of {layer}: {seconds:.2f} s (once per model and layer)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits", type=int, default=8, help="test digits to fool (two searches each)")
    parser.add_argument("--calls", type=int, default=30, help="placements to time")
    args = parser.parse_args()
    images, labels = load_mnist()[1]
    for name, model in load_shipped_models().items():
        print(name)
        bench_map(model, images, labels, args.calls)
        bench_fool(model, images, labels, args.digits)
        if unit_layers(model):
            bench_units(model, images)


if __name__ == "__main__":
    main()
