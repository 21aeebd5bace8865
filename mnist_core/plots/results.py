"""Plotly figures built from core results; pages only render them."""

import math
from collections.abc import Sequence

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from mnist_core.i18n import _, integer, ngettext, number, percent
from mnist_core.models.registry import colour, display_name
from mnist_core.plots.live import log_range, log_ticks
from mnist_core.training.run import Progress

DIGITS = [str(d) for d in range(10)]
TENTHS = [i / 5 for i in range(6)]  # the probability axis's ticks, 0 to 100 %


def probability_bars(probabilities: dict[str, np.ndarray]) -> go.Figure:
    """Each model's ten probabilities as bars side by side, one colour per model."""
    # TRANSLATORS: a bar's hover text; {digit} and {probability} are filled in by the chart.
    hover = _("digit {digit}: {probability}").format(digit="%{x}", probability="%{customdata}")
    fig = go.Figure([
        go.Bar(x=DIGITS, y=p, name=display_name(name), marker_color=colour(name),
               customdata=[percent(v, 1) for v in p], hovertemplate=f"{hover}<extra>{display_name(name)}</extra>")
        for name, p in probabilities.items()
    ])
    fig.update_layout(barmode="group", xaxis=dict(title=_("digit"), type="category"), height=320,
                      yaxis=dict(title=_("probability"), range=[0, 1], tickvals=TENTHS,
                                 ticktext=[percent(v, 0) for v in TENTHS]),
                      margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.12))
    return fig


def confusion_matrix(confusion: np.ndarray) -> go.Figure:
    """The 10×10 confusion matrix as clickable squares (Plotly heatmaps cannot be selected).

    Rows are true digits, columns predicted ones; mistakes are coloured on their own scale so that
    they are not drowned by the diagonal.
    """
    true, predicted = np.meshgrid(range(10), range(10), indexing="ij")
    off = confusion * (true != predicted)
    top = max(1, int(off.max()))
    colour = np.where(true == predicted, -1, off)  # -1: the diagonal's own green; 0: white; top: red
    zero = 1 / (top + 1)  # where 0 falls on the [-1, top] scale
    scale = [[0, "#d9f0d3"], [zero / 2, "#d9f0d3"], [zero / 2, "#ffffff"], [zero, "#ffffff"], [1, "#d62728"]]
    fig = go.Figure(go.Scatter(
        x=predicted.ravel(), y=true.ravel(), mode="markers+text", text=confusion.ravel(),
        textfont=dict(size=11, color="#222"), customdata=confusion.ravel(), hovertext=_cell_texts(confusion),
        marker=dict(symbol="square", size=34, color=colour.ravel(), cmin=-1, cmax=top, colorscale=scale,
                    line=dict(width=0)),
        hovertemplate="%{hovertext}<extra></extra>",
        selected=dict(marker=dict(opacity=1)),
        unselected=dict(marker=dict(opacity=0.6), textfont=dict(color="#222"))))
    fig.update_layout(height=460, width=460, margin=dict(l=10, r=10, t=10, b=10), clickmode="event+select",
                      xaxis=dict(title=_("predicted digit"), dtick=1, range=[-0.6, 9.6], side="top"),
                      yaxis=dict(title=_("true digit"), dtick=1, range=[9.6, -0.6]), dragmode=False)
    fig.update_xaxes(showgrid=False, zeroline=False)
    fig.update_yaxes(showgrid=False, zeroline=False)
    return fig


def _cell_texts(confusion: np.ndarray) -> list[str]:
    """Each square's hover sentence, row by row: which digits it counts and how many images."""
    return [ngettext("true {true}, predicted {predicted}: {n} image", "true {true}, predicted {predicted}: {n} images",
                     int(n)).format(true=t, predicted=p, n=integer(int(n)))
            for (t, p), n in np.ndenumerate(confusion)]


def training_curves(histories: dict[str, Sequence[Progress]]) -> go.Figure:
    """Loss and accuracy against batches: training as lines, validation (epoch ends) as dotted markers."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1)
    palette = px.colors.qualitative.Plotly
    for i, (label, history) in enumerate(histories.items()):
        colour, val = palette[i % len(palette)], [p for p in history if p.val_loss is not None]
        for col, metric in ((1, "loss"), (2, "accuracy")):
            # TRANSLATORS: {run} is a training run's label, such as "Run 2: CNN, 3 ep, 60,000 images".
            fig.add_scatter(x=[p.step for p in history], y=[getattr(p, metric) for p in history], row=1, col=col,
                            name=_("{run}: training").format(run=label), legendgroup=label, showlegend=col == 1,
                            line=dict(color=colour), mode="lines")
            fig.add_scatter(x=[p.step for p in val], y=[getattr(p, f"val_{metric}") for p in val], row=1, col=col,
                            name=_("{run}: validation").format(run=label), legendgroup=label, showlegend=col == 1,
                            line=dict(color=colour, dash="dot"), mode="lines+markers")
    fig.update_xaxes(title=_("batches"))
    # Ticks at 1-2-5 values, as the live curves have them: Plotly's own log ticks print 2 and 5 at 3/4 size.
    low, high = log_range([v for h in histories.values() for p in h for v in (p.loss, p.val_loss) if v is not None])
    ticks = log_ticks(low, high)
    # Each tick with the decimals its value needs (0.05, 0.2, 1, 20), in the visitor's digits.
    fig.update_yaxes(type="log", range=[math.log10(low), math.log10(high)], tickvals=ticks,
                     ticktext=[number(v, max(0, -math.floor(math.log10(v)))) for v in ticks], title=_("loss"),
                     row=1, col=1)
    fig.update_yaxes(title=_("accuracy"), row=1, col=2)
    # The legend above the panels: below them it ran into the axis titles once presenter mode enlarged them.
    fig.update_layout(height=360, margin=dict(l=10, r=10, t=10, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    return fig
