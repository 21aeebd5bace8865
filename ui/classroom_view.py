"""The parts of "Our class's digits" around the store: opening it once per server, who this visitor is,
opening or joining a class, the teacher's tools (behind a click; the key only on request), and the class's
drawings and scores, shared by every visitor and fetched again only when the class's count changes."""

from dataclasses import dataclass

import numpy as np
import streamlit as st

from mnist_core.classroom.rules import MAX_HOURS, ClassroomError, client_token, export_npz
from mnist_core.classroom.scoring import score_class
from mnist_core.classroom.store import ClassInfo, ClassroomStore, database_url
from mnist_core.i18n import N_, _, integer, ngettext
from mnist_core.models.inference import fingerprint
from mnist_core.models.registry import YOURS
from mnist_core.plots.live import pixelated
from ui.runs import browser_id
from ui.state import kept, session_part

LIFETIMES = {1: N_("1 hour"), 2: N_("2 hours"), 24: N_("1 day"), 168: N_("1 week"), MAX_HOURS: N_("30 days")}
SHARED_CLASSES = 8  # classes whose drawings and scores the server keeps at once (one entry per class version)


@dataclass
class ClassVisit:
    """This visitor's place in "Our class's digits"."""

    browser: str = ""                     # the browser's id (its cookie), for the per-visitor cap only
    address: str | None = None            # the client's address as Streamlit saw it (None on localhost)
    code: str | None = None               # the class joined or opened
    teacher: tuple[str, str] | None = None  # (code, teacher key) when this visitor opened it or gave its key
    pending: np.ndarray | None = None     # the canvas's drawing, 28×28 MNIST-style, until a digit button adds it
    last: tuple[np.ndarray, int] | None = None  # the drawing this visitor added last, and the digit meant
    note: tuple[str, str] | None = None   # ("success" or "error", sentence) from the last digit button
    cleared: bool = False                 # the canvas was emptied by the last add: this run's value predates it


def class_visit() -> ClassVisit:
    return session_part(ClassVisit)


@st.cache_resource(show_spinner=False)
def open_store(url: str) -> ClassroomStore:
    """One store per server (and database); it purges expired classes on its own schedule."""
    store = ClassroomStore(url)
    store.purge_every()
    return store


def store() -> ClassroomStore:
    return open_store(database_url())  # $MNIST_LAB_DATABASE_URL, or SQLite in $MNIST_LAB_CACHE


def attempt(action):
    """Run a classroom action; a refusal or a database fault (bad code, cap reached, no answer within the deadline)
    is shown as its one sentence, and None returned."""
    try:
        return action()
    except ClassroomError as err:
        st.error(str(err))
        return None


def identify() -> None:
    """Who adds drawings, for the caps only (no names): the browser's cookie id, and the client's address."""
    me = class_visit()
    me.browser = me.browser or browser_id()
    me.address = st.context.ip_address


def add(code: str, digit: int) -> None:
    """Add the pending drawing as `digit`: counted per browser and per client address (or browser, on localhost)."""
    me = class_visit()
    client = client_token(code, me.address or me.browser)
    try:
        saved = store().add_drawing(code, me.browser, me.pending, digit, client)
    except ClassroomError as err:
        me.note = ("error", str(err))
        return
    cap = store().visitor_cap
    me.last, me.pending, me.cleared = (me.pending, digit), None, True
    # TRANSLATORS: {digit} is the digit just saved; {saved} of {cap} counts this visitor's drawings.
    me.note = ("success", ngettext("Saved your {digit}: you have added {saved} of {cap} drawing.",
                                   "Saved your {digit}: you have added {saved} of {cap} drawings.", cap).format(
        digit=digit, saved=integer(saved), cap=integer(cap)))


def enlarged(images: np.ndarray) -> list[np.ndarray]:
    return [pixelated(image) for image in images]


def choose_class() -> None:
    """The first screen: open a class (teacher) or join one with its code (student)."""
    me = class_visit()
    teach, join = st.columns(2, border=True)
    with teach:
        st.subheader(_("I am the teacher"))
        lifetime = st.select_slider(_("The class and its drawings are deleted after"), list(LIFETIMES), 2,
                                    format_func=lambda hours: _(LIFETIMES[hours]), key=kept("class_lifetime"))
        if st.button(_("Open a class"), key="class_open", type="primary"):
            opened = attempt(lambda: store().open_class(lifetime))
            if opened:
                me.code, me.teacher = opened[0], opened
                st.rerun()
    with join:
        st.subheader(_("I have a class code"))
        typed = st.text_input(_("Class code"), max_chars=8, key="class_code_input", placeholder=_("e.g. K7MP2Q"))
        key = st.text_input(_("Teacher key (teachers only)"), type="password", key="class_key_input")
        joined = attempt(lambda: store().info(typed)) if st.button(_("Join"), key="class_join") else None
        if joined:
            teacher = bool(key) and attempt(lambda: store().is_teacher(joined.code, key))
            me.code, me.teacher = joined.code, (joined.code, key) if teacher else None
            st.rerun()


def leave() -> None:
    me = class_visit()
    me.code = me.teacher = me.last = me.note = None


def teacher_tools(code: str) -> None:
    """Behind a click, so that the projector shows none of it: the drawings as MNIST-style .npz, the teacher
    key (only when asked for), and deleting the class."""
    key = class_visit().teacher[1]
    with st.expander(_("Teacher tools"), icon=":material/lock:"):
        url = database_url()  # read here: the download is made on its own thread, when clicked

        def everything() -> bytes:
            return export_npz(*open_store(url).drawings(code))

        st.download_button(_("Download the class's drawings (.npz)"), everything,
                           file_name=f"class-{code}.npz", mime="application/octet-stream", key="class_download",
                           help=_("All the drawings at the moment of the click. x_test: uint8 (N, 28, 28), y_test: "
                                  "uint8 (N,), the keys of keras's mnist.npz."))
        if st.toggle(_("Show the teacher key"), key="class_show_key"):
            st.caption(_("Teacher key: `{key}`. Keep it to manage this class from another browser; students never "
                         "need it.").format(key=key))
        if st.button(_("Delete the class now"), key="class_delete") and attempt(
                lambda: store().delete_class(code, key)) is not None:
            leave()
            st.rerun()


def class_drawings(info: ClassInfo, models: dict) -> tuple[np.ndarray, np.ndarray, dict] | None:
    """The class's drawings, labels and each model's evaluation of them; fetched and scored once per server for
    each count of drawings (a projector asks every few seconds), "your model" once per visitor."""
    shared = attempt(lambda: _shared(database_url(), info.code, info.drawings, info.latest,
                                     {n: m for n, m in models.items() if n != YOURS}))
    if shared is None:
        return None
    images, labels, scores = shared
    if YOURS in models:
        scores = scores | {YOURS: _yours(info.code, info.drawings, info.latest, fingerprint(models[YOURS]),
                                         models[YOURS], images, labels)}
    return images, labels, scores


@st.cache_resource(max_entries=SHARED_CLASSES, show_spinner=False)
def _shared(url: str, code: str, count: int, latest: int, _models: dict) -> tuple[np.ndarray, np.ndarray, dict]:
    """Keyed by the database, the class and its version (count, newest id): drawings are only ever added."""
    images, labels = open_store(url).drawings(code)
    return images, labels, score_class(_models, images, labels)


@st.cache_resource(scope="session", max_entries=1, show_spinner=False)
def _yours(code: str, count: int, latest: int, weights: str, _model, _images: np.ndarray, _labels: np.ndarray):
    """Keyed by the class's version and the visitor's model's weights."""
    return score_class({YOURS: _model}, _images, _labels)[YOURS]
