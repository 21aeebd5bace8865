"""The teacher's view of every run on the server, with a Stop for each; behind the password in
$MNIST_LAB_TEACHER_PASSWORD. Without that setting there is no such view at all."""

import hmac
import os
import time
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from mnist_core.i18n import N_, _, integer, percent
from mnist_core.training.run import Run, Sentence
from ui.present import table
from ui.runs import run_queue
from ui.state import session_part

PASSWORD = "MNIST_LAB_TEACHER_PASSWORD"


@dataclass
class TeacherAccess:
    """Whether this visitor gave the server's teacher password on the Train page."""

    granted: bool = False


def teacher_panel() -> None:
    """An expander: the password field, then (once given) every queued and training run."""
    secret = os.environ.get(PASSWORD, "")
    if not secret:
        return
    access = session_part(TeacherAccess)
    with st.expander(_("Teacher: every run on this server"), expanded=access.granted):
        if not access.granted:
            given = st.text_input(_("Teacher password"), type="password", key="teacher_password")
            if given and hmac.compare_digest(given.encode(), secret.encode()):
                access.granted = True
                st.rerun()
            elif given:
                time.sleep(1)  # a slow wrong answer: guessing takes long
                st.error(_("That is not the teacher password."))
            return
        every_run()


@st.fragment(run_every=2)
def every_run() -> None:
    runs = run_queue().runs()
    if not runs:
        st.caption(_("Nobody is training or waiting now."))
        return
    table(pd.DataFrame([row(run) for run in runs]), {_("minutes"): "%.1f"}, hide_index=True)
    for run in runs:
        stop = _("Stop {visitor} · {run}").format(visitor=visitor_tag(run), run=run.name())
        if not run.stop_requested and st.button(stop, key=f"teacher_stop_{run.owner}_{run.number}"):
            run.stop(note=Sentence(N_("Stopped by the teacher.")))  # said in the student's language
            st.rerun(scope="fragment")


def row(run: Run) -> dict:
    """One run's row, its columns named in the teacher's language."""
    p, place = run.latest, run.queue_position
    where = _("stopping") if run.stop_requested else _("training") if not place else _("{place} in line").format(
        place=integer(place))
    progress = _("epoch {epoch}/{epochs}, {done}").format(epoch=p.epoch, epochs=p.epochs,
                                                          done=percent(p.step / p.total_steps, 0)) if p else ""
    return {_("visitor"): visitor_tag(run), _("run"): run.name(), _("where"): where, _("progress"): progress,
            _("minutes"): (time.time() - run.started_at) / 60 if run.started_at else None}


def visitor_tag(run: Run) -> str:
    """A short tag telling visitors apart (their browser id's start; no names are kept)."""
    return _("visitor {id}").format(id=run.owner[:4] if run.owner else "?")
