"""What one handwritten digit looks like, measured on MNIST's 60,000 training digits: the test that a
drawing's or a photo's ink must pass before a network is asked to read it.

A network always answers; shown a dot, a blot or a strip it still names a digit, often at 100 %.
The measurements take ink = pixel > 5 of 255 (INK_THRESHOLD), the box = the ink's bounding box
and its side = the box's longer side. tests/core/test_preprocess.py replays all 60,000 digits as the oracle.
Every rule is about the ink's own shape, never its share of the picture: a small digit on a large
canvas (or a page) is still a digit, and the canvas may have any size.
"""

import numpy as np

from mnist_core.i18n import _, integer, number, percent

INK_THRESHOLD = 0.02  # fainter pixels are not ink: MNIST's own boxes take every non-zero pixel,
                      # and 5/255 keeps 99 % of its digits fixed points of the MNIST-style fit
MIN_SIDE = 5          # every MNIST box side is 19 or 20 px; a box under 5 px would have to be
                      # enlarged more than 4× to reach them (preprocess.MAX_ENLARGE)
MIN_THIN = 2          # every MNIST box is at least 2 px across, even the thinnest 1: a 1-px line is a hairline
DOT_PENS = 2.0        # a tap or a short dash spans under two widths of the pen that drew it; a digit more:
                      # even a "1" is a stroke at least as long as the pen is wide, plus its round ends
WIDE_MAX = 4.0        # the widest MNIST box is 2.22 times as wide as tall (a flat 2); a strip is wider
SOLID_MAX = 0.9       # ink pixels / side²: at most 0.8775 in MNIST (one blotted 0; the next 0.815,
                      # median 0.37), 0.875 for that 0 redrawn 10× on a canvas; a fully inked canvas is 1


class NotADigit(ValueError):
    """There is ink, but it cannot be one digit (a dot, a strip, a blot); the message is one sentence."""


def digit_problem(ink: np.ndarray, pen: float | None = None) -> str | None:
    """(H, W) ink in [0, 1] → one sentence saying why it cannot be a digit; None if it can or is blank.

    `pen`: the width in pixels of the pen that drew it, where known (a canvas): ink spanning under DOT_PENS
    pen widths is a dot, whatever the picture's size. A photo's pen is unknown: it has no dot rule."""
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
    if pen is not None and side < DOT_PENS * pen:
        # TRANSLATORS: {pens} is a number such as 2; {side} and {pen} are whole numbers of pixels.
        return _("This is only a dot: it spans {side} pixels, under {pens} widths of the pen ({pen} pixels), so "
                 "draw a digit larger than that or with a thinner pen.").format(
            side=side, pens=number(DOT_PENS, 0), pen=integer(round(pen)))
    if width > WIDE_MAX * height:
        # TRANSLATORS: {ratio} is a whole number such as 6.
        return _("This is a flat strip of ink, {ratio} times as wide as it is tall, not a digit.").format(
            ratio=number(width / height, 0))
    solid = float(mask.sum()) / side ** 2
    if solid > SOLID_MAX:
        return _("The ink covers {share} of the square it spans: a blot, not a digit.").format(share=percent(solid, 0))
    return None


def check_digit(ink: np.ndarray, pen: float | None = None) -> np.ndarray:
    """The ink itself if it is blank or may be a digit; NotADigit with digit_problem's sentence otherwise."""
    problem = digit_problem(ink, pen)
    if problem is not None:
        raise NotADigit(problem)
    return ink
