"""Plotly figures for the look-inside pages: convolution steps, kernels, feature maps, templates,
invariance curves and saliency overlays. Arrays in, `go.Figure` out; no Streamlit here.

Signed values (kernels, weights, convolution outputs) use a diverging scale centred on 0, so that
white always means "no effect", red "against" and blue "for". Titles, axis titles and hover texts are in the
visitor's language; Plotly fills in the %{...} fields of a hover text.
"""

import math

import numpy as np
import plotly.graph_objects as go
from babel.numbers import get_decimal_symbol, get_group_symbol

from mnist_core.i18n import N_, _, current
from mnist_core.models.registry import colour, display_name

DIVERGING = dict(colorscale="RdBu", zmid=0)
INK = dict(colorscale="gray", zmin=0, zmax=1)
DASHES = ["solid", "dash", "dashdot", "longdash"]
# TRANSLATORS: hover text over a pixel of a figure: keep %{y} (its row), %{x} (its column) and %{z:.3f} (its value).
HOVER = N_("row %{y}, col %{x}: %{z:.3f}")
NO_TRACE_NAME = "<extra></extra>"  # Plotly would add the trace's name beside the hover text
TITLE_PX = 26  # height kept above each row of tiles for its titles
# Transparent where nothing mattered, then yellow → red, so the digit stays visible underneath.
HEAT = [[0, "rgba(255,255,0,0)"], [0.25, "rgba(255,220,0,0.35)"], [1, "rgba(255,0,0,0.85)"]]


def _separators() -> str:
    """Plotly's decimal and thousands marks for the numbers it writes, as the visitor's language writes them: ".," in
    English, ",." in German and Spanish."""
    return get_decimal_symbol(current()) + get_group_symbol(current())


def _frame(fig: go.Figure, height: int, title: str = "") -> go.Figure:
    """Square pixels, row 0 at the top, no axes; every subplot keeps its own aspect."""
    top = 5 if not title else 55 if "<br>" in title else 30  # a two-line title needs room
    fig.update_layout(height=height, margin=dict(l=5, r=5, t=top, b=5), separators=_separators(),
                      title=dict(text=title, font=dict(size=14)))
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed")
    fig.for_each_yaxis(lambda axis: axis.update(scaleanchor=axis.anchor or "x"))
    return fig


def heatmap(z: np.ndarray, title: str = "", height: int = 280, diverging: bool = False) -> go.Figure:
    """One (H, W) array as a heatmap: ink in grey on black, or signed values on a scale centred on 0."""
    colours = DIVERGING if diverging else INK
    trace = go.Heatmap(z=z, **colours, showscale=diverging, hovertemplate=_(HOVER) + NO_TRACE_NAME,
                       colorbar=dict(thickness=10, len=0.8))
    return _frame(go.Figure(trace), height, title)


def add_window(fig: go.Figure, top: int, left: int, size: int, colour: str = "#FFC000") -> go.Figure:
    """Outline a size×size window whose top-left pixel is (top, left); it may hang over the edge."""
    fig.add_shape(type="rect", x0=left - 0.5, x1=left + size - 0.5, y0=top - 0.5, y1=top + size - 0.5,
                  line=dict(color=colour, width=5))
    return fig


def _tiles(traces: list[go.Heatmap], titles: list[str], cols: int, height: int) -> go.Figure:
    """Heatmaps in a grid of square tiles, each titled. Laid out by hand: for dozens of tiles,
    `make_subplots` and one `add_trace` per tile take half a second; this takes a few milliseconds."""
    rows = math.ceil(len(traces) / cols)
    gap = TITLE_PX / height  # room for a title above each row (even at a projector's 18 px), as a fraction
    layout, annotations = {}, []
    for i, (trace, title) in enumerate(zip(traces, titles, strict=True)):
        row, col = divmod(i, cols)
        x, y = ("x", "y") if i == 0 else (f"x{i + 1}", f"y{i + 1}")
        trace.update(xaxis=x, yaxis=y)
        layout[x.replace("x", "xaxis")] = dict(domain=[col / cols + 0.006, (col + 1) / cols - 0.006],
                                                anchor=y, visible=False, constrain="domain")
        layout[y.replace("y", "yaxis")] = dict(domain=[1 - (row + 1) / rows, 1 - row / rows - gap],
                                                anchor=x, visible=False, constrain="domain",
                                                autorange="reversed", scaleanchor=x)
        annotations.append(dict(text=title, xref=f"{x} domain", x=0.5, yref=y, y=-0.5, yanchor="bottom",
                                showarrow=False, font=dict(size=10)))
    return go.Figure(traces, layout=dict(**layout, annotations=annotations, height=height, separators=_separators(),
                                         margin=dict(l=5, r=5, t=5, b=5)))


def dot_product(patch: np.ndarray, kernel: np.ndarray, height: int = 230) -> go.Figure:
    """The input patch, the kernel and their element-wise products, each cell labelled with its value."""
    panels = {_("input patch"): (patch, INK), _("× kernel"): (kernel, DIVERGING),
              _("= products"): (patch * kernel, DIVERGING)}
    traces = [go.Heatmap(z=z, **colours, showscale=False, texttemplate="%{z:.1f}", textfont=dict(size=11),
                         hovertemplate=_(HOVER) + NO_TRACE_NAME) for z, colours in panels.values()]
    return _tiles(traces, list(panels), cols=3, height=height)


def heatmap_grid(maps: np.ndarray, titles: list[str], cols: int = 8, cell: int = 52,
                 diverging: bool = False) -> go.Figure:
    """Many small (H, W) maps, (N, H, W), on one shared colour scale so that they compare fairly.

    Diverging maps share a scale centred on 0; the others (ReLU activations) run from 0 up.
    """
    limit = float(np.abs(maps).max()) or 1.0
    scale = dict(colorscale="RdBu", zmid=0) if diverging else dict(colorscale="Viridis", zmin=0, zmax=limit)
    return _mosaic(maps, titles, cols, cell, **scale, colorbar=dict(thickness=10, len=0.8))


def _mosaic(maps: np.ndarray, titles: list[str], cols: int, cell: int, hover: bool = True,
            **colours) -> go.Figure:
    """Same-sized (H, W) maps in a grid of tiles `cell` px high, each titled, drawn as one heatmap with blank
    gutters: one trace on one pair of axes. A browser draws that several times faster than a tile per
    trace and axes (bench/RESULTS.md, "Watching a run"); the grids of "Your digit's journey" and "MLP vs CNN"
    have up to 64 tiles."""
    n, h, w = maps.shape
    rows = math.ceil(n / cols)
    gx, gy = max(1, round(w / 8)), math.ceil(TITLE_PX * h / cell)  # gutters, in the maps' own pixels
    z = np.full((rows * (h + gy), cols * (w + gx) - gx), np.nan)
    where = np.full(z.shape + (3,), "", dtype=object)  # each pixel's tile title, row and column, for hover
    annotations = []
    for i, (image, title) in enumerate(zip(maps, titles, strict=True)):
        row, col = divmod(i, cols)
        top, left = row * (h + gy) + gy, col * (w + gx)
        z[top:top + h, left:left + w] = image
        where[top:top + h, left:left + w, 0] = title
        where[top:top + h, left:left + w, 1] = np.arange(h)[:, None]
        where[top:top + h, left:left + w, 2] = np.arange(w)[None, :]
        annotations.append(dict(text=title, x=left + (w - 1) / 2, y=top - 0.5, yanchor="bottom",
                                showarrow=False, font=dict(size=10)))
    # TRANSLATORS: hover text over a pixel of one tile: %{customdata[0]} is the tile's title, then its row, column
    # and value; keep every %{...} as it is.
    where_text = _("%{customdata[0]}<br>row %{customdata[1]}, col %{customdata[2]}: %{z:.3f}") + NO_TRACE_NAME
    trace = go.Heatmap(z=z, hoverongaps=False, **colours,
                       **(dict(customdata=where, hovertemplate=where_text) if hover else dict(hoverinfo="skip")))
    fig = go.Figure(trace, layout=dict(annotations=annotations, height=rows * (cell + TITLE_PX) + 10,
                                       margin=dict(l=5, r=5, t=5, b=5), plot_bgcolor="rgba(0,0,0,0)",
                                       separators=_separators()))
    fig.update_xaxes(visible=False, constrain="domain", range=[-0.5, z.shape[1] - 0.5])
    fig.update_yaxes(visible=False, range=[z.shape[0] - 0.5, -0.5], scaleanchor="x")
    return fig


def kernel_map_pairs(kernels: np.ndarray, maps: np.ndarray, titles: list[tuple[str, str]], cols: int = 8,
                     cell: int = 64) -> go.Figure:
    """Each kernel (k, kh, kw) with its own feature map (k, H, W) right beside it, pair after pair;
    `titles` holds (kernel's title, map's title) for each pair.

    Kernels share a diverging scale centred on 0 (blue for, red against), maps a scale from 0 up, so
    that every kernel compares with every other kernel and every map with every map.
    """
    traces, names, pixel = [], [], "<br>" + _(HOVER) + NO_TRACE_NAME
    for kernel, fmap, title in zip(kernels, maps, titles, strict=True):
        # TRANSLATORS: first line of the hover text over a kernel and over its feature map; {title} is like "#3".
        kernel_hover, map_hover = _("kernel {title}").format(title=title[0]), _("map {title}").format(title=title[0])
        traces += [go.Heatmap(z=kernel, coloraxis="coloraxis2", hovertemplate=kernel_hover + pixel),
                   go.Heatmap(z=fmap, coloraxis="coloraxis", hovertemplate=map_hover + pixel)]
        names += title  # the kernel's title, then the map's
    fig = _tiles(traces, names, cols, height=math.ceil(len(traces) / cols) * (cell + TITLE_PX) + 10)
    top = float(np.abs(kernels).max()) or 1.0
    fig.update_layout(coloraxis=dict(colorscale="Viridis", cmin=0, cmax=float(maps.max()) or 1.0, showscale=False),
                      coloraxis2=dict(colorscale="RdBu", cmin=-top, cmax=top, showscale=False))
    return fig


def invariance_chart(values: np.ndarray, curves: dict[str, np.ndarray], axis_title: str, digit: int,
                     current: float) -> go.Figure:
    """Each model's confidence in `digit` along the transform, with the 50 % line and the slider's value.

    Each curve has its own dash pattern: two models that stay at 100 % would otherwise hide one another.
    """
    fig = go.Figure([
        go.Scatter(x=values, y=p, name=display_name(name), mode="lines",
                   line=dict(color=colour(name), dash=DASHES[i % len(DASHES)], width=2.5),
                   hovertemplate=f"%{{x}}: P({digit}) = %{{y:.1%}}<extra>{display_name(name)}</extra>")
        for i, (name, p) in enumerate(curves.items())
    ])
    fig.add_hline(0.5, line=dict(dash="dot", color="grey"), annotation_text="50 %")
    fig.add_vline(current, line=dict(color="black", width=1))
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.15),
                      separators=_separators(),
                      xaxis_title=axis_title, yaxis=dict(title=f"P({digit})", range=[0, 1.02],
                                                         tickformat=".0%"))
    return fig


def saliency_overlay(image: np.ndarray, heat: np.ndarray, title: str, height: int = 260) -> go.Figure:
    """The digit in grey with the occlusion map laid over it: `heat` is a probability drop in [0, 1], drawn
    on one fixed scale (not each map's own maximum), so that maps of different models compare."""
    fig = go.Figure([
        go.Heatmap(z=image, **INK, showscale=False, hoverinfo="skip"),
        go.Heatmap(z=heat, colorscale=HEAT, zmin=0, zmax=1, showscale=False,
                   # TRANSLATORS: hover text: keep %{y} (row), %{x} (column) and %{z:.1%} (how much P falls).
                   hovertemplate=_("row %{y}, col %{x}: P falls by %{z:.1%} on average") + NO_TRACE_NAME),
    ])
    return _frame(fig, height, title)


def activation_bars(values: np.ndarray, title: str, height: int = 180) -> go.Figure:
    """A dense layer's units as bars, one per unit, in the layer's own order (after its ReLU)."""
    # TRANSLATORS: hover text over one unit's bar: keep %{x} (the unit's number) and %{y:.2f} (its value).
    bars = go.Bar(y=values, marker_color="#636EFA", hovertemplate=_("unit %{x}: %{y:.2f}") + NO_TRACE_NAME)
    fig = go.Figure(bars)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), title=dict(text=title, font=dict(size=14)),
                      xaxis=dict(title=_("unit")), bargap=0, separators=_separators())
    return fig
