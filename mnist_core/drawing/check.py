"""What one handwritten digit looks like, measured on MNIST's 60,000 training digits: the test that a
drawing's or a photo's ink must pass before a network is asked to read it.

A network always answers; shown a dot, a blot or a strip it still names a digit, often at 100 %.
The measurements take ink = pixel > 5 of 255 (INK_THRESHOLD), the box = the ink's bounding box
and its side = the box's longer side. tests/core/test_preprocess.py replays all 60,000 digits as the oracle.
"""

import numpy as np

from mnist_core.i18n import _, number, percent

INK_THRESHOLD = 0.02  # fainter pixels are not ink: MNIST's own boxes take every non-zero pixel,
                      # and 5/255 keeps 99 % of its digits fixed points of the MNIST-style fit
MIN_SIDE = 5          # every MNIST box side is 19 or 20 px; a box under 5 px would have to be
                      # enlarged more than 4× to reach them (preprocess.MAX_ENLARGE)
MIN_THIN = 2          # every MNIST box is at least 2 px across, even the thinnest 1: a 1-px line is a hairline
DOT_SHARE = 0.18      # canvas only: MNIST's boxes span 19-20 of 28 px (0.68-0.71 of the frame); the
                      # Draw page's widest pen (40 px of 280) makes a 41-px dot (0.146): under 0.18 is a dot
WIDE_MAX = 4.0        # the widest MNIST box is 2.22 times as wide as tall (a flat 2); a strip is wider
SOLID_MAX = 0.9       # ink pixels / side²: at most 0.8775 in MNIST (one blotted 0; the next 0.815,
                      # median 0.37), 0.875 for that 0 redrawn 10× on a canvas; a fully inked canvas is 1


class NotADigit(ValueError):
    """There is ink, but it cannot be one digit (a dot, a strip, a blot); the message is one sentence."""


def digit_problem(ink: np.ndarray, min_share: float = 0.0) -> str | None:
    """(H, W) ink in [0, 1] → one sentence saying why it cannot be a digit; None if it can or is blank.

    `min_share`: the least part of the picture's longer side that the box must span (a canvas's
    DOT_SHARE; 0 for a photo, which may show a small digit on a large page)."""
    mask = ink > INK_THRESHOLD                                                # (H, W)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    height, width = int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)
    side = max(height, width)
    if side < MIN_SIDE:
        return _("This is only a speck of ink ({width}×{height} pixels), too small to be a digit.").format(
            width=width, height=height)
    if min(height, width) < MIN_THIN:
        return _("This is a hairline ({width}×{height} pixels), too thin to be a digit.").format(
            width=width, height=height)
    if side < min_share * max(ink.shape):
        return _("This is only a dot: draw one digit that spans at least {share} of the canvas.").format(
            share=percent(min_share, 0))
    if width > WIDE_MAX * height:
        # TRANSLATORS: {ratio} is a whole number such as 6.
        return _("This is a flat strip of ink, {ratio} times as wide as it is tall, not a digit.").format(
            ratio=number(width / height, 0))
    solid = float(mask.sum()) / side ** 2
    if solid > SOLID_MAX:
        return _("The ink covers {share} of the square it spans: a blot, not a digit.").format(share=percent(solid, 0))
    return None


def check_digit(ink: np.ndarray, min_share: float = 0.0) -> np.ndarray:
    """The ink itself if it is blank or may be a digit; NotADigit with digit_problem's sentence otherwise."""
    problem = digit_problem(ink, min_share)
    if problem is not None:
        raise NotADigit(problem)
    return ink
