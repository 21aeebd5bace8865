"""Plotly figures for the explorer pages: the map of digits, a fooled drawing, and what one unit sees.

Arrays and core results in, `go.Figure` out; no Streamlit here.
"""

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from mnist_core.i18n import _
from mnist_core.inside.digit_map import DigitMap
from mnist_core.inside.fooling import FoolResult
from mnist_core.inside.receptive_field import Field
from mnist_core.plots.inside import INK

DIGIT_COLOURS = qualitative.T10  # ten distinct colours, one per true label
ADDED, REMOVED = "#2CA02C", "#D62728"
FIELD = "#FFC000"


def digit_map_figure(digit_map: DigitMap, star: tuple[float, float] | None, show_misread: bool = True,
                     height: int = 560) -> go.Figure:
    """Every test digit as a dot coloured by its true label, misread ones crossed, the drawing a star.

    Each dot carries its test-set index as a plain number in `customdata` (a selected point's
    `customdata` then names its digit; rows of a 2-D array would reach Python as dicts).
    """
    traces = []
    for digit in range(10):
        idx = np.flatnonzero(digit_map.labels == digit)
        traces.append(go.Scattergl(
            x=digit_map.coords[idx, 0], y=digit_map.coords[idx, 1], mode="markers", name=str(digit),
            marker=dict(size=4, color=DIGIT_COLOURS[digit], opacity=0.6), unselected=dict(marker=dict(opacity=0.3)),
            customdata=idx, text=digit_map.predictions[idx].astype(str),
            # TRANSLATORS: {index} is the test digit's number, {digit} its true label, {reading} the model's answer.
            hovertemplate=_("test digit #{index}: labelled {digit}, read as {reading}").format(
                index="%{customdata}", digit=digit, reading="%{text}") + "<extra></extra>"))
    if show_misread:
        wrong = digit_map.misread
        traces.append(go.Scattergl(
            x=digit_map.coords[wrong, 0], y=digit_map.coords[wrong, 1], mode="markers", name=_("misread"),
            marker=dict(size=7, symbol="x-thin-open", color="black", opacity=0.7, line=dict(width=1)),
            customdata=wrong, text=[_("test digit #{index}: labelled {digit}, misread as {reading}").format(
                index=i, digit=t, reading=p) for i, t, p in
                zip(wrong, digit_map.labels[wrong], digit_map.predictions[wrong], strict=True)],
            hovertemplate="%{text}<extra></extra>"))
    if star is not None:
        traces.append(go.Scattergl(  # WebGL draws above SVG: a plain Scatter star would hide under the dots
            x=[star[0]], y=[star[1]], mode="markers", name=_("your drawing"),
            marker=dict(size=26, symbol="star", color="gold", line=dict(width=2, color="black")),
            unselected=dict(marker=dict(opacity=1)),
            hovertemplate=_("your drawing") + "<extra></extra>"))
    fig = go.Figure(traces)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10), dragmode="pan",
                      legend=dict(title=_("true label"), itemsizing="constant"),
                      xaxis=dict(title=_("1st direction"), zeroline=False),
                      yaxis=dict(title=_("2nd direction"), zeroline=False, scaleanchor="x"))
    return fig


def _pixel_hover() -> str:
    """A pixel's hover text: its row, column and value, filled in by Plotly."""
    return _("row {row}, col {col}: {value}").format(row="%{y}", col="%{x}", value="%{z:.2f}") + "<extra></extra>"


def _panel(fig: go.Figure, z: np.ndarray, col: int) -> None:
    fig.add_trace(go.Heatmap(z=z, **INK, showscale=False, hovertemplate=_pixel_hover()), row=1, col=col)


def _marks(fig: go.Figure, result: FoolResult, col: int) -> None:
    """One square per changed pixel: green where ink was added, red where it was erased."""
    for colour, added in ((ADDED, True), (REMOVED, False)):
        rows = [r for r, c in result.pixels if (result.changed[r, c] > result.original[r, c]) == added]
        cols = [c for r, c in result.pixels if (result.changed[r, c] > result.original[r, c]) == added]
        fig.add_trace(go.Scatter(x=cols, y=rows, mode="markers", name=_("added ink") if added else _("erased ink"),
                                 marker=dict(symbol="square-open", size=9, color=colour, line=dict(width=2)),
                                 hovertemplate=_("row {row}, col {col}").format(row="%{y}", col="%{x}")
                                 + "<extra></extra>"), row=1, col=col)


def fooled_figure(result: FoolResult, titles: tuple[str, str, str], height: int = 300) -> go.Figure:
    """The drawing, the changed pixels marked on it, and the changed drawing, side by side."""
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.03)
    _panel(fig, result.original, 1)
    _panel(fig, result.original, 2)
    _marks(fig, result, 2)
    _panel(fig, result.changed, 3)
    fig.update_annotations(font=dict(size=11))  # three titles side by side still fit a phone's width
    return _square(fig, height)


def _square(fig: go.Figure, height: int) -> go.Figure:
    """Square pixels, row 0 on top, no axes, legend below."""
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed")
    fig.for_each_yaxis(lambda axis: axis.update(scaleanchor=axis.anchor or "x"))
    fig.update_layout(height=height, margin=dict(l=5, r=5, t=30, b=5), legend=dict(orientation="h", y=-0.05))
    return fig


def field_figure(image: np.ndarray, field: Field, title: str, height: int = 320) -> go.Figure:
    """The learner's digit with the unit's receptive field outlined."""
    fig = go.Figure(go.Heatmap(z=image, **INK, showscale=False, hovertemplate=_pixel_hover()))
    fig.add_shape(type="rect", x0=field.left - 0.5, x1=field.right + 0.5, y0=field.top - 0.5,
                  y1=field.bottom + 0.5, line=dict(color=FIELD, width=3))
    fig.update_layout(title=dict(text=title, font=dict(size=14)))
    return _square(fig, height)


def patches_figure(patches: np.ndarray, titles: list[str], cols: int = 3, height: int = 420) -> go.Figure:
    """Equal-sized image patches (N, h, w) in a grid, each titled."""
    rows = -(-len(patches) // cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.02,
                        vertical_spacing=0.08)
    for i, patch in enumerate(patches):
        fig.add_trace(go.Heatmap(z=patch, **INK, showscale=False, hoverinfo="skip"),
                      row=i // cols + 1, col=i % cols + 1)
    fig.update_annotations(font=dict(size=11))
    return _square(fig, height)
