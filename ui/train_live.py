"""The Train page's live view of the visitor's run: queue place and wait, progress, Stop, curves, and
the model learning (a strip of test digits and its first layer's kernels). Polled once a second, and four
times a second while its first batch or its end is due."""

import streamlit as st

from mnist_core.figures import training_curves
from mnist_core.glimpse import strip_indices
from mnist_core.inside_figures import heatmap_grid, learning_strip
from mnist_core.runs import Run
from ui.present import show
from ui.resources import test_set
from ui.runs import run_queue
from ui.state import or_stop, visitor

STOP_WAIT_S = 0.8  # Stop waits this long for the run to end, so that the run table shows it within a second
# Polled once a second while it trains; four times a second while an event is due any moment: its first batch
# (while "Preparing"), and its end (from its last second of batches on, through the test-set scoring).
POLL_S, FAST_POLL_S = 1.0, 0.25


def live() -> None:
    """The visitor's run, polled once a second (four times a second while its first batch or its end is due);
    no Streamlit call ever runs on the run's own thread."""
    (_fast if due(visitor().active) else _training)()


def preparing(run: Run | None) -> bool:
    """Holding a training slot (not waiting in line) but with no batch done yet."""
    return run is not None and not run.done and not run.progress and not run.queue_position


def due(run: Run | None) -> bool:
    """Its first batch or its end is due within a poll: preparing, or less than a poll's time of batches left
    (or none: validating and scoring), so that the page shows either within a quarter of a second."""
    if preparing(run):
        return True
    p = None if run is None or run.done else run.latest
    return p is not None and (p.step >= p.total_steps or (p.eta_s is not None and p.eta_s < POLL_S))


@st.fragment(run_every=FAST_POLL_S)
def _fast() -> None:
    run = visitor().active
    if not due(run) and not (run and run.done):
        st.rerun()  # the whole page, which polls at the slower pace from now on
    _show(run)


@st.fragment(run_every=POLL_S)
def _training() -> None:
    if due(visitor().active):
        st.rerun()  # the whole page, which polls faster until the event it waits for
    _show(visitor().active)


def _show(run: Run | None) -> None:
    if run is None:
        return
    run.heartbeat()
    if run.done:
        st.rerun()  # the whole page: the run joins the list below
    progress_bar(run)
    if st.button("Stop training", key="train_stop", disabled=run.stop_requested):
        run.stop()
        run.wait(STOP_WAIT_S)
        st.rerun()  # the whole page, so that the run table says it stopped (or is stopping)
    if run.progress:
        st.plotly_chart(show(training_curves({"this run": run.progress})), key="train_live_curves")
    watch(run)


def progress_bar(run: Run) -> None:
    """Where the run is: its place in the line and estimated wait, or its step, speed and ETA."""
    p = run.latest
    if run.status == "queued" and run.queue_position:
        wait = run_queue().wait_estimate(run)
        when = ("not known until the runs ahead show their speed" if wait is None else
                f"about {max(1, round(wait / 60))} min" if wait >= 60 else
                f"about {wait:.0f} s" if wait >= 1 else "any moment now")
        st.info(f"Other visitors are training. You are number {run.queue_position} in the queue; "
                f"estimated wait: {when}.")
        st.progress(0.0, text="Waiting for your turn…")
    elif p is None:
        st.progress(0.0, text="Preparing the data and the model…")
    else:
        speed = "measuring speed…" if p.eta_s is None else f"{p.images_per_s:,.0f} images/s · ETA {p.eta_s:.0f} s"
        if run.stop_requested:
            speed = "stopping after this batch…"
        where = f"Epoch {p.epoch}/{p.epochs} · step {p.step}/{p.total_steps}"
        st.progress(p.step / p.total_steps, text=f"{where} · {speed}")


def watch(run: Run) -> None:
    """Learning as it happens: how the model reads ten test digits now, and its first layer's kernels."""
    glimpse = run.glimpse
    if glimpse is None:
        return
    images, labels = or_stop(test_set)
    strip = strip_indices(labels)
    right = int((glimpse.predictions == labels[strip]).sum())
    st.markdown(f"**After {glimpse.step} batches it reads {right} of these {len(strip)} test digits right** "
                "(green: right, red: wrong; its confidence in brackets)")
    st.plotly_chart(show(learning_strip(images[strip], labels[strip], glimpse.predictions, glimpse.confidences)),
                    key="train_strip")
    if glimpse.kernels is not None:
        st.markdown(f"**Its first layer's {len(glimpse.kernels)} kernels, changing as it learns** "
                    "(blue: positive weights, red: negative)")
        titles = [f"#{i}" for i in range(len(glimpse.kernels))]
        st.plotly_chart(show(heatmap_grid(glimpse.kernels, titles, cols=16, cell=44, diverging=True)),
                        key="train_kernels")
