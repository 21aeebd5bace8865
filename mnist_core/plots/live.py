"""Pictures for the Train page's live view, which changes every second while a run trains: the loss and
accuracy so far (SVG), the first layer's kernels on one shared diverging scale and test digits (RGB arrays
and PNG bytes).

A browser redraws a plain picture for a fraction of what it spends re-laying out a Plotly figure, and on a
learner's laptop (or a 2-core server that also runs the browser) that time comes out of the run's
(bench/RESULTS.md, "Watching a run"). Colours match the look-inside pages' figures: Plotly's RdBu, white
at 0, blue for positive weights and red for negative.
"""

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
from PIL import Image
from plotly.colors import qualitative, sequential, unlabel_rgb

from mnist_core.i18n import N_, _, integer, ngettext, percent
from mnist_core.training.config import short
from mnist_core.training.run import Progress

# Plotly's RdBu (what `inside_figures.DIVERGING` names): its first colour is the most negative value.
_RDBU = np.array([unlabel_rgb(c) for c in sequential.RdBu], dtype=np.float64)
GUTTER = (255, 255, 255)


def diverging(values: np.ndarray, limit: float) -> np.ndarray:
    """`values` → RGB uint8 (…, 3) on RdBu from -`limit` (darkest red) through 0 (white) to +`limit` (darkest blue)."""
    where = (np.clip(values / (limit or 1.0), -1.0, 1.0) + 1) / 2 * (len(_RDBU) - 1)
    low = np.minimum(where.astype(int), len(_RDBU) - 2)
    part = (where - low)[..., None]
    return np.rint(_RDBU[low] * (1 - part) + _RDBU[low + 1] * part).astype(np.uint8)


def kernel_mosaic(kernels: np.ndarray, cols: int = 16, cell: int = 40, gap: int = 6) -> tuple[np.ndarray, float]:
    """(N, kh, kw) kernels → one RGB picture of them in rows of `cols`, each `cell` px square (every weight a
    block of whole pixels, so nothing blurs), white gutters of `gap` px, and the scale's limit: the largest
    |weight| of them all, so that the kernels compare fairly with each other (not with other steps)."""
    n, kh, kw = kernels.shape
    limit = float(np.abs(kernels).max())
    scale = max(1, cell // max(kh, kw))
    tile_h, tile_w = kh * scale, kw * scale
    cols = min(cols, n)
    rows = -(-n // cols)
    picture = np.full((rows * (tile_h + gap) - gap, cols * (tile_w + gap) - gap, 3), GUTTER, dtype=np.uint8)
    for i, kernel in enumerate(diverging(kernels, limit)):
        row, col = divmod(i, cols)
        top, left = row * (tile_h + gap), col * (tile_w + gap)
        picture[top:top + tile_h, left:left + tile_w] = kernel.repeat(scale, axis=0).repeat(scale, axis=1)
    return picture, limit


def pixelated(image: np.ndarray, scale: int = 3) -> np.ndarray:
    """A uint8 (H, W) digit as the test set holds it (white ink on black), each pixel `scale` px square: MNIST's
    28×28 shown at 84×84 with crisp pixels, wherever the app shows test digits."""
    return image.repeat(scale, axis=0).repeat(scale, axis=1)


def png(picture: np.ndarray) -> bytes:
    """A uint8 (H, W) grey or (H, W, 3) RGB picture as PNG bytes."""
    out = io.BytesIO()
    Image.fromarray(picture).save(out, format="PNG")
    return out.getvalue()


# The live curves: what `figures.training_curves` draws for finished runs, as one SVG the page replaces every
# second. Plotly re-laid out its two panels on every poll, a fifth of a core in the browser (bench/RESULTS.md).
LINE = qualitative.Plotly[0]  # the run's colour in the comparison chart (figures.training_curves) once it has ended
INK_TEXT, GRID = "#31333F", "#e6e6ee"
TITLES = {"loss": N_("loss"), "accuracy": N_("accuracy")}  # each panel's Progress field → its title


def curves_svg(history: Sequence[Progress], width: int = 820, height: int = 300, font_px: int = 13) -> str:
    """Loss (log scale) and accuracy against batches, the x axis spanning the whole run: the training
    values (smoothed per batch) as a line, validation (epoch ends) as dots joined by a dotted line."""
    last = history[-1]
    margin = dict(left=4.5 * font_px, right=font_px, top=2 * font_px, bottom=4.8 * font_px)
    between = 7 * font_px  # from one panel to the next: a gap and the second panel's tick labels
    panel_w = (width - margin["left"] - margin["right"] - between) / 2
    panel_h = height - margin["top"] - margin["bottom"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'font-family="sans-serif" font-size="{font_px}" fill="{INK_TEXT}">',
             "<title>{}</title>".format(escape(ngettext(
                 "Loss and accuracy after {step} of {steps} batch", "Loss and accuracy after {step} of {steps} batches",
                 last.total_steps).format(step=integer(last.step), steps=integer(last.total_steps))))]
    for i, (metric, log) in enumerate((("loss", True), ("accuracy", False))):
        left = margin["left"] + i * (panel_w + between)
        train = [(p.step, getattr(p, metric)) for p in history]
        val = [(p.step, getattr(p, f"val_{metric}")) for p in history if getattr(p, f"val_{metric}") is not None]
        low, high = log_range([v for _, v in train + val]) if log else (0.0, 1.0)
        axis = _Axis(left, margin["top"], panel_w, panel_h, last.total_steps, low, high, log)
        parts += axis.draw(escape(_(TITLES[metric])), font_px)
        parts.append(_polyline(axis, train, f'stroke="{LINE}" stroke-width="2.5"'))
        if val:
            parts.append(_polyline(axis, val, f'stroke="{LINE}" stroke-width="2" stroke-dasharray="3 4"'))
            parts += [f'<circle cx="{axis.x(s):.1f}" cy="{axis.y(v):.1f}" r="{font_px * 0.35:.1f}" fill="{LINE}"/>'
                      for s, v in val]
    return "".join(parts + _legend(margin["left"], height - 0.6 * font_px, font_px) + ["</svg>"])


def _legend(left: float, y: float, font_px: int) -> list[str]:
    """Under the panels: the training line, then the validation dots, placed after the first's words."""
    training, validation = _("training (each batch, smoothed)"), _("validation (end of each epoch)")
    second = left + max(19.0, 3.0 + 0.5 * len(training)) * font_px  # half an em a letter: sans-serif's average
    return [f'<line x1="{left}" x2="{left + 2 * font_px}" y1="{y - font_px / 3:.1f}" '
            f'y2="{y - font_px / 3:.1f}" stroke="{LINE}" stroke-width="2.5"/>',
            f'<text x="{left + 2.5 * font_px}" y="{y:.1f}">{escape(training)}</text>',
            f'<line x1="{second}" x2="{second + 2 * font_px}" y1="{y - font_px / 3:.1f}" y2="{y - font_px / 3:.1f}" '
            f'stroke="{LINE}" stroke-width="2" stroke-dasharray="3 4"/>',
            f'<circle cx="{second + font_px}" cy="{y - font_px / 3:.1f}" r="{font_px * 0.35:.1f}" fill="{LINE}"/>',
            f'<text x="{second + 2.5 * font_px}" y="{y:.1f}">{escape(validation)}</text>']


@dataclass(frozen=True)
class _Axis:
    """One panel: batches 0..steps across, `low`..`high` up (logarithmic if `log`), in SVG coordinates."""

    left: float
    top: float
    width: float
    height: float
    steps: int
    low: float
    high: float
    log: bool

    def x(self, step: float) -> float:
        return self.left + self.width * step / max(1, self.steps)

    def y(self, value: float) -> float:
        f = math.log10 if self.log else float
        where = (f(min(max(value, self.low), self.high)) - f(self.low)) / (f(self.high) - f(self.low))
        return self.top + self.height * (1 - where)

    def draw(self, title: str, font_px: int) -> list[str]:
        """Frame, grid, ticks, tick labels, the panel's title and the x axis's."""
        right, bottom = self.left + self.width, self.top + self.height
        across = escape(_("batches"))
        out = [f'<text x="{self.left + self.width / 2:.1f}" y="{self.top - 0.6 * font_px:.1f}" '
               f'text-anchor="middle" font-weight="600">{title}</text>',
               f'<text x="{self.left + self.width / 2:.1f}" y="{bottom + 2.6 * font_px:.1f}" '
               f'text-anchor="middle">{across}</text>']
        for value in log_ticks(self.low, self.high) if self.log else [0, 0.2, 0.4, 0.6, 0.8, 1.0]:
            y = self.y(value)
            label = short(value) if self.log else percent(value, 0)
            out += [f'<line x1="{self.left:.1f}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>',
                    f'<text x="{self.left - 0.4 * font_px:.1f}" y="{y + font_px / 3:.1f}" '
                    f'text-anchor="end">{label}</text>']
        for step in _steps_ticks(self.steps):
            x = self.x(step)
            out += [f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{self.top:.1f}" y2="{bottom:.1f}" stroke="{GRID}"/>',
                    f'<text x="{x:.1f}" y="{bottom + 1.2 * font_px:.1f}" text-anchor="middle">{integer(step)}</text>']
        out.append(f'<rect x="{self.left:.1f}" y="{self.top:.1f}" width="{self.width:.1f}" height="{self.height:.1f}" '
                   'fill="none" stroke="#9a9aa6"/>')
        return out


def _polyline(axis: _Axis, points: list[tuple[int, float]], style: str) -> str:
    xy = " ".join(f"{axis.x(s):.1f},{axis.y(v):.1f}" for s, v in points if math.isfinite(v))
    return f'<polyline points="{xy}" fill="none" {style}/>'


_NICE = (1, 2, 5)


def log_range(values: list[float]) -> tuple[float, float]:
    """The 1-2-5 values just below the smallest and just above the largest of the positive, finite `values`
    (a run whose loss diverged reports inf or nan); 0.1 to 3 before any."""
    values = [v for v in values if math.isfinite(v) and v > 0]
    if not values:
        return 0.1, 3.0
    low = max(v for v in _nice_values(min(values) / 10, min(values)) if v <= min(values))
    high = min(v for v in _nice_values(max(values), max(values) * 10) if v >= max(values))
    return low, max(high, low * 10)


def _nice_values(low: float, high: float) -> list[float]:
    """Every 1-2-5 value (…, 0.1, 0.2, 0.5, 1, 2, …) from the decade below `low` to the one above `high`."""
    decades = range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 2)
    return [float(f"{m}e{d}") for d in decades for m in _NICE]


def log_ticks(low: float, high: float) -> list[float]:
    """1-2-5 values from `low` to `high`; only the powers of ten where those would be more than seven."""
    ticks = [v for v in _nice_values(low, high) if low <= v <= high]
    tens = [v for v in ticks if math.log10(v).is_integer()]
    return ticks if len(ticks) <= 7 or len(tens) < 2 else tens


def _steps_ticks(steps: int) -> list[int]:
    """Round numbers of batches from 0, at most six, the step a 1, 2 or 5 times a power of ten."""
    for d in range(0, 10):
        for m in _NICE:
            every = m * 10 ** d
            if steps / every <= 5:
                return list(range(0, steps + 1, every))
    return [0, steps]
