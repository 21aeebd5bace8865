"""A chart's selection as the browser sent it, checked before a page uses it.

`st.plotly_chart(on_select="rerun")` hands the page whatever the browser last sent: from a tampered browser,
points without their fields, text in place of numbers (`**bold**`, echoed into a heading as Markdown), numbers
beyond the data (IndexError), NaN (ValueError). Pages take a selection only through `chosen`.
"""

import math
from typing import Any

import streamlit as st

from mnist_core.i18n import N_, _

NOT_A_POINT = N_("The chart sent a selection that is none of its points; showing the page as if nothing was chosen.")


def chosen(event: Any, *fields: str, below: int) -> tuple[int, ...] | None:
    """The first selected point's `fields`, each a whole number from 0 to `below` − 1; None when nothing is
    selected, or (with one sentence on the page) when what was sent is not such a point."""
    points = getattr(getattr(event, "selection", None), "points", None) or []
    if not points:
        return None
    values = tuple(_whole(point.get(field), below) if isinstance(point, dict) else None
                   for point in points[:1] for field in fields)
    if len(values) != len(fields) or None in values:
        st.warning(_(NOT_A_POINT))
        return None
    return values


def _whole(value: Any, below: int) -> int | None:
    """`value` as an int in [0, below), if it is one (plotly sends whole numbers as int or float)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return None
    return int(value) if 0 <= value < below else None
