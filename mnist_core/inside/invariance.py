"""Move a digit (shift, rotate, scale) and watch each model's confidence: which one breaks first."""

import math

import keras
import numpy as np
from PIL import Image

from mnist_core.i18n import N_, _, number
from mnist_core.models.inference import forward
from mnist_core.models.registry import display_name


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


MOVES = {  # kind → (label, marked N_, lowest, highest, step, untouched value, unit) for a page's slider
    "shift_x": (N_("Shift right (pixels)"), -6.0, 6.0, 1.0, 0.0, " px"),
    "shift_y": (N_("Shift down (pixels)"), -6.0, 6.0, 1.0, 0.0, " px"),
    "rotate": (N_("Rotate anticlockwise (degrees)"), -30.0, 30.0, 5.0, 0.0, "°"),
    "scale": (N_("Scale (times)"), 0.6, 1.3, 0.05, 1.0, "×"),
}


def amount(value: float, unit: str = "") -> str:
    """A move as briefly as `:g` writes it (2 px, -2.5°, 0.85×), with the language's decimal sign."""
    return number(value, len(f"{value:g}".partition(".")[2])) + unit


def holds(values: np.ndarray, p: np.ndarray, rest: float) -> float:
    """How far the digit can be moved both ways from `rest` with P(digit) ≥ 50 % all along (the smaller
    of the two reaches); 0 when the model misreads it untouched. `values` must be sorted."""
    ok, centre = p >= 0.5, int(np.abs(values - rest).argmin())
    if not ok[centre]:
        return 0.0
    right, left = centre, centre
    while right + 1 < len(values) and ok[right + 1]:
        right += 1
    while left > 0 and ok[left - 1]:
        left -= 1
    return float(min(values[right] - rest, rest - values[left]))


def verdict(plain: dict[str, float], augmented: dict[str, float], dense: str, digit: int, unit: str) -> str:
    """The conclusion the curves support: how far (`holds`) each model keeps reading `digit` when trained on
    plain digits and on moved copies, and whether the architecture, the data, both or neither helped.
    `dense` names the one model without convolutions; `unit` is the move's unit ("px", "°", "%")."""
    ranges = lambda reach: ", ".join(f"{display_name(n)} ±{amount(reach[n], unit)}" for n in reach)  # noqa: E731
    architecture = all(plain[n] > plain[dense] for n in plain if n != dense)
    data = augmented[dense] > plain[dense]
    reaches = _("Each model keeps reading {digit} (P ≥ 50 %) over — without augmentation: {plain}; with "
                "augmentation: {augmented}.").format(digit=digit, plain=ranges(plain), augmented=ranges(augmented))
    if architecture:
        design = _("Trained alike on plain digits, every convolutional model goes further than the MLP: the "
                   "architecture helps.")
    else:
        design = _("Trained alike on plain digits, not every convolutional model goes further than the MLP here: "
                   "the architecture alone does not decide.")
    if data:
        # TRANSLATORS: {augmented} and {plain} are how far the MLP reads the moved digit, e.g. "5 px" and "2 px".
        training = _("Trained on moved copies, the MLP goes ±{augmented} instead of ±{plain}: the data helps "
                     "too.").format(augmented=amount(augmented[dense], unit), plain=amount(plain[dense], unit))
    else:
        training = _("Moved copies in training did not take the MLP further here.")
    return " ".join([reaches, design, training])
