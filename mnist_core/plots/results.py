"""Plotly figures built from core results; pages only render them."""

import math
from collections.abc import Sequence

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from mnist_core.models.registry import colour, display_name
from mnist_core.plots.live import log_range, log_ticks
from mnist_core.training.run import Progress

DIGITS = [str(d) for d in range(10)]


def probability_bars(probabilities: dict[str, np.ndarray]) -> go.Figure:
    """Each model's ten probabilities as bars side by side, one colour per model."""
    fig = go.Figure([
        go.Bar(x=DIGITS, y=p, name=display_name(name), marker_color=colour(name),
               hovertemplate="digit %{x}: %{y:.1%}<extra>" + display_name(name) + "</extra>")
        for name, p in probabilities.items()
    ])
    fig.update_layout(barmode="group", yaxis=dict(title="probability", range=[0, 1], tickformat=".0%"),
                      xaxis=dict(title="digit", type="category"), height=320,
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
        textfont=dict(size=11, color="#222"), customdata=confusion.ravel(),
        marker=dict(symbol="square", size=34, color=colour.ravel(), cmin=-1, cmax=top, colorscale=scale,
                    line=dict(width=0)),
        hovertemplate="true %{y}, predicted %{x}: %{customdata} images<extra></extra>",
        selected=dict(marker=dict(opacity=1)),
        unselected=dict(marker=dict(opacity=0.6), textfont=dict(color="#222"))))
    fig.update_layout(height=460, width=460, margin=dict(l=10, r=10, t=10, b=10), clickmode="event+select",
                      xaxis=dict(title="predicted digit", dtick=1, range=[-0.6, 9.6], side="top"),
                      yaxis=dict(title="true digit", dtick=1, range=[9.6, -0.6]), dragmode=False)
    fig.update_xaxes(showgrid=False, zeroline=False)
    fig.update_yaxes(showgrid=False, zeroline=False)
    return fig


def training_curves(histories: dict[str, Sequence[Progress]]) -> go.Figure:
    """Loss and accuracy against batches: training as lines, validation (epoch ends) as dotted markers."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1)
    palette = px.colors.qualitative.Plotly
    for i, (label, history) in enumerate(histories.items()):
        colour, val = palette[i % len(palette)], [p for p in history if p.val_loss is not None]
        for col, metric in ((1, "loss"), (2, "accuracy")):
            fig.add_scatter(x=[p.step for p in history], y=[getattr(p, metric) for p in history], row=1, col=col,
                            name=f"{label}: training", legendgroup=label, showlegend=col == 1,
                            line=dict(color=colour), mode="lines")
            fig.add_scatter(x=[p.step for p in val], y=[getattr(p, f"val_{metric}") for p in val], row=1, col=col,
                            name=f"{label}: validation", legendgroup=label, showlegend=col == 1,
                            line=dict(color=colour, dash="dot"), mode="lines+markers")
    fig.update_xaxes(title="batches")
    # Ticks at 1-2-5 values, as the live curves have them: Plotly's own log ticks print 2 and 5 at 3/4 size.
    low, high = log_range([v for h in histories.values() for p in h for v in (p.loss, p.val_loss) if v is not None])
    ticks = log_ticks(low, high)
    fig.update_yaxes(type="log", range=[math.log10(low), math.log10(high)], tickvals=ticks,
                     ticktext=[f"{v:g}" for v in ticks], title="loss", row=1, col=1)
    fig.update_yaxes(title="accuracy", row=1, col=2)
    # The legend above the panels: below them it ran into the axis titles once presenter mode enlarged them.
    fig.update_layout(height=360, margin=dict(l=10, r=10, t=10, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    return fig
