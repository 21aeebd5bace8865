"""Occlusion saliency: hide a small patch of the digit, see how far a digit's probability drops.

It needs only forward passes, the same on every Keras backend, and its answer ("this ink
mattered") is easy to explain on a page.
"""

import functools
from dataclasses import dataclass

import keras
import numpy as np

from mnist_core.i18n import _
from mnist_core.models.inference import forward
from mnist_core.models.registry import display_name
from mnist_core.models.shipped import percent


@functools.lru_cache(maxsize=8)
def _occlusions(patch: int, stride: int, n: int = 28) -> tuple[np.ndarray, np.ndarray]:
    """Masks (P, n, n) that are 0 inside each patch position, and how often each pixel is hidden."""
    starts = sorted(set(range(0, n - patch + 1, stride)) | {n - patch})  # reach the last row too
    masks = np.ones((len(starts) ** 2, n, n), dtype=np.float32)
    for i, (r, c) in enumerate((r, c) for r in starts for c in starts):
        masks[i, r:r + patch, c:c + patch] = 0
    return masks, (1 - masks).sum(axis=0)


@dataclass(frozen=True)
class Occlusion:
    """How hiding parts of a digit changes a model's probability for one digit, on an absolute scale."""

    heat: np.ndarray      # (28, 28): mean drop in P(digit) over the patches that hid each pixel, in [0, 1]
    before: float         # P(digit) on the untouched image
    after: float          # P(digit) with the most damaging patch hidden
    worst: tuple[int, int]  # that patch's top-left pixel (row, column)


def saliency(model: keras.Model, image: np.ndarray, digit: int, patch: int = 5, stride: int = 1) -> Occlusion:
    """Where the evidence for `digit` lies, by occlusion, as probability drops (not rescaled).

    Each patch position is blacked out (0 is MNIST's background, so this erases ink), and every
    pixel scores the mean drop in P(digit) over the patches that hid it; rises count as 0. All
    occluded copies (576 for 5×5, stride 1) go through the model in one batch. Drops are kept as
    they are, so that maps of different models share one scale: 0.9 means P fell by 90 points.
    """
    masks, hidden = _occlusions(patch, stride)
    image = np.asarray(image, dtype=np.float32)
    probs = forward(model, np.concatenate([image[None], image * masks]))[:, digit]
    drops = np.clip(probs[0] - probs[1:], 0, None)  # (P,)
    heat = np.einsum("p,phw->hw", drops, 1 - masks) / np.maximum(hidden, 1)  # stride > patch skips pixels
    worst = int(probs[1:].argmin())
    rows, cols = np.nonzero(masks[worst] == 0)
    return Occlusion(heat, float(probs[0]), float(probs[1 + worst]), (int(rows.min()), int(cols.min())))


def what_hiding_does(name: str, digit: int, found: Occlusion, patch: int) -> str:
    """The caption under a saliency map: which square lowers P(digit) most, and from what to what, with the
    probabilities rounded as the verdict cards round them; when no square changes it as far as that rounding
    shows (a blank map), it says so instead of naming a square."""
    before, after = percent(found.before), percent(found.after)
    if before == after:
        # TRANSLATORS: {model} comes first, followed by a colon; {before} is a probability such as 97.3% or <0.1%.
        return _("{model}: hiding any {patch}×{patch} square leaves P({digit}) at {before}").format(
            model=display_name(name), patch=patch, digit=digit, before=before)
    row, col = found.worst
    # TRANSLATORS: {model} comes first, followed by a colon; {before} and {after} are probabilities such as 97.3%.
    return _("{model}: hiding the {patch}×{patch} square at row {row}, column {col} lowers P({digit}) from {before} "
             "to {after}").format(model=display_name(name), patch=patch, row=row, col=col, digit=digit,
                                  before=before, after=after)


def erase(image: np.ndarray, strokes: np.ndarray) -> np.ndarray:
    """The (28, 28) digit with the learner's eraser strokes painted black (MNIST's background).

    `strokes` is the eraser canvas's (H, W, 4) RGBA, drawn over an enlarged copy of the digit: wherever it
    is opaque the ink goes, in proportion to how much of each of the digit's pixels it covers.
    """
    side = image.shape[0]
    h, w = strokes.shape[:2]
    alpha = strokes[..., 3].astype(np.float32) / 255                                # (H, W)
    covered = alpha[: h - h % side, : w - w % side].reshape(side, h // side, side, w // side).mean(axis=(1, 3))
    return np.asarray(image, dtype=np.float32) * (1 - covered)                        # (28, 28)
