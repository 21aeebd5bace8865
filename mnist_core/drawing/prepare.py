"""Drawings and uploads → 28×28 images made the way MNIST's were, so the networks see familiar input.

MNIST's digits were cropped to their ink, shrunk with anti-aliasing until the longer side filled a
20×20 box (aspect ratio kept) and pasted into a 28×28 field with the centre of mass at the centre.
In the official arrays that centre lies at row and column 14.0 ± 0.5 (0-based pixel indices; the
spread comes from whole-pixel shifts), so we shift by whole pixels to put it at 14 too.
"""

import numpy as np
from PIL import Image

from mnist_core.drawing.check import INK_THRESHOLD, MIN_SIDE, check_digit
from mnist_core.drawing.decode import UploadError, load_upload
from mnist_core.models.inference import SIDE

# Bytes are decoded in image_bytes; UploadError and load_upload stay importable from here for the pages.
__all__ = ["UploadError", "canvas_to_mnist", "image_to_mnist", "load_upload", "plain_resize"]

BOX = 20                   # the longer side of every digit in MNIST
CENTRE = 14.0              # where MNIST's centres of mass sit, see the module docstring
MAX_ENLARGE = BOX / MIN_SIDE  # 4×: MNIST only ever shrank; blowing up a dot 20× would make a block
WORK_SIDE = 1024           # photos are shrunk to this first: plenty for one digit, and fast
FIT_SIDE = 64              # the paper's lighting is fitted on a copy this small: smooth, and fast
FIT_ROUNDS = 4             # refits, each on the pixels that still look like paper
NOISE_SIGMAS = 5           # ink starts this many noise σ above the paper: no stray specks
PAPER_SIGMAS = 3           # a pixel further than this above the paper's fit is not paper
MIN_CONTRAST = 0.15        # ink must stand out this far above that floor, or the paper is blank
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32) / (255 * 255)  # ITU-R 601 weights / 255²


def canvas_to_mnist(rgba: np.ndarray, pen: float | None = None) -> np.ndarray | None:
    """A canvas's (H, W, 4) uint8 RGBA → (28, 28) float32 in [0, 1] the MNIST way; None if blank.

    Raises NotADigit when the ink cannot be a digit; `pen`, the pen's width in the canvas's pixels, tells a
    dot from a small digit (check.DOT_PENS)."""
    return _mnist_from_ink(check_digit(_canvas_ink(rgba), pen))


def plain_resize(rgba: np.ndarray, pen: float | None = None) -> np.ndarray | None:
    """The naive way, only for comparison: the whole canvas shrunk to 28×28, no crop, no centring.

    None if blank; NotADigit as canvas_to_mnist."""
    ink = check_digit(_canvas_ink(rgba), pen)                           # (H, W)
    return None if ink.max() <= INK_THRESHOLD else np.clip(_resize(ink, SIDE, SIDE), 0.0, 1.0)


def image_to_mnist(image: Image.Image) -> np.ndarray | None:
    """A photo or scan of one digit → (28, 28) float32 in [0, 1] the MNIST way; None if no ink.

    Raises NotADigit when the ink cannot be a digit."""
    gray = _smooth(_grayscale(image))                                         # (H, W) in [0, 1]
    if _paper_is_light(gray):
        gray = 1.0 - gray  # bright ink on dark paper from here on
    return _mnist_from_ink(check_digit(_level(gray)))


def _canvas_ink(rgba: np.ndarray) -> np.ndarray:
    """Ink = luminance × alpha, so untouched transparent pixels (0, 0, 0, 0) count as no ink."""
    if not (isinstance(rgba, np.ndarray) and rgba.dtype == np.uint8 and rgba.ndim == 3
            and rgba.shape[2] == 4 and rgba.shape[0] >= 1 and rgba.shape[1] >= 1):
        shape, dtype = getattr(rgba, "shape", None), getattr(rgba, "dtype", type(rgba).__name__)
        raise ValueError(f"Expected an (H, W, 4) uint8 RGBA array, got {dtype} with shape {shape}.")
    return _over(rgba, backdrop=0.0)


def _over(rgba: np.ndarray, backdrop: float) -> np.ndarray:
    """(H, W, 4) uint8 → (H, W) float32 luminance in [0, 1], laid over a grey (0 black, 1 white)."""
    lit = (rgba[..., :3] @ _LUMA) * rgba[..., 3]                              # (H, W)
    return lit if backdrop == 0 else lit + backdrop * (1 - rgba[..., 3] / np.float32(255))


def _grayscale(image: Image.Image) -> np.ndarray:
    """Any PIL mode → (H, W) float32 in [0, 1], at most WORK_SIDE, transparency on a backdrop."""
    deep = image.mode in ("I", "F") or image.mode.startswith("I;")
    image = image.convert("F" if deep else "RGBA")  # a copy; convert("L") would clip 16-bit values
    if max(image.size) > WORK_SIDE:
        image.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BOX)
    pixels = np.asarray(image)
    if deep:
        return np.clip(pixels / max(float(pixels.max()), 1e-6), 0.0, 1.0)
    return _over(pixels, backdrop=_backdrop(pixels))


def _backdrop(rgba: np.ndarray) -> float:
    """White behind dark strokes (a transparent scan), black behind light ones (a canvas export)."""
    coverage = float(rgba[..., 3].sum()) / 255
    return 0.0 if float(_over(rgba, 0.0).sum()) > 0.5 * coverage else 1.0


def _paper_is_light(gray: np.ndarray) -> bool:
    """The picture's outermost pixels are paper, even in a tight crop: a digit touches its box's edges
    only here and there (in 99.9 % of MNIST's tightly cropped digits most of that ring is paper, while
    5 % are mostly ink inside), so the ring, not the majority of pixels, says which side is paper."""
    low, high = np.percentile(gray, [0.1, 99.9])
    return float(np.median(_ring(gray))) > (low + high) / 2


def _ring(image: np.ndarray) -> np.ndarray:
    """(H, W) → its outermost pixels, flattened."""
    return np.concatenate([image[0], image[-1], image[1:-1, 0], image[1:-1, -1]])


def _level(gray: np.ndarray) -> np.ndarray:
    """Bright ink on unevenly lit dark paper → ink in [0, 1] on paper at 0, noise floor removed."""
    paper = _paper_level(gray)                                                # (H, W)
    excess = gray - paper  # its noise is alike everywhere, so one floor fits the whole picture
    median, sigma = _paper_spread(excess, _ring(excess))
    floor = median + NOISE_SIGMAS * sigma
    # Shadows dim ink and paper alike, so the ink is measured relative to the light falling there.
    ink = np.clip(excess - floor, 0.0, None) / np.maximum(1.0 - paper, 0.1)  # (H, W)
    peak = float(ink.max())
    return np.zeros_like(ink) if peak < MIN_CONTRAST else np.clip(ink / peak, 0.0, 1.0)


def _paper_spread(values: np.ndarray, start: np.ndarray | None = None) -> tuple[float, float]:
    """The paper's level and noise σ among `values`, refined from `start` (all values if None), a
    sample of mostly paper.

    Ink only ever lies above the paper, so σ comes from the lower half alone (median − lower
    quartile = 0.6745 σ): ink in the sample, up to half of it, barely moves it."""
    sample = values if start is None else start
    for _ in range(FIT_ROUNDS):
        median, quartile = np.percentile(sample, [50, 25])
        sigma = float(median - quartile) / 0.6745
        sample = values[values <= median + PAPER_SIGMAS * sigma]
    return float(median), sigma


def _smooth(gray: np.ndarray) -> np.ndarray:
    """(H, W) → its 3×3 running mean: a third of the pixel noise, strokes untouched at 20 px."""
    padded = np.pad(gray, 1, mode="edge")                                     # (H + 2, W + 2)
    rows = (padded[:-2] + padded[1:-1] + padded[2:]) / 3                      # (H, W + 2)
    return (rows[:, :-2] + rows[:, 1:-1] + rows[:, 2:]) / 3


def _paper_level(gray: np.ndarray) -> np.ndarray:
    """(H, W) bright ink on dark paper → the paper's level: a quadratic surface fitted around the ink,
    first to the darker half of the picture's edge (paper, even where a tight crop's ink touches
    it), then to every pixel within PAPER_SIGMAS of the paper: ink may be most of the picture."""
    h, w = gray.shape
    scale = min(1.0, FIT_SIDE / max(h, w))
    small = _resize(gray, max(1, round(h * scale)), max(1, round(w * scale)))  # (h', w')
    y, x = np.mgrid[-1:1:small.shape[0] * 1j, -1:1:small.shape[1] * 1j]
    basis = np.stack([np.ones_like(x), y, x, y * y, x * y, x * x], axis=-1).reshape(-1, 6)
    edge = np.ones(small.shape, dtype=bool)
    edge[1:-1, 1:-1] = False
    values, edge = small.ravel(), edge.ravel()
    paper = edge
    for round_ in range(2 * FIT_ROUNDS):
        residual = values - basis @ np.linalg.lstsq(basis[paper], values[paper], rcond=None)[0]
        if round_ < FIT_ROUNDS:
            paper = edge & (residual <= np.median(residual[edge]))
        else:
            median, sigma = _paper_spread(residual, residual[edge])
            paper = residual <= median + PAPER_SIGMAS * sigma
    return _resize((values - residual).reshape(small.shape).astype(np.float32), h, w)


def _mnist_from_ink(ink: np.ndarray) -> np.ndarray | None:
    """(H, W) ink in [0, 1] → crop to the ink, fit the 20×20 box, centre by mass in 28×28."""
    rows = np.flatnonzero((ink > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((ink > INK_THRESHOLD).any(axis=0))
    if rows.size == 0:
        return None
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]                     # (h, w)
    scale = min(BOX / max(crop.shape), MAX_ENLARGE)
    digit = _resize(crop, max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale)))
    digit = np.clip(digit / digit.max(), 0.0, 1.0)  # a thin stroke shrinks to grey; MNIST ink peaks at 1
    return _paste_centred(digit)


def _paste_centred(digit: np.ndarray) -> np.ndarray:
    """(h, w) with h, w ≤ 20 → (28, 28) with its centre of mass at (14, 14), whole-pixel shift."""
    h, w = digit.shape
    mass = digit.sum()
    cy = float(digit.sum(axis=1) @ np.arange(h)) / mass
    cx = float(digit.sum(axis=0) @ np.arange(w)) / mass
    top = min(max(round(CENTRE - cy), 0), SIDE - h)  # clamped: the digit never leaves the field
    left = min(max(round(CENTRE - cx), 0), SIDE - w)
    field = np.zeros((SIDE, SIDE), dtype=np.float32)
    field[top:top + h, left:left + w] = digit
    return field


def _resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """(H, W) float32 → (height, width): area averaging to shrink (thin strokes keep their ink)."""
    enlarging = height > image.shape[0] or width > image.shape[1]
    method = Image.Resampling.BILINEAR if enlarging else Image.Resampling.BOX
    return np.asarray(Image.fromarray(image.astype(np.float32)).resize((width, height), method))
