"""The server-wide training queue, and one visitor's runs (the app layer around mnist_core.training.scheduler)."""

import os
import re
import uuid
from dataclasses import dataclass, field

import keras
import pandas as pd
import streamlit as st

from mnist_core import TrainConfig
from mnist_core.i18n import N_, _, integer, percent
from mnist_core.training.capacity import MOST, default_trainings, threads_per_run, usable_cores
from mnist_core.training.config import short
from mnist_core.training.device import chosen_devices
from mnist_core.training.export import history_csv, model_bytes, tensorboard_available, tensorboard_zip
from mnist_core.training.run import Run
from mnist_core.training.scheduler import RunQueue, ServerLimits
from mnist_core.training.workers import TrainingProcesses
from ui.present import table
from ui.resources import server_wide, test_set
from ui.state import or_stop, session_part

OVERLAY = "train_overlay"  # the Train page's widget choosing the runs drawn on one chart
COOKIE = "mnist_lab_browser"  # one id per browser, so that a visitor's tabs share their run caps
TABLE_POLL_S = 1.0  # how often a live run's row in the run table is redrawn: as often as the live view polls
MAX_RUNS = 5      # runs kept per visitor; the oldest is dropped (and said so) to bound memory
STATUS_NAMES = {"queued": N_("queued"), "running": N_("running"), "finished": N_("finished"),
                "stopped": N_("stopped"), "failed": N_("failed")}  # run.STATUSES, as the run table says them


@dataclass
class Runs:
    """One visitor's training: the run queued or training now, the ended runs kept, and "your model"."""

    active: Run | None = None            # the run queued or training now
    runs: list[Run] = field(default_factory=list)   # ended runs, oldest first, at most MAX_RUNS
    dropped: int = 0                     # runs dropped to stay within MAX_RUNS
    runs_started: int = 0                # numbers this visitor's runs 1, 2, 3…
    yours: int | None = None             # number of the run chosen as "your model"
    browser: str | None = None           # this browser's id, shared by its tabs (browser_id)

    def keep_run(self, run: Run) -> None:
        """Add an ended run; beyond MAX_RUNS the oldest goes, with its model."""
        self.runs.append(run)
        while len(self.runs) > MAX_RUNS:
            old = self.runs.pop(0)
            old.forget_model()
            self.dropped += 1
            if self.yours == old.number:
                self.yours = None

    def your_model(self) -> keras.Model | None:
        return next((r.model for r in self.runs if r.number == self.yours), None)


def my_runs() -> Runs:
    return session_part(Runs)


def server_limits() -> ServerLimits:
    """Hosted-demo bounds from the environment; a bad setting (devices included) raises ValueError with
    one sentence, before any run takes a place in the queue."""
    chosen_devices()
    return ServerLimits(max_concurrent=_setting("MNIST_LAB_MAX_TRAININGS", default_trainings(), 1, MOST),
                        max_epochs=_setting("MNIST_LAB_MAX_EPOCHS", 20, 2, 20),
                        max_train_size=_setting("MNIST_LAB_MAX_TRAIN_SIZE", 60_000, 1_000, 60_000),
                        max_minutes=_setting("MNIST_LAB_MAX_RUN_MINUTES", 60, 1, 24 * 60),
                        max_waiting=_setting("MNIST_LAB_MAX_WAITING", 20, 1, 1000),
                        per_address=_setting("MNIST_LAB_MAX_RUNS_PER_ADDRESS", 5, 1, 1000))


def _setting(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, str(default)).strip()
    if not (raw.isascii() and raw.isdigit() and low <= int(raw) <= high):
        raise ValueError(_("The server setting {setting} must be a whole number from {low} to {high}.").format(
            setting=f"{name}={raw!r}", low=integer(low), high=integer(high)))
    return int(raw)


@server_wide
def run_queue() -> RunQueue:
    """One queue for every visitor, for the server's lifetime (no cache clear remakes it beside the old one);
    its reaper stops runs whose browser stopped sending heartbeats.

    Runs train in child processes (see mnist_core.training.workers) unless MNIST_LAB_TRAIN_PROCESS=0."""
    limits = server_limits()
    threads = threads_per_run(usable_cores(), limits.max_concurrent) if limits.max_concurrent > 1 else 0
    processes = (TrainingProcesses(most=limits.max_concurrent, threads=threads)
                 if _setting("MNIST_LAB_TRAIN_PROCESS", 1, 0, 1) else None)
    queue = RunQueue(limits=limits, abandon_after_s=45, stop_grace_s=30, processes=processes)
    queue.start_reaper()
    return queue


def start(config: TrainConfig) -> None:
    """Queue a run for this visitor (the caller has validated config); ValueError when over a cap."""
    me = my_runs()
    me.active = run_queue().submit(config, number=me.runs_started + 1, owner=browser_id(), address=client_address())
    me.runs_started += 1


def client_address() -> str:
    """Where this visitor connects from, for the per-address cap that a cleared cookie does not reset: the
    connection's IP address, or this browser's id where Streamlit gives none (a visitor on this machine)."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else f"browser {browser_id()}"


def browser_id() -> str:
    """This browser's id: read from its cookie, or made up and written there for its next tabs.

    Where the browser blocks the cookie (a third-party iframe), each tab counts as its own visitor."""
    me = my_runs()
    if me.browser is None:
        sent = st.context.cookies.get(COOKIE)
        sent = sent if isinstance(sent, str) else ""  # AppTest has no real cookies
        me.browser = sent if re.fullmatch(r"[0-9a-f]{32}", sent) else uuid.uuid4().hex
        if sent != me.browser:
            st.html(f"<script>document.cookie = '{COOKIE}={me.browser}; path=/; max-age=86400; SameSite=Lax';"
                    "</script>", unsafe_allow_javascript=True)
    return me.browser


def collect_finished() -> None:
    """Move this visitor's ended run into their list of runs (once)."""
    me = my_runs()
    if me.active is not None and me.active.done:
        me.keep_run(me.active)
        drawable = drawable_labels(me.runs)
        shown = [label for label in st.session_state.get(OVERLAY, []) if label in drawable]
        if me.active.label in drawable:
            shown.append(me.active.label)  # a finished run joins the comparison chart
        st.session_state[OVERLAY] = shown
        me.active = None


def drawable_labels(runs: list[Run]) -> list[str]:
    """The runs the comparison chart can draw: one stopped before its first batch has no curve."""
    return [run.label for run in runs if run.progress]


@st.fragment(run_every=10)
def keep_alive() -> None:
    """Any open page of this visitor keeps its run alive; a closed tab stops sending, and is reaped."""
    active = my_runs().active
    if active is not None:
        active.heartbeat()


def run_table(runs: list[Run], active: Run | None) -> None:
    """The visitor's runs, the one training now included, one row each; what "val" and "test" are, below.

    While a run is live the table redraws itself every TABLE_POLL_S: the page around it reruns only at the
    run's events (its first batch, its end), so a row drawn with the page kept its first batch's loss."""
    st.fragment(_rows, run_every=TABLE_POLL_S if active is not None else None)(runs, active)
    st.caption(_("Val: accuracy on the images held out of its training set. Test: on MNIST's {test_digits} "
                 "official test digits, which no run ever trains on, scored once a run has trained to its "
                 "end.").format(test_digits=integer(len(or_stop(test_set)[1]))))


def _rows(runs: list[Run], active: Run | None) -> None:
    """The table itself: one row per run, read from each run now."""
    rows = [summary(r) for r in runs] + ([summary(active)] if active is not None else [])
    table(pd.DataFrame(rows), {_("seconds"): "%.1f", _("train loss"): "%.3f", _("val"): "percent",
                               _("test"): "percent"}, hide_index=True)


def summary(run: Run) -> dict:
    """One row of the run table, its columns named in the visitor's language: config, time, and the latest
    metrics (a live run's as it trains)."""
    c, last = run.config, run.latest
    ended = [p for p in run.progress if p.val_accuracy is not None]
    status = _("stopping…") if run.stop_requested and not run.done else _(STATUS_NAMES[run.status])
    return {_("run"): run.name(), _("status"): status, _("settings"): settings(c),
            _("seconds"): run.seconds if run.model else None,
            _("train loss"): last.loss if last else None, _("val"): ended[-1].val_accuracy if ended else None,
            _("test"): run.test_accuracy}


def settings(c: TrainConfig) -> str:
    """The settings the run name leaves out, e.g. "adam, lr 0.001, batch 128, dropout 20%"."""
    extras = [c.optimizer, _("lr {rate}").format(rate=short(c.learning_rate)),
              _("batch {size}").format(size=integer(c.batch_size))]
    extras += [_("dropout {share}").format(share=percent(c.dropout, 0))] if c.dropout else []
    return ", ".join(extras + ([_("augmented")] if c.augment else []))


def downloads(run: Run) -> dict[str, bytes]:
    """The run's files, built when asked (only the latest asked-for run's are kept)."""
    with st.spinner(_("Preparing the files…")):  # shown only if building them takes more than a moment
        return _files(run.number, run)


@st.cache_resource(scope="session", max_entries=1, show_spinner=False)
def _files(number: int, _run: Run) -> dict[str, bytes]:
    """Keyed by the run's number, which names one run for the whole visit."""
    files = {"model.keras": model_bytes(_run.model), "history.csv": history_csv(_run.progress).encode()}
    if tensorboard_available():
        files["tensorboard.zip"] = tensorboard_zip(_run.progress, f"run{number}")
    return files
