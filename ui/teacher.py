"""The teacher's view of every run on the server, with a Stop for each; behind the password in
$MNIST_LAB_TEACHER_PASSWORD. Without that setting there is no such view at all.

Guessing is limited per server, not per session (ten sessions once made 200 guesses in 21 s): `PasswordGate`
checks one guess at a time; wrong guesses draw on a bucket of BURST, refilled one every REFILL_S, and once it
is empty a wrong guess keeps the gate shut until the next refill. 200 guesses then take at least
(200 − BURST) × REFILL_S = 63 minutes, however many sessions make them, and each is logged. The right password
needs no token: it is checked as soon as its turn at the gate comes, which is at once when nobody is guessing,
and after at most one REFILL_S per guess waiting ahead of it during an attack. So a class guessing cannot lock
the teacher out; it can only make the teacher wait behind the guesses already made.
"""

import hmac
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from mnist_core.i18n import N_, _, integer, percent
from mnist_core.training.run import Run, Sentence
from ui.present import table
from ui.resources import server_wide
from ui.runs import run_queue
from ui.state import session_part

PASSWORD = "MNIST_LAB_TEACHER_PASSWORD"
BURST, REFILL_S = 10, 20.0  # wrong guesses the server lets through at once, and the seconds to earn one more
SLOW_S = 1.0  # every wrong answer also takes this long in its own session
log = logging.getLogger(__name__)


class PasswordGate:
    """The server's one gate to the teacher's view: a bucket of wrong guesses shared by every session."""

    def __init__(self, burst: int = BURST, refill_s: float = REFILL_S, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.burst, self.refill_s, self.clock, self.sleep = burst, refill_s, clock, sleep
        self._turn = threading.Lock()  # one guess checked at a time, server-wide
        self._tokens, self._since, self.wrong = float(burst), clock(), 0

    def check(self, given: str, secret: str) -> bool:
        """Whether `given` is `secret`; a wrong guess beyond the bucket holds the gate until the next refill."""
        with self._turn:
            if hmac.compare_digest(given.encode(), secret.encode()):
                return True
            self._refill()
            if self._tokens < 1:
                self.sleep((1 - self._tokens) * self.refill_s)
                self._refill()
            self._tokens -= 1
            self.wrong += 1
            log.log(logging.WARNING, "Wrong teacher password (%d wrong on this server since it started)", self.wrong)
        self.sleep(SLOW_S)  # and a slow answer in this session, outside the gate
        return False

    def _refill(self) -> None:
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._since) / self.refill_s)
        self._since = now


@server_wide
def password_gate() -> PasswordGate:
    return PasswordGate()


@dataclass
class TeacherAccess:
    """Whether this visitor gave the server's teacher password on the Train page."""

    granted: bool = False
    refused: str = ""  # the last wrong guess: the page's reruns show its answer again, not guess it again


def teacher_panel() -> None:
    """An expander: the password field, then (once given) every queued and training run."""
    secret = os.environ.get(PASSWORD, "")
    if not secret:
        return
    access = session_part(TeacherAccess)
    with st.expander(_("Teacher: every run on this server"), expanded=access.granted):
        if not access.granted:
            given = st.text_input(_("Teacher password"), type="password", key="teacher_password")
            if given and given != access.refused and password_gate().check(given, secret):
                access.granted = True
                st.rerun()
            elif given:
                access.refused = given
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
