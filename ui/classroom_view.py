"""The parts of "Our class's digits": the classroom store, opening or joining a class, the teacher's tools,
adding a drawing, and the scores the page keeps per visitor (so reruns do not rescore)."""

import hashlib
from dataclasses import dataclass

import numpy as np
import streamlit as st

from mnist_core.classroom.rules import MAX_HOURS, ClassroomError, export_npz, new_secret
from mnist_core.classroom.scoring import score_class
from mnist_core.classroom.store import ClassroomStore, database_url
from mnist_core.i18n import N_, _, integer, ngettext
from mnist_core.models.inference import fingerprint
from mnist_core.models.registry import YOURS
from mnist_core.plots.live import pixelated
from ui.models import test_set_evaluation
from ui.resources import shipped_evaluation
from ui.state import current_digit, drawing, kept, or_stop, session_part

LIFETIMES = {1: N_("1 hour"), 2: N_("2 hours"), 24: N_("1 day"), 168: N_("1 week"), MAX_HOURS: N_("30 days")}


@dataclass
class ClassVisit:
    """This visitor's place in "Our class's digits"."""

    token: str = ""                       # random, for the per-visitor cap only (no names are kept)
    code: str | None = None               # the class joined or opened
    teacher: tuple[str, str] | None = None  # (code, teacher key) when this visitor opened it


def class_visit() -> ClassVisit:
    return session_part(ClassVisit)


@st.cache_resource(show_spinner=False)
def open_store(url: str) -> ClassroomStore:
    return ClassroomStore(url)


def store() -> ClassroomStore:
    with st.spinner(_("Opening the classroom database…")):  # shown only if it takes half a second
        return open_store(database_url())  # $MNIST_LAB_DATABASE_URL, or SQLite in $MNIST_LAB_CACHE


def attempt(action):
    """Run a classroom action; a refusal (bad code, cap reached, class closed…) is shown as its one sentence."""
    try:
        return action()
    except ClassroomError as err:
        st.error(str(err))
        return None


def enlarged(images: np.ndarray) -> list[np.ndarray]:
    return [pixelated(image) for image in images]


def visitor_token() -> None:
    """A random token for this visitor, for the per-visitor cap only (no names are kept)."""
    me = class_visit()
    me.token = me.token or new_secret()


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
            code = me.code = joined.code
            me.teacher = (code, key) if key and store().is_teacher(code, key) else None
            st.rerun()


def leave() -> None:
    me = class_visit()
    me.code = me.teacher = None


def teacher_tools(code: str, images: np.ndarray, labels: np.ndarray) -> None:
    """Download the class's drawings (`images`, `labels`: all of them, this one's included) as MNIST-style
    .npz, and delete the class (teacher key from this session)."""
    teacher = class_visit().teacher
    count = len(labels)
    st.download_button(ngettext("Download the {n} drawing (.npz)", "Download the {n} drawings (.npz)", count).format(
                           n=integer(count)), export_npz(images, labels),
                       file_name=f"class-{code}.npz", mime="application/octet-stream", key="class_download",
                       help=_("x_test: uint8 (N, 28, 28), y_test: uint8 (N,), the keys of keras's mnist.npz."))
    if st.button(_("Delete the class now"), key="class_delete") and attempt(
            lambda: store().delete_class(code, teacher[1])) is not None:
        leave()
        st.rerun()
    st.caption(_("Teacher key: `{key}`. Keep it to manage this class from another browser; students never need "
                 "it.").format(key=teacher[1]))


def contribute(code: str) -> None:
    """Add the drawing from the Draw page (where every drawing is checked) with the digit it was meant to be."""
    me = class_visit()
    label = st.selectbox(_("The digit I meant"), range(10), key=kept("class_label"))
    image, sentence = current_digit()
    drew = drawing().image is not None  # current_digit falls back to a test digit
    picture, act = st.columns([1, 3], vertical_alignment="center")
    picture.image(np.kron(image, np.ones((5, 5))), caption=sentence, width=140, clamp=True)
    if act.button(_("Add my current drawing as digit {digit}").format(digit=label), key="class_add_current",
                  disabled=not drew, type="primary"):
        saved = attempt(lambda: store().add_drawing(code, me.token, image, label))
        if saved:
            cap = store().visitor_cap
            # TRANSLATORS: {digit} is the digit just saved; {saved} of {cap} counts this visitor's drawings.
            st.toast(ngettext("Saved your {digit}: you have added {saved} of {cap} drawing.",
                              "Saved your {digit}: you have added {saved} of {cap} drawings.", cap).format(
                digit=label, saved=integer(saved), cap=integer(cap)))
    act.caption(_("Draw your next digit on the Draw page, then come back here to add it."))


def mnist_scores(models: dict) -> dict:
    """Each model's evaluation on MNIST's test set: shared for shipped models, once per session for yours."""
    scores = {name: or_stop(lambda n=name: shipped_evaluation(n)) for name in models if name != YOURS}
    if YOURS in models:
        scores[YOURS] = test_set_evaluation(fingerprint(models[YOURS]), models[YOURS])
    return scores


def class_scores(code: str, images: np.ndarray, labels: np.ndarray, models: dict) -> dict:
    """The class's evaluations, kept for one set of drawings and models so reruns do not rescore."""
    drawn = hashlib.sha256(images.tobytes() + labels.tobytes()).hexdigest()
    return _class_scores(code, drawn, tuple(fingerprint(m) for m in models.values()), models, images, labels)


@st.cache_resource(scope="session", max_entries=1, show_spinner=False)
def _class_scores(code: str, drawn: str, weights: tuple, _models: dict, _images: np.ndarray,
                  _labels: np.ndarray) -> dict:
    """Keyed by the class, its drawings' and labels' bytes and the models' weights."""
    return score_class(_models, _images, _labels)
