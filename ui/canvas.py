"""The drawing canvas, read safely: the browser's PNG is decoded by the core under size and format limits.

The canvas (streamlit-drawable-canvas, vendored in ui/drawable_canvas) sends a PNG data URL from the
browser, where anyone can replace it: a 0.5 MB PNG claiming 10000×10000 pixels cost the server 2 GB when
the upstream package decoded it with `Image.open` and no limit. So only the base64 bytes are taken from
its state, and `mnist_core.image_bytes.decode_canvas_png` checks them before a pixel is decoded.
"""

import base64
import binascii
from typing import Any, NamedTuple

import numpy as np

from mnist_core.drawing.decode import UploadError, decode_canvas_png
from ui.drawable_canvas import st_canvas

NOT_A_DRAWING = "The canvas sent a value that is not a drawing; press Clear and draw again."


class CanvasValue(NamedTuple):
    """What the canvas holds: its pixels, or a sentence saying why they cannot be used."""
    rgba: np.ndarray | None       # (H, W, 4) uint8; None while nothing is drawn or when `problem` is set
    problem: str | None           # one sentence for the visitor when the browser's value is unusable
    json_data: dict | None        # fabric.js drawing: pass it back as `initial_drawing` to redraw it
    # Checked in Chromium: a canvas mounted with `initial_drawing` shows the drawing but sends no pixels
    # until the next stroke (rgba stays None, json_data echoes the drawing), so keep the last image too.


def draw_canvas(*, width: int, height: int, **canvas_args: Any) -> CanvasValue:
    """`st_canvas(width=..., height=..., **canvas_args)` whose value is checked before it is decoded.

    `canvas_args` are st_canvas's own (key, stroke_width, initial_drawing, background_image…)."""
    state = st_canvas(width=width, height=height, **canvas_args)
    try:
        sent = state["drawing"]
        data = None if sent["data"] is None else base64.b64decode(sent["data"].split(";base64,", 1)[1])
    except (AttributeError, IndexError, KeyError, TypeError, binascii.Error):  # not a dict, no ";base64,"…
        return CanvasValue(None, NOT_A_DRAWING, None)
    drawing = sent.get("raw") if _is_drawing(sent.get("raw")) else None
    if data is None:
        return CanvasValue(None, None, drawing)
    try:
        return CanvasValue(decode_canvas_png(data, width, height), None, drawing)
    except UploadError as err:
        return CanvasValue(None, str(err), None)


def _is_drawing(json_data: Any) -> bool:
    """Shaped like fabric.js's canvas JSON, so that st_canvas can take it back as `initial_drawing`."""
    return isinstance(json_data, dict) and isinstance(json_data.get("objects"), list)
