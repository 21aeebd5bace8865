"""The drawing canvas, read safely: the browser's PNG is decoded by the core under size and format limits.

The canvas is streamlit-drawable-canvas 0.13.0's frontend, checked and changed by `ui.canvas_package` and
registered here under a name of this app's; `st_canvas` mounts it with upstream's props. It sends a PNG data
URL from the browser, where anyone can replace it: a 0.5 MB PNG claiming 10000×10000 pixels cost the server 2 GB when
the upstream package decoded it with `Image.open` and no limit. So only the base64 bytes are taken from
its state, and `mnist_core.drawing.decode.decode_canvas_png` checks them before a pixel is decoded; a data
URL longer than the canvas's largest PNG could be is not even base64-decoded. The strokes (fabric.js JSON) are
given back for redrawing only when shaped like a drawing and at most MAX_DRAWING_CHARS long, since the Draw
page keeps them for the visit. (Streamlit itself refuses a message over `server.maxMessageSize`, and
`ui.resources.guard_against_visitors` makes JSON it cannot parse read as no value.)
"""

import base64
import io
import json
from functools import cache
from typing import Any, NamedTuple

import numpy as np
import streamlit as st
from PIL import Image

from mnist_core.drawing.decode import CANVAS_SCALE, UploadError, decode_canvas_png
from mnist_core.i18n import N_, _
from ui.canvas_package import CanvasPackageError, load

MAX_DRAWING_CHARS = 1_000_000  # a drawing's fabric.js JSON kept to redraw it: fifty long strokes are ≈ 0.3 MB
NOT_A_DRAWING = N_("The canvas sent a value that is not a drawing; press Clear and draw again.")


class CanvasValue(NamedTuple):
    """What the canvas holds: its pixels, or a sentence saying why they cannot be used."""
    rgba: np.ndarray | None       # (H, W, 4) uint8; None while nothing is drawn or when `problem` is set
    problem: str | None           # one sentence for the visitor when the browser's value is unusable
    json_data: dict | None        # fabric.js drawing: pass it back as `initial_drawing` to redraw it
    # Checked in Chromium: a canvas mounted with `initial_drawing` shows the drawing but sends no pixels
    # until the next stroke (rgba stays None, json_data echoes the drawing), so keep the last image too.


def draw_canvas(*, width: int, height: int, **canvas_args: Any) -> CanvasValue:
    """`st_canvas(width=..., height=..., **canvas_args)` whose value is checked before it is decoded.

    `canvas_args` are st_canvas's own (key, stroke_width, initial_drawing, background_image…). When the installed
    package is not the pinned release, no canvas is shown and `problem` says what to reinstall."""
    try:
        state = st_canvas(width=width, height=height, **canvas_args)
    except CanvasPackageError as err:
        return CanvasValue(None, str(err), None)
    try:
        sent = state["drawing"]
        url = sent["data"]
        if url is not None and len(url) > _most_chars(width, height):
            raise ValueError(url[:40])  # more than any PNG of this canvas could take
        data = None if url is None else base64.b64decode(url.split(";base64,", 1)[1])
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):  # not a dict, no ";base64,", too long…
        return CanvasValue(None, _(NOT_A_DRAWING), None)
    drawing = sent.get("raw") if _is_drawing(sent.get("raw")) else None
    if data is None:
        return CanvasValue(None, None, drawing)
    try:
        return CanvasValue(decode_canvas_png(data, width, height), None, drawing)
    except UploadError as err:
        return CanvasValue(None, str(err), None)


def _most_chars(width: int, height: int) -> int:
    """The longest PNG data URL a width × height canvas can send: its largest size (CANVAS_SCALE a side),
    uncompressed RGBA plus a filter byte a row and zlib's stored-block headers, in base64, and a margin."""
    side_w, side_h = CANVAS_SCALE * width, CANVAS_SCALE * height
    raw = side_h * (4 * side_w + 1)
    return 4 * (raw + 5 * (raw // 16_384 + 1) + 4096) // 3 + 64


def _is_drawing(json_data: Any) -> bool:
    """Shaped like fabric.js's canvas JSON, so that st_canvas can take it back as `initial_drawing`, and small
    enough to keep (a session keeps its drawing to redraw it after a trip to another page)."""
    if not (isinstance(json_data, dict) and isinstance(json_data.get("objects"), list)):
        return False
    try:
        return len(json.dumps(json_data)) <= MAX_DRAWING_CHARS
    except (RecursionError, TypeError, ValueError):
        return False


@cache
def _component() -> Any:
    """The canvas component, registered once per process from the checked, patched package files."""
    frontend = load()
    return st.components.v2.component("mnist_lab.drawable_canvas", js=frontend.js, css=frontend.css,
                                      html='<div class="canvas-root"></div>', isolate_styles=True)


def _png_url(image: Image.Image) -> str:
    """A background picture as the data URL the frontend loads (as upstream's `st_canvas` sends it)."""
    buffer = io.BytesIO()
    image.convert("RGBA").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def st_canvas(*, key: str, width: int, height: int, stroke_width: int, stroke_color: str,
              background_color: str = "", background_image: Image.Image | None = None,
              drawing_mode: str = "freedraw", initial_drawing: dict | None = None) -> Any:
    """Mount the canvas with the props upstream's `st_canvas` sends (cut to this app's arguments); its raw state.

    The state is whatever the browser last sent: `{"drawing": {"raw": fabric.js JSON, "data": PNG data URL}}`
    from an honest browser, anything at all from a tampered one."""
    drawing = {"objects": []} if initial_drawing is None else dict(initial_drawing)
    drawing["background"] = "" if background_image is not None else background_color
    data = {
        "fillColor": "#eee", "strokeWidth": stroke_width, "strokeColor": stroke_color,
        "backgroundColor": drawing["background"],
        "backgroundImageURL": None if background_image is None else _png_url(background_image),
        "realtimeUpdateStreamlit": True, "canvasWidth": width, "canvasHeight": height,
        "drawingMode": drawing_mode, "initialDrawing": drawing, "displayRadius": 3, "returnImageData": True,
        "disabled": False, "backgroundImageFit": "stretch", "maxDisplayHeight": None, "fontSize": 20, "label": "",
    }
    return _component()(data=data, key=key, default={"drawing": {"raw": drawing, "data": None}, "backgroundFit": None},
                        on_drawing_change=lambda: None, on_backgroundFit_change=lambda: None,
                        width="content", height="content")
