"""Issue 13's input cases replayed: every bad canvas value or upload gets one sentence, never a traceback.

Bytes in, sentence out through the core (mnist_core.drawing.decode, preprocess, digit_shape); tampered
widget values through AppTest and ui/canvas.py; and the memory bomb in a subprocess that reads its
own peak RSS (VmHWM), as the server would feel it.
"""

import io
import re
import struct
import subprocess
import sys
import textwrap
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.testing.v1 import AppTest

from mnist_core.drawing.check import NotADigit
from mnist_core.drawing.decode import UploadError, decode_canvas_png, load_upload
from mnist_core.drawing.prepare import canvas_to_mnist, image_to_mnist
from tests.support import ROOT
from tests.support.images import data_url, png
from ui.allocator import fewer_malloc_arenas
from ui.resources import guard_against_visitors

SIDE = 280  # the Draw page's canvas
def encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def assert_one_sentence(sentence: str) -> None:
    assert "/" not in sentence and "Traceback" not in sentence
    assert sentence[0].isupper() and sentence.endswith(".") and ". " not in sentence[:-1]


def drawn(ink: np.ndarray) -> bytes:
    """A canvas's PNG as the browser sends it: white strokes on opaque black, RGBA."""
    rgba = np.empty((*ink.shape, 4), np.uint8)
    rgba[..., :3], rgba[..., 3] = ink[..., None], 255
    return encoded(Image.fromarray(rgba), "PNG")


# --- the canvas value, through the core --------------------------------------------------------

NOT_PNG = r"^The canvas sent something that is not a PNG image\.$"


@pytest.mark.parametrize(("data", "sentence"), [
    (b"", NOT_PNG),
    (b"hello", NOT_PNG),
    (encoded(Image.new("RGBA", (SIDE, SIDE)), "TIFF"), NOT_PNG),
    (encoded(Image.new("RGB", (SIDE, SIDE)), "JPEG"), NOT_PNG),
    (png(SIDE, SIDE, depth=16, colour=0), r"^The canvas sent a 16-bit grey PNG; a canvas sends 8-bit RGBA pixels\.$"),
    (png(SIDE, SIDE, depth=16, colour=6), r"^The canvas sent a 16-bit RGBA PNG"),
    (png(SIDE, SIDE, depth=8, colour=3), r"^The canvas sent a 8-bit palette PNG"),
    (png(SIDE, SIDE, depth=1, colour=0), r"^The canvas sent a 1-bit grey PNG"),
    (png(10000, 10000), r"^This image is 10000×10000 pixels; the limit is 840×840 pixels for this canvas\.$"),
    (png(841, 280), r"^This image is 841×280 pixels; the limit is 840×840 pixels for this canvas\.$"),
    (png(20000, 20000, colour=0), r"^This image is 20000×20000 pixels; the limit is 840×840 pixels for this canvas\.$"),
    (png(SIDE, SIDE)[:-40], r"^This image is damaged or incomplete\.$"),
], ids=["empty", "hello", "tiff", "jpeg", "16-bit grey", "16-bit rgba", "palette", "1-bit", "10000²",
        "too wide", "20000²", "truncated"])
def test_a_bad_canvas_value_gets_one_sentence(data, sentence):
    with pytest.raises(UploadError, match=sentence) as caught:
        decode_canvas_png(data, SIDE, SIDE)
    assert_one_sentence(str(caught.value))


def test_grey_and_rgb_canvas_pngs_are_read_as_rgba():
    """8-bit grey, grey + alpha and RGB convert losslessly to what the browser sends (RGBA)."""
    ink = np.zeros((SIDE, SIDE), np.uint8)
    ink[60:220, 130:150] = 255
    expected = decode_canvas_png(drawn(ink), SIDE, SIDE)
    assert expected.shape == (SIDE, SIDE, 4) and expected.dtype == np.uint8
    for mode in ("L", "LA", "RGB"):
        assert np.array_equal(decode_canvas_png(encoded(Image.fromarray(ink).convert(mode), "PNG"), SIDE, SIDE),
                              expected)
    assert decode_canvas_png(png(2 * SIDE, 3 * SIDE), SIDE, SIDE).shape == (3 * SIDE, 2 * SIDE, 4)  # ≤ 3× a side


def test_compressed_text_in_a_canvas_png_is_never_inflated():
    """Pillow would inflate each zTXt chunk (up to 1 MB each, 64 MB a file); the decoder drops them."""
    text = b"Comment\x00\x00" + zlib.compress(bytes(2**20 - 1))
    chunk = struct.pack(">I", len(text)) + b"zTXt" + text + struct.pack(">I", zlib.crc32(b"zTXt" + text))
    assert decode_canvas_png(png(SIDE, SIDE, extra=chunk * 64), SIDE, SIDE).shape == (SIDE, SIDE, 4)


# --- not a digit, through the core --------------------------------------------------------------


def canvas_with(top: int, left: int, bottom: int, right: int) -> bytes:
    ink = np.zeros((SIDE, SIDE), np.uint8)
    ink[top:bottom, left:right] = 255
    return drawn(ink)


@pytest.mark.parametrize(("data", "sentence"), [
    (canvas_with(140, 140, 141, 141), r"^This is only a speck of ink \(1×1 pixels\), too small to be a digit\.$"),
    (canvas_with(130, 130, 148, 148), r"^This is only a dot: it spans 18 pixels, under 2 widths of the pen"),
    (canvas_with(0, 0, SIDE, SIDE), r"^The ink covers 100% of the square it spans: a blot, not a digit\.$"),
    (canvas_with(135, 0, 136, SIDE), r"^This is a hairline \(280×1 pixels\), too thin to be a digit\.$"),
    (canvas_with(120, 10, 160, 270), r"^This is a flat strip of ink, 6 times as wide as it is tall, not a digit\.$"),
], ids=["one pixel", "dot", "full canvas", "hairline", "strip"])
def test_a_drawing_that_is_no_digit_gets_one_sentence(data, sentence):
    with pytest.raises(NotADigit, match=sentence) as caught:
        canvas_to_mnist(decode_canvas_png(data, SIDE, SIDE), 18)  # drawn with the Draw page's default pen
    assert_one_sentence(str(caught.value))


def strip(width: int, height: int, dark: slice) -> bytes:
    pixels = np.full((height, width), 255, np.uint8)
    pixels.reshape(-1)[dark] = 0
    return encoded(Image.fromarray(pixels), "PNG")


@pytest.mark.parametrize(("data", "sentence"), [
    (strip(100000, 1, slice(40000, 42000)), r"^This is a hairline \(\d+×1 pixels\), too thin to be a digit\.$"),
    (strip(1, 100000, slice(40000, 42000)), r"^This is a hairline \(1×\d+ pixels\)"),
    (strip(100000, 1, slice(40000, 40050)), r"^This is only a speck of ink"),
    (strip(300, 1, slice(100, 103)), r"^This is a hairline \(\d+×1 pixels\)|^This is only a speck"),
], ids=["100000×1", "1×100000", "100000×1 few pixels", "300×1"])
def test_an_upload_strip_is_not_a_digit(data, sentence):
    with pytest.raises(NotADigit, match=sentence) as caught:
        image_to_mnist(load_upload(data))
    assert_one_sentence(str(caught.value))


def test_scattered_dark_pixels_in_a_strip_are_no_ink():
    """A few isolated dark pixels in 100,000 are averaged away when the picture is shrunk: blank."""
    pixels = np.full((1, 100000), 255, np.uint8)
    pixels[0, [10, 5000, 90000]] = 0
    assert image_to_mnist(load_upload(encoded(Image.fromarray(pixels), "PNG"))) is None


# --- tampered widget values, through AppTest and ui/canvas.py ------------------------------------

SCRIPT = """
import streamlit as st
from ui.canvas import draw_canvas

value = draw_canvas(width=280, height=280, key="draw_canvas", stroke_width=18, stroke_color="#FFFFFF",
                    background_color="#000000", initial_drawing=st.session_state.get("draw_initial"))
st.session_state["draw_value"] = value
if value.problem:
    st.error(value.problem)
"""


@pytest.fixture
def canvas_app():
    at = AppTest.from_string(SCRIPT, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def sent(at: AppTest, value) -> object:
    """Run the script as if the browser had sent `value` as the canvas's state."""
    at.session_state["draw_canvas"] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at.session_state["draw_value"]


def test_an_honest_drawing_comes_back_with_its_json(canvas_app):
    drawing = {"objects": [{"type": "path", "path": [["M", 140, 50], ["L", 140, 230]]}]}
    ink = np.zeros((SIDE, SIDE), np.uint8)
    ink[50:230, 131:149] = 255
    value = sent(canvas_app, {"drawing": {"raw": drawing, "data": data_url(drawn(ink))}})
    assert value.problem is None and value.json_data == drawing
    assert np.array_equal(value.rgba[..., 0], ink)
    canvas_app.session_state["draw_initial"] = value.json_data  # what the Draw page gives back after a trip
    canvas_app.run()
    assert not canvas_app.exception


@pytest.mark.parametrize(("value", "sentence"), [
    ({"drawing": {"raw": {"objects": []}, "data": "hello"}}, r"^The canvas sent a value that is not a drawing"),
    ({"drawing": {"raw": {"objects": []}, "data": "data:image/png;base64,abc"}}, r"not a drawing"),  # bad padding
    ({"drawing": {"raw": {"objects": []}, "data": 42}}, r"not a drawing"),
    ({"drawing": "hello"}, r"not a drawing"),
    ({"drawing": {"raw": {}, "data": "data:image/png;base64,aGVsbG8="}}, NOT_PNG),  # "hello", well encoded
    ({"drawing": {"raw": {}, "data": data_url(png(10000, 10000))}}, r"^This image is 10000×10000 pixels"),
    ({"drawing": {"raw": {}, "data": data_url(png(20000, 20000, colour=0))}}, r"^This image is 20000×20000"),
    ({"drawing": {"raw": {}, "data": data_url(encoded(Image.new("RGB", (SIDE, SIDE)), "TIFF"))}}, NOT_PNG),
    ({"drawing": {"raw": {}, "data": data_url(png(SIDE, SIDE, depth=16, colour=0))}}, r"16-bit grey PNG"),
    ({"drawing": {"raw": {}, "data": "data:image/png;base64," + "A" * 4_000_000}}, r"not a drawing"),  # > 840² RGBA
], ids=["hello", "bad base64", "number", "not a dict", "hello png", "10000²", "20000²", "tiff", "16-bit", "4 MB"])
def test_a_tampered_canvas_value_gets_one_sentence_on_the_page(canvas_app, value, sentence):
    result = sent(canvas_app, value)
    assert result.rgba is None and result.json_data is None
    assert_one_sentence(result.problem)
    assert re.search(sentence, result.problem)
    assert [e.value for e in canvas_app.error] == [result.problem]


def test_a_tampered_drawing_json_is_not_given_back(canvas_app):
    """Only fabric.js-shaped JSON may go back into st_canvas(initial_drawing=…), which calls dict() on it."""
    huge = {"objects": [{"type": "path", "path": [["L", 140, 50]] * 100_000}]}  # ≈ 1.3 MB, kept for the visit
    for raw in ("hello", [1, 2], {"objects": "x"}, 7, huge):
        result = sent(canvas_app, {"drawing": {"raw": raw, "data": None}})
        assert result.json_data is None and result.problem is None


def as_json(at: AppTest, text: str) -> WidgetStates:
    """The canvas's value as a browser sends it: JSON text in the widget's `json_value`, parsed by Streamlit."""
    states = WidgetStates()
    state = states.widgets.add()
    state.id = next(node.proto.id for node in at.get("bidi_component") if node.proto.id.endswith("-draw_canvas"))
    state.json_value = text
    return states


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000,
                                  '{"drawing": {"raw": ' + "[" * 100_000 + "]" * 100_000 + ', "data": null}}',
                                  '{"drawing": {"raw": {"objects": [}, "data": null}}'],
                         ids=["100k deep", "100k deep inside", "malformed"])
def test_unreadable_canvas_json_is_no_value_and_the_session_keeps_working(canvas_app, text):
    guard_against_visitors()  # as app.py does before any page
    canvas_app._run(as_json(canvas_app, text))  # AppTest's own way in for a raw widget state
    assert not canvas_app.exception, [e.value for e in canvas_app.exception]
    ink = np.zeros((SIDE, SIDE), np.uint8)
    ink[50:230, 131:149] = 255
    assert sent(canvas_app, {"drawing": {"raw": {"objects": []}, "data": data_url(drawn(ink))}}).rgba is not None


# --- the memory bomb, as the server feels it -----------------------------------------------------

PEAK = """
import base64, sys
sys.path.insert(0, {root!r})
from tests.support.images import png, data_url
from mnist_core.drawing.decode import UploadError, decode_canvas_png

def peak_mb():
    status = open("/proc/self/status").read()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024

bomb = base64.b64decode(data_url(png(10000, 10000)).split(";base64,", 1)[1])
decode_canvas_png(png(280, 280), 280, 280)  # warm: the decoder's own code paths loaded
before = peak_mb()
try:
    decode_canvas_png(bomb, 280, 280)
except UploadError:
    pass
print(before, peak_mb())
"""


def test_the_10000_square_canvas_bomb_costs_the_server_under_50_mb():
    """Measured through the library's image_data: +2.2 GB (bench/canvas_bomb.py); through ours: ~0."""
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(PEAK.format(root=str(ROOT)))], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, check=True).stdout.split()
    before, after = float(out[-2]), float(out[-1])
    assert after - before <= 50, f"peak RSS rose by {after - before:.0f} MB"


def test_four_4096_square_uploads_at_once_cost_the_server_under_100_mb():
    """Read as the Draw page reads them, in four threads of this process, with the server's two malloc arenas:
    +674 MB before uploads were decoded two at a time and shrunk before their arithmetic, now ≈ +85 MB
    (bench/decode_memory.py, bench/RESULTS.md)."""
    fewer_malloc_arenas()
    upload = png(4096, 4096, colour=0)  # a 16 KB PNG
    image_to_mnist(load_upload(png(64, 64, colour=0)))  # warm: code paths loaded
    clear_refs = Path("/proc/self/clear_refs")
    if not clear_refs.exists():
        pytest.skip("resets the peak RSS through Linux's /proc (CI runs on Linux)")
    clear_refs.write_text("5")  # VmHWM back to the RSS of now
    before = _status_mb("VmHWM")
    threads = [threading.Thread(target=lambda: image_to_mnist(load_upload(upload))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rise = _status_mb("VmHWM") - before
    assert rise <= 100, f"peak RSS rose by {rise:.0f} MB"


def _status_mb(field: str) -> float:
    return int(Path("/proc/self/status").read_text().split(f"{field}:")[1].split()[0]) / 1024
