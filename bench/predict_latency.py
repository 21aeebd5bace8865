"""Latency of one drawing through every shipped model: `predict_digit` against `model.predict`.

    python -m bench.predict_latency --calls 200

Prints medians over many calls and the ratio. Targets: predict_digit ≤ 5 ms; the Draw page's whole
path (a 280×280 canvas through MNIST-style preprocessing and every model) ≤ 20 ms.
"""

import argparse
import statistics
import time

import numpy as np
from PIL import Image

from bench.record import Figure
from mnist_core import load_mnist, load_shipped_models, predict_digit
from mnist_core.drawing.prepare import canvas_to_mnist

TARGETS = {"predict_digit": "<= 5 ms", "draw_page_path": "<= 20 ms"}


def median_ms(fn, calls: int) -> float:
    fn()  # the first call builds the graph
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def parser() -> argparse.ArgumentParser:
    """Its options (also `python -m bench run NAME -- --help`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    return parser


def main(argv: list[str] | None = None) -> dict[str, Figure]:
    """Print and return the medians: predict_digit, model.predict, their ratio, the Draw page's path."""
    args = parser().parse_args(argv)
    models = load_shipped_models()
    image = load_mnist()[1][0][0].astype(np.float32) / 255  # (28, 28), the first test digit: a 7
    x = image.reshape(1, 28, 28, 1)
    ours = median_ms(lambda: predict_digit(models, image), args.calls)
    reference = median_ms(lambda: [m.predict(x, verbose=0) for m in models.values()], max(20, args.calls // 10))
    print(f"predict_digit, all {len(models)} models: median {ours:.2f} ms (target {TARGETS['predict_digit']})")
    print(f"model.predict, all {len(models)} models: median {reference:.2f} ms")
    print(f"ratio {ours / reference:.3f}")
    canvas = drawn_canvas(load_mnist()[1][0][0])
    page = median_ms(lambda: predict_digit(models, canvas_to_mnist(canvas)), args.calls)
    print(f"Draw page path, 280x280 canvas -> preprocessing -> {len(models)} models: median {page:.2f} ms "
          f"(target {TARGETS['draw_page_path']})")
    return {"predict_digit": Figure(ours, "ms", TARGETS["predict_digit"]), "model_predict": Figure(reference, "ms"),
            "predict_digit_over_model_predict": Figure(ours / reference),
            "draw_page_path": Figure(page, "ms", TARGETS["draw_page_path"])}


def drawn_canvas(digit: np.ndarray) -> np.ndarray:
    """A test digit drawn large and off-centre on a black 280×280 RGBA canvas, as the page receives it."""
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = 255
    big = np.asarray(Image.fromarray(digit).resize((180, 180), Image.Resampling.BILINEAR))
    canvas[20:200, 60:240, :3] = big[..., None]
    return canvas


if __name__ == "__main__":
    main()
