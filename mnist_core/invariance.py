"""Move a digit (shift, rotate, scale) and watch each model's confidence: which one breaks first."""

import math

import keras
import numpy as np
from PIL import Image

from mnist_core.inference import forward


def transform(image: np.ndarray, shift: tuple[float, float] = (0.0, 0.0), angle: float = 0.0,
              scale: float = 1.0) -> np.ndarray:
    """Shift by (dx, dy) pixels (right, down), rotate `angle` degrees anticlockwise and scale about
    the centre, bilinearly: (28, 28) float32 in [0, 1]."""
    image = np.asarray(image, dtype=np.float32)
    dx, dy = shift
    cos = math.cos(math.radians(angle)) / scale
    sin = math.sin(math.radians(angle)) / scale
    c = image.shape[1] / 2  # the centre, in PIL's coordinates where pixel i spans [i, i + 1)
    ox, oy = c + dx, c + dy  # where the centre lands
    # PIL asks where each output pixel comes from: input = c + R(−angle) / scale · (output − o).
    coeffs = (cos, -sin, c - cos * ox + sin * oy, sin, cos, c - sin * ox - cos * oy)
    src = Image.fromarray(image)
    out = src.transform(src.size, Image.Transform.AFFINE, coeffs, Image.Resampling.BILINEAR, fillcolor=0.0)
    return np.clip(np.asarray(out, dtype=np.float32), 0, 1)


INVARIANCE_KINDS = {
    "shift_x": lambda v: {"shift": (v, 0.0)},
    "shift_y": lambda v: {"shift": (0.0, v)},
    "rotate": lambda v: {"angle": v},
    "scale": lambda v: {"scale": v},
}


def invariance_curve(models: dict[str, keras.Model], image: np.ndarray, digit: int, kind: str,
                     values: np.ndarray) -> dict[str, np.ndarray]:
    """Each model's P(digit) as `image` is shifted, rotated or scaled by each of `values`."""
    images = np.stack([transform(image, **INVARIANCE_KINDS[kind](float(v))) for v in values])
    return {name: forward(model, images)[:, digit] for name, model in models.items()}
