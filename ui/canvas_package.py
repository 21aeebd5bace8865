"""streamlit-drawable-canvas's browser side, read from its installed, pinned release and changed in memory.

The app draws with the package's own frontend bundle, but needs two things upstream does not offer:
a finished stroke sent at mouse-up (upstream waits 200 ms, the debounce `Bc` of the history save called on
mouse-up: stroke to verdict went 563 → 319 ms without it), and no hover toolbar (undo, redo, delete, reset…:
this app uses none of it, the toolbar covers what is next to the canvas, and its 22.4 px buttons are below
WCAG's 24 px; 0.13.0 hides it only when `disabled`, which also stops drawing). So the files are read without
importing the package (its import registers its own component and raises outside `streamlit run`), checked
against the pinned release's SHA-256, and changed here; anything unexpected is one sentence saying what to do.
"""

import hashlib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import NamedTuple

from mnist_core.i18n import _

DISTRIBUTION = "streamlit-drawable-canvas"
VERSION = "0.13.0"  # requirements.txt pins the same (tests/app/test_canvas_package.py checks)
BUILD = "streamlit_drawable_canvas/frontend/build"
SCRIPT, STYLE = "index-ynYgWHmM.js", "index-style.css"
SHA256 = {SCRIPT: "40c729b5694331c848834c38423b7fd2f5dcc5685d178c40e2b3ed6fe67a0a35",
          STYLE: "ab2979a4639ac61a54c28c0ba65985ba8e9aaaf235d6601851adf24d5bb22188"}
SEND_DELAY = ("Bc = 200,", "Bc = 0,")  # the debounce of the send that the history save on mouse-up schedules
# An author's !important rule beats the inline `style.display = "flex"` the bundle gives the toolbar.
NO_TOOLBAR = "\n.dc-toolbar{display:none!important}\n"
REINSTALL = f"pip install --force-reinstall --no-deps {DISTRIBUTION}=={VERSION}"


class CanvasPackageError(Exception):
    """The installed canvas package is not the pinned release: its message is one sentence for the visitor."""


class Frontend(NamedTuple):
    """The canvas's script and style, as this app registers them."""
    js: str
    css: str


def installed_build() -> Path:
    """The installed package's frontend folder, found through its metadata (the package is not imported)."""
    try:
        dist = distribution(DISTRIBUTION)
    except PackageNotFoundError:
        raise CanvasPackageError(_("The drawing canvas cannot start because {package} is not installed; install "
                                   "the app's packages with `pip install -r requirements.txt`.").format(
            package=DISTRIBUTION)) from None
    if dist.version != VERSION:
        raise CanvasPackageError(_("The drawing canvas cannot start because {package} {found} is installed where "
                                   "the app is built for {version}; install the pinned version with "
                                   "`pip install -r requirements.txt`.").format(
            package=DISTRIBUTION, found=dist.version, version=VERSION))
    return Path(str(dist.locate_file(BUILD)))


def read_checked(build: Path, name: str) -> str:
    """One frontend file's text, after checking that its bytes are the pinned release's."""
    try:
        data = (build / name).read_bytes()
    except OSError:
        data = None
    if data is None or hashlib.sha256(data).hexdigest() != SHA256[name]:
        problem = (_("The drawing canvas cannot start because {file} of {package} is missing; reinstall it with "
                     "`{command}`.") if data is None else
                   _("The drawing canvas cannot start because {file} of {package} differs from the pinned release's; "
                     "reinstall it with `{command}`."))
        raise CanvasPackageError(problem.format(file=name, package=DISTRIBUTION, command=REINSTALL))
    return data.decode("utf-8")


def patched(js: str, css: str) -> Frontend:
    """Upstream's script with the send delay set to 0, and its style with the toolbar hidden."""
    before, after = SEND_DELAY
    if js.count(before) != 1:
        # TRANSLATORS: {text} is a piece of JavaScript; {count} a number other than 1.
        raise CanvasPackageError(_("The drawing canvas cannot start because {package}'s script holds `{text}` "
                                   "{count} times instead of once; reinstall it with `{command}`.").format(
            package=DISTRIBUTION, text=before, count=js.count(before), command=REINSTALL))
    return Frontend(js.replace(before, after), css + NO_TOOLBAR)


def load(build: Path | None = None) -> Frontend:
    """The app's canvas frontend from the installed package (or from `build`, a folder holding its two files)."""
    build = installed_build() if build is None else build
    return patched(read_checked(build, SCRIPT), read_checked(build, STYLE))
