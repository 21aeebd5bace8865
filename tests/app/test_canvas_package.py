"""The canvas comes from its pinned package: the files are checked, changed only as intended, and a wrong
package is one sentence on the page, not a traceback. No browser (tests/browser/ draws on the real canvas)."""

import base64
import difflib
import shutil
from importlib.metadata import distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from streamlit.testing.v1 import AppTest

from tests.support import ROOT
from ui import canvas, canvas_package
from ui.canvas_package import BUILD, DISTRIBUTION, SCRIPT, SHA256, STYLE, VERSION, CanvasPackageError, load, patched


def assert_one_sentence(message: str) -> None:
    assert message[0].isupper() and message.endswith(".") and "\n" not in message
    assert ". " not in message[:-1] and "Traceback" not in message and "/work" not in message and "/tmp" not in message


@pytest.fixture
def copy(tmp_path) -> Path:
    """A copy of the installed package's frontend folder, free to tamper with."""
    build = Path(str(distribution(DISTRIBUTION).locate_file(BUILD)))
    shutil.copytree(build, tmp_path / "build")
    return tmp_path / "build"


def test_the_checked_hashes_are_the_wheels_own():
    """The SHA-256 the loader expects are those the 0.13.0 wheel's RECORD lists for its two frontend files."""
    dist = distribution(DISTRIBUTION)
    record = {line.split(",")[0]: line.split(",")[1] for line in dist.read_text("RECORD").splitlines()}
    for name, hexdigest in SHA256.items():
        wheel = record[f"{BUILD}/{name}"].removeprefix("sha256=")
        assert base64.urlsafe_b64encode(bytes.fromhex(hexdigest)).decode().rstrip("=") == wheel
    assert dist.version == VERSION


def test_requirements_pin_the_checked_version():
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    pins = [Requirement(line) for line in lines if line and not line.startswith("#")]
    assert [str(r.specifier) for r in pins if r.name == DISTRIBUTION] == [f"=={VERSION}"]


def test_the_script_differs_from_upstream_only_by_the_send_delay(copy):
    upstream = (copy / SCRIPT).read_text(encoding="utf-8")
    changed = [line for line in difflib.unified_diff(upstream.splitlines(), load(copy).js.splitlines(), n=0)
               if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ["-}, Bc = 200, Ar = (e) => {", "+}, Bc = 0, Ar = (e) => {"]
    assert "h.sender = Nh((c) => Ic(h, c), Bc)" in upstream  # Bc is the delay of the sender a stroke goes through


def test_the_style_only_adds_a_rule_hiding_the_toolbar(copy):
    upstream = (copy / STYLE).read_text(encoding="utf-8")
    css = load(copy).css
    assert css.startswith(upstream)
    assert css[len(upstream):].split() == [".dc-toolbar{display:none!important}"]
    script = (copy / SCRIPT).read_text(encoding="utf-8")  # the toolbar is that element, shown by an inline style
    assert 'n.className = "dc-toolbar"' in script and 'e.toolbarEl.style.display = $c(t) ? "flex" : "none"' in script


@pytest.mark.parametrize("name", [SCRIPT, STYLE])
def test_a_tampered_file_is_one_sentence_naming_it(copy, name):
    data = bytearray((copy / name).read_bytes())
    data[100] ^= 1
    (copy / name).write_bytes(bytes(data))
    with pytest.raises(CanvasPackageError) as caught:
        load(copy)
    message = str(caught.value)
    assert_one_sentence(message)
    assert name in message and "differs from the pinned release's" in message
    assert f"pip install --force-reinstall --no-deps {DISTRIBUTION}=={VERSION}" in message


def test_a_missing_file_is_one_sentence(copy):
    (copy / STYLE).unlink()
    with pytest.raises(CanvasPackageError, match=f"{STYLE} of {DISTRIBUTION} is missing") as caught:
        load(copy)
    assert_one_sentence(str(caught.value))


@pytest.mark.parametrize("times", [0, 2])
def test_the_send_delay_must_be_found_exactly_once(copy, times):
    script = (copy / SCRIPT).read_text(encoding="utf-8").replace("Bc = 200,", "Bc = 300,")
    script += "Bc = 200," * times
    with pytest.raises(CanvasPackageError, match=f"`Bc = 200,` {times} times instead of once") as caught:
        patched(script, "")
    assert_one_sentence(str(caught.value))


def test_another_installed_version_is_one_sentence(monkeypatch):
    class Other:
        version = "0.14.0"
    monkeypatch.setattr(canvas_package, "distribution", lambda name: Other())
    with pytest.raises(CanvasPackageError, match="0.14.0 is installed where the app is built for 0.13.0") as caught:
        load()
    assert_one_sentence(str(caught.value))


def test_a_tampered_package_shows_one_sentence_instead_of_the_canvas(copy, monkeypatch):
    """Through the page: no canvas, no exception, and the Draw page's own error box holds the sentence."""
    (copy / SCRIPT).write_text("export default () => {}", encoding="utf-8")
    monkeypatch.setattr(canvas_package, "installed_build", lambda: copy)
    canvas._component.cache_clear()
    try:
        at = AppTest.from_string("""
import streamlit as st
from ui.canvas import draw_canvas
value = draw_canvas(width=280, height=280, key="c", stroke_width=18, stroke_color="#FFFFFF")
if value.problem:
    st.error(value.problem)
""", default_timeout=60).run()
    finally:
        canvas._component.cache_clear()
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert_one_sentence(error)
    assert f"{SCRIPT} of {DISTRIBUTION} differs from the pinned release's" in error
