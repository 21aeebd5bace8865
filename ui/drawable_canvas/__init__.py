"""streamlit-drawable-canvas 0.13.0's browser side, vendored to send a stroke at mouse-up, not 200 ms later.

See README.md here for what was changed. The upstream package finds its files through a `pyproject.toml`
that Streamlit reads only from installed distributions; this copy is a folder of the app, so its script and
style are handed to `st.components.v2.component` as text (Streamlit serves them from a content-addressed URL,
and caches the element by hash, so the 0.4 MB script crosses the websocket once per session).

Only `ui.canvas.draw_canvas` calls `st_canvas`: it reads the returned state under the core's limits.
"""

import base64
import io
from pathlib import Path
from typing import Any

import streamlit as st
from PIL import Image

FRONTEND = Path(__file__).parent / "frontend"

_component = st.components.v2.component(
    "mnist_lab.drawable_canvas",
    js=(FRONTEND / "index.js").read_text(encoding="utf-8"),
    css=(FRONTEND / "index.css").read_text(encoding="utf-8"),
    html='<div class="canvas-root"></div>',
    isolate_styles=True,
)


def _png_url(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.convert("RGBA").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def st_canvas(*, key: str, width: int, height: int, stroke_width: int, stroke_color: str,
              background_color: str = "", background_image: Image.Image | None = None,
              drawing_mode: str = "freedraw", initial_drawing: dict | None = None) -> Any:
    """Mount the canvas (the upstream `st_canvas`, cut to the arguments this app uses) and return its raw state.

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
    return _component(data=data, key=key, default={"drawing": {"raw": drawing, "data": None}, "backgroundFit": None},
                      on_drawing_change=lambda: None, on_backgroundFit_change=lambda: None,
                      width="content", height="content")
