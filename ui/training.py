"""The server-wide training queue and one visitor's runs (the app layer around mnist_core.jobs)."""

import itertools
import os
from dataclasses import dataclass

import streamlit as st

from mnist_core import MODELS, Progress
from mnist_core.export import history_csv, model_bytes, tensorboard_available, tensorboard_zip
from mnist_core.jobs import JobRegistry, ServerLimits, TrainingJob, TrainingSlots

_ids = itertools.count(1)


def server_limits() -> ServerLimits:
    """Hosted-demo bounds from the environment; a bad setting raises ValueError with one sentence."""
    return ServerLimits(max_concurrent=_setting("MNIST_LAB_MAX_TRAININGS", 1, 1, 64),
                        max_epochs=_setting("MNIST_LAB_MAX_EPOCHS", 20, 2, 20),
                        max_train_size=_setting("MNIST_LAB_MAX_TRAIN_SIZE", 60_000, 1_000, 60_000))


def _setting(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, str(default)).strip()
    if not (raw.isdigit() and low <= int(raw) <= high):
        raise ValueError(f"The server setting {name}={raw!r} must be a whole number from {low:,} to {high:,}.")
    return int(raw)


@st.cache_resource
def registry() -> JobRegistry:
    """One queue for every visitor; its reaper stops runs whose browser stopped sending heartbeats."""
    limits = server_limits()
    jobs = JobRegistry(TrainingSlots(limits.max_concurrent), limits=limits, abandon_after_s=45)
    jobs.start_reaper()
    return jobs


@dataclass
class Run:
    """A finished or stopped run of this visitor, with its downloads made once."""

    id: int
    job: TrainingJob

    @property
    def label(self) -> str:
        c = self.job.config
        return f"Run {self.id}: {MODELS[c.model].display_name}, {c.epochs} ep, {c.train_images:,} images"

    @property
    def model(self):
        return self.job.result.model if self.job.result else None

    @property
    def history(self) -> tuple[Progress, ...]:
        return self.job.progress

    def summary(self) -> dict:
        """One row of the run table: config, time and final metrics."""
        c, last = self.job.config, (self.history[-1] if self.history else None)
        ended = [p for p in self.history if p.val_accuracy is not None]
        return {"run": self.label, "status": self.job.status, "optimizer": c.optimizer,
                "learning rate": c.learning_rate, "batch": c.batch_size, "dropout": c.dropout,
                "augment": c.augment, "seconds": round(self.job.result.seconds, 1) if self.job.result else None,
                "train loss": last.loss if last else None, "train accuracy": last.accuracy if last else None,
                "val accuracy": ended[-1].val_accuracy if ended else None}

    def downloads(self) -> dict[str, bytes]:
        cache = st.session_state.setdefault("train_downloads", {})
        if self.id not in cache:
            files = {"model.keras": model_bytes(self.model), "history.csv": history_csv(self.history).encode()}
            if tensorboard_available():
                files["tensorboard.zip"] = tensorboard_zip(self.history, f"run{self.id}")
            cache[self.id] = files
        return cache[self.id]


def active_job() -> TrainingJob | None:
    return st.session_state.get("train_job")


def start(config) -> None:
    """Queue a run for this visitor (the caller has validated config); ValueError when over a cap."""
    st.session_state["train_job"] = registry().submit(config)


def collect_finished() -> None:
    """Move this visitor's ended job into the run list (once)."""
    job = active_job()
    if job is not None and job.done:
        st.session_state["train_job"] = None
        st.session_state.setdefault("train_runs", []).append(Run(next(_ids), job))


@st.fragment(run_every=10)
def keep_alive() -> None:
    """Any open page of this visitor keeps its run alive; a closed tab stops sending, and is reaped."""
    job = active_job()
    if job is not None:
        job.heartbeat()


def choose_yours(usable: list[Run]) -> None:
    """on_change of the "your model" box: kept outside widget state, so it survives page changes."""
    label = st.session_state["train_yours"]
    st.session_state["your_model"] = next((r.model for r in usable if r.label == label), None)
