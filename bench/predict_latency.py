"""Latency of one drawing through all three shipped models: `predict_digit` against `model.predict`.

    python -m bench.predict_latency --calls 200

Prints medians over many calls and the ratio. Targets: predict_digit ≤ 5 ms; the Draw page's whole
path (a 280×280 canvas through MNIST-style preprocessing and the three models) ≤ 20 ms.
"""

import argparse
import statistics
import time

import numpy as np
from PIL import Image

from mnist_core import load_mnist, load_shipped_models, predict_digit
from mnist_core.drawing.prepare import canvas_to_mnist


def median_ms(fn, calls: int) -> float:
    fn()  # the first call builds the graph
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    models = load_shipped_models()
    image = load_mnist()[1][0][0].astype(np.float32) / 255  # (28, 28), the first test digit: a 7
    x = image.reshape(1, 28, 28, 1)
    ours = median_ms(lambda: predict_digit(models, image), args.calls)
    reference = median_ms(lambda: [m.predict(x, verbose=0) for m in models.values()], max(20, args.calls // 10))
    print(f"predict_digit, all three models: median {ours:.2f} ms (target <= 5 ms)")
    print(f"model.predict, all three models: median {reference:.2f} ms")
    print(f"ratio {ours / reference:.3f}")
    canvas = drawn_canvas(load_mnist()[1][0][0])
    page = median_ms(lambda: predict_digit(models, canvas_to_mnist(canvas)), args.calls)
    print(f"Draw page path, 280x280 canvas -> preprocessing -> three models: median {page:.2f} ms (target <= 20 ms)")


def drawn_canvas(digit: np.ndarray) -> np.ndarray:
    """A test digit drawn large and off-centre on a black 280×280 RGBA canvas, as the page receives it."""
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = 255
    big = np.asarray(Image.fromarray(digit).resize((180, 180), Image.Resampling.BILINEAR))
    canvas[20:200, 60:240, :3] = big[..., None]
    return canvas


if __name__ == "__main__":
    main()
