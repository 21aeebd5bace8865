"""Drawings and uploads → 28×28 images made the way MNIST's were, so the networks see familiar input.

MNIST's digits were cropped to their ink, shrunk with anti-aliasing until the longer side filled a
20×20 box (aspect ratio kept) and pasted into a 28×28 field with the centre of mass at the centre.
In the official arrays that centre lies at row and column 14.0 ± 0.5 (0-based pixel indices; the
spread comes from whole-pixel shifts), so we shift by whole pixels to put it at 14 too.
"""

import io
import math

import numpy as np
from PIL import Image, ImageOps

FIELD = 28                 # MNIST's image side
BOX = 20                   # the longer side of every digit in MNIST
CENTRE = 14.0              # where MNIST's centres of mass sit, see the module docstring
INK_THRESHOLD = 0.02       # fainter pixels do not widen the crop; MNIST's own boxes take every
                           # non-zero pixel, and 5/255 keeps 99 % of its digits fixed points
MAX_ENLARGE = 4.0          # MNIST only ever shrank; blowing up a dot 20× would turn it into a block
WORK_SIDE = 1024           # photos are shrunk to this first: plenty for one digit, and fast
FIT_SIDE = 64              # the paper's lighting is fitted on a copy this small: smooth, and fast
FIT_ROUNDS = 3             # refits, each on the darker half of the pixels (ink is a minority)
NOISE_SIGMAS = 5           # ink starts this many noise σ above the paper: no stray specks
MIN_CONTRAST = 0.15        # ink must stand out this far above that floor, or the paper is blank
MAX_PIXELS = 4096 * 4096  # below PIL's bomb warning (89 Mpx), so no warnings filter (global, not
                          # thread-safe) is needed: bigger headers are refused before decoding
UPLOAD_FORMATS = ("PNG", "JPEG")
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32) / (255 * 255)  # ITU-R 601 weights / 255²


class UploadError(ValueError):
    """An upload cannot be used; the message is one sentence meant for the user."""


def canvas_to_mnist(rgba: np.ndarray) -> np.ndarray | None:
    """A canvas's (H, W, 4) uint8 RGBA → (28, 28) float32 in [0, 1] the MNIST way; None if blank."""
    return _mnist_from_ink(_canvas_ink(rgba))


def plain_resize(rgba: np.ndarray) -> np.ndarray | None:
    """The naive way, only for comparison: the whole canvas shrunk to 28×28, no crop, no centring."""
    ink = _canvas_ink(rgba)                                                   # (H, W)
    if ink.max() <= INK_THRESHOLD:
        return None
    return np.clip(_resize(ink, FIELD, FIELD), 0.0, 1.0)


def image_to_mnist(image: Image.Image) -> np.ndarray | None:
    """A photo or scan of one digit → (28, 28) float32 in [0, 1] the MNIST way; None if no ink."""
    gray = _smooth(_grayscale(image))                                         # (H, W) in [0, 1]
    low, high = np.percentile(gray, [0.1, 99.9])
    if np.median(gray) > (low + high) / 2:  # the paper, most pixels, is light: flip to bright ink
        gray = 1.0 - gray
    return _mnist_from_ink(_level(gray))


def load_upload(data: bytes, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Open uploaded bytes as a fully decoded, upright PNG or JPEG; any problem → UploadError."""
    try:
        image = Image.open(io.BytesIO(data), formats=UPLOAD_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:  # the warning: under -W error
        raise UploadError(f"This image is far too large; the limit is {_limit(max_pixels)}.") from err
    except Exception as err:
        raise UploadError("This file is not a PNG or JPEG image.") from err
    width, height = image.size  # read from the header: no pixel is decoded yet
    if width * height > max_pixels:
        raise UploadError(f"This image is {width}×{height} pixels; the limit is {_limit(max_pixels)}.")
    try:
        image.load()
        return ImageOps.exif_transpose(image)  # phones store photos sideways plus a rotation tag
    except Exception as err:
        raise UploadError("This image is damaged or incomplete.") from err


def _limit(max_pixels: int) -> str:
    side = math.isqrt(max_pixels)
    return f"{side}×{side} pixels" if side * side == max_pixels else f"{max_pixels:,} pixels"


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


def _level(gray: np.ndarray) -> np.ndarray:
    """Bright ink on unevenly lit dark paper → ink in [0, 1] on paper at 0, noise floor removed."""
    paper = _paper_level(gray)                                                # (H, W)
    excess = gray - paper  # its noise is alike everywhere, so one floor fits the whole picture
    median = float(np.median(excess))
    floor = median + NOISE_SIGMAS * 1.4826 * float(np.median(np.abs(excess - median)))  # MAD → σ
    # Shadows dim ink and paper alike, so the ink is measured relative to the light falling there.
    ink = np.clip(excess - floor, 0.0, None) / np.maximum(1.0 - paper, 0.1)  # (H, W)
    peak = float(ink.max())
    return np.zeros_like(ink) if peak < MIN_CONTRAST else np.clip(ink / peak, 0.0, 1.0)


def _smooth(gray: np.ndarray) -> np.ndarray:
    """(H, W) → its 3×3 running mean: a third of the pixel noise, strokes untouched at 20 px."""
    padded = np.pad(gray, 1, mode="edge")                                     # (H + 2, W + 2)
    rows = (padded[:-2] + padded[1:-1] + padded[2:]) / 3                      # (H, W + 2)
    return (rows[:, :-2] + rows[:, 1:-1] + rows[:, 2:]) / 3


def _paper_level(gray: np.ndarray) -> np.ndarray:
    """(H, W) bright ink on dark paper → the paper's level: a quadratic surface fitted around the ink."""
    h, w = gray.shape
    scale = min(1.0, FIT_SIDE / max(h, w))
    small = _resize(gray, max(1, round(h * scale)), max(1, round(w * scale)))  # (h', w')
    y, x = np.mgrid[-1:1:small.shape[0] * 1j, -1:1:small.shape[1] * 1j]
    basis = np.stack([np.ones_like(x), y, x, y * y, x * y, x * x], axis=-1).reshape(-1, 6)
    values, paper = small.ravel(), np.ones(small.size, dtype=bool)
    for _ in range(FIT_ROUNDS):
        fit = basis @ np.linalg.lstsq(basis[paper], values[paper], rcond=None)[0]
        paper = values - fit <= np.median(values - fit)
    return _resize(fit.reshape(small.shape).astype(np.float32), h, w)


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
    top = min(max(round(CENTRE - cy), 0), FIELD - h)  # clamped: the digit never leaves the field
    left = min(max(round(CENTRE - cx), 0), FIELD - w)
    field = np.zeros((FIELD, FIELD), dtype=np.float32)
    field[top:top + h, left:left + w] = digit
    return field


def _resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """(H, W) float32 → (height, width): area averaging to shrink (thin strokes keep their ink)."""
    enlarging = height > image.shape[0] or width > image.shape[1]
    method = Image.Resampling.BILINEAR if enlarging else Image.Resampling.BOX
    return np.asarray(Image.fromarray(image.astype(np.float32)).resize((width, height), method))
