"""Presenter mode: everything readable from the back of a classroom at 1280×720.

A switch in the sidebar, or `?present=1` in the address (so a teacher can bookmark it), turns it on
for the whole visit. It raises every figure's text to at least PRESENT_FONT_PX and the page's text
with a little CSS; pages pass every figure through `show` before drawing it, and every table through
`table`.
"""

import re
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from mnist_core.i18n import _, number, percent
from ui.state import session_part

MISSING = "—"  # a table's cell with no value (a stopped run's test score, say)
PRESENT_FONT_PX = 18  # the smallest text on a figure in presenter mode (≥ 16 px, readable at 1280×720)
CSS = """<style>
.stMarkdown p, .stMarkdown li, .stCaption p, label p, [data-testid="stProgress"] p,
[data-testid="stExpander"] summary p, [data-testid="stMainBlockContainer"] [data-testid^="stBaseButton"] p,
[data-testid="stTable"] td, [data-testid="stTable"] th, [data-testid="stAlert"] p { font-size: 1.2rem !important; }
[data-testid="stCaptionContainer"], [data-testid="stCode"] code,
[data-testid="stMainBlockContainer"]
  :is([data-testid^="stBaseButton"], [data-testid="stButtonGroup"], [data-testid^="stSlider"])
  [data-testid="stMarkdownContainer"] :is(p, span, div) { font-size: 1.1rem !important; }
[data-testid="stMetricValue"] { font-size: 2.3rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.2rem !important; }
h1 { font-size: 2rem !important; padding: 0 !important; }
.block-container, [data-testid="stMainBlockContainer"] { padding-top: 4rem !important; }
[data-testid="stMetric"] { padding: 0.3rem 0.8rem !important; }
</style>"""


# On a tablet (820 px wide with the sidebar open leaves ≈ 500 px) side-by-side columns squeeze the canvas
# and the verdicts; below 1000 px of window they stack instead, each at full width.
NARROW_CSS = """<style>
@media (max-width: 1000px) {
  [data-testid="stHorizontalBlock"] { flex-wrap: wrap !important; }
  [data-testid="stColumn"], [data-testid="column"] { min-width: 100% !important; flex: 1 1 100% !important; }
}
</style>"""


@dataclass
class Presenter:
    """Presenter mode for this visit; None until read from `?present=1`."""

    present: bool | None = None


def presenter_switch() -> bool:
    """The sidebar switch, started from `?present=1`; the choice lasts the visit and stays in the address."""
    me = session_part(Presenter)
    if me.present is None:
        me.present = st.query_params.get("present") == "1"
    st.html(NARROW_CSS)
    me.present = st.sidebar.toggle(_("Presenter mode"), value=me.present, key="present_switch",
                                   help=_("Bigger text and figures for a projector at 1280×720; bookmark the "
                                          "address with ?present=1 to start in it."))
    if me.present:
        st.query_params["present"] = "1"
        st.html(CSS)
    elif "present" in st.query_params:
        del st.query_params["present"]
    return me.present


def presenting() -> bool:
    return bool(session_part(Presenter).present)


def show(fig: go.Figure) -> go.Figure:
    """`fig` with every text at least PRESENT_FONT_PX in presenter mode; unchanged otherwise."""
    if not presenting():
        return fig
    size = PRESENT_FONT_PX
    fig.update_layout(font=dict(size=size), title_font_size=max(fig.layout.title.font.size or 0, size + 2))
    for annotation in fig.layout.annotations:
        annotation.font.size = max(annotation.font.size or 0, size)
    for trace in fig.data:
        if "textfont" in trace:
            trace.textfont.size = max(trace.textfont.size or 0, size)
    # Streamlit's chart theme sets ticks, axis titles and legends to 12–14 px, over the layout's font: each is
    # set here (seen in Chromium: 12 px ticks in presenter mode before).
    fig.for_each_xaxis(lambda axis: _at_least(size, axis.tickfont, axis.title.font))
    fig.for_each_yaxis(lambda axis: _at_least(size, axis.tickfont, axis.title.font))
    fig.for_each_coloraxis(lambda c: _at_least(size, c.colorbar.tickfont, c.colorbar.title.font))
    for trace in fig.data:
        if "colorbar" in trace:
            _at_least(size, trace.colorbar.tickfont, trace.colorbar.title.font)
    _at_least(size, fig.layout.legend.font, fig.layout.legend.title.font)
    return fig


def _at_least(size: int, *fonts) -> None:
    for font in fonts:
        font.size = max(font.size or 0, size)


def table(frame: pd.DataFrame, formats: dict[str, str] | None = None, **dataframe_args) -> None:
    """`frame` as Streamlit's dataframe (sortable, scrollable); in presenter mode as a plain table, since a
    dataframe is drawn on a canvas at 13 px that no style reaches. `formats`: column → "percent" or a printf
    format such as "%.4f", the same in both (the plain table writes them in the visitor's language; the dataframe
    keeps numbers, so that it sorts them); a missing value shows as MISSING in both."""
    formats = formats or {}
    if not presenting():
        config = {column: st.column_config.NumberColumn(format=f) for column, f in formats.items()}
        st.dataframe(frame, column_config=config | dataframe_args.pop("column_config", {}), placeholder=MISSING,
                     **dataframe_args)
        return
    shown = frame.astype(object).where(frame.notna(), MISSING)
    for column, f in formats.items():
        shown[column] = [MISSING if pd.isna(v) else _written(v, f) for v in frame[column]]
    st.table(shown, hide_index=dataframe_args.get("hide_index"))


def _written(value: float, fmt: str) -> str:
    """A presenter-mode cell in the visitor's language: "percent" with two decimals (99.12% / 99,12 %), a
    printf "%.4f" with four (0.9912 / 0,9912); any other printf format as printf writes it."""
    if fmt == "percent":
        return percent(value, 2)
    fixed = re.fullmatch(r"%\.(\d+)f", fmt)
    return number(value, int(fixed[1])) if fixed else fmt % value
