"""The teacher's view of every run on the server, with a Stop for each; behind the password in
$MNIST_LAB_TEACHER_PASSWORD. Without that setting there is no such view at all."""

import hmac
import os
import time
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from mnist_core.training.run import Run
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
    with st.expander("Teacher: every run on this server", expanded=access.granted):
        if not access.granted:
            given = st.text_input("Teacher password", type="password", key="teacher_password")
            if given and hmac.compare_digest(given.encode(), secret.encode()):
                access.granted = True
                st.rerun()
            elif given:
                time.sleep(1)  # a slow wrong answer: guessing takes long
                st.error("That is not the teacher password.")
            return
        every_run()


@st.fragment(run_every=2)
def every_run() -> None:
    runs = run_queue().runs()
    if not runs:
        st.caption("Nobody is training or waiting now.")
        return
    table(pd.DataFrame([row(run) for run in runs]), {"minutes": "%.1f"}, hide_index=True)
    for run in runs:
        if not run.stop_requested and st.button(f"Stop {visitor_tag(run)} · {run.label}",
                                                key=f"teacher_stop_{run.owner}_{run.number}"):
            run.stop(note="Stopped by the teacher.")
            st.rerun(scope="fragment")


def row(run: Run) -> dict:
    p, place = run.latest, run.queue_position
    return {"visitor": visitor_tag(run), "run": run.label,
            "where": "stopping" if run.stop_requested else "training" if place == 0 else f"{place} in line",
            "progress": f"epoch {p.epoch}/{p.epochs}, {p.step / p.total_steps:.0%}" if p else "",
            "minutes": (time.time() - run.started_at) / 60 if run.started_at else None}


def visitor_tag(run: Run) -> str:
    """A short tag telling visitors apart (their browser id's start; no names are kept)."""
    return f"visitor {run.owner[:4]}" if run.owner else "visitor ?"
