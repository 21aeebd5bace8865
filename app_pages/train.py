"""Train: launch a short run, watch the loss fall live, stop it, then compare and download runs."""

import pandas as pd
import streamlit as st

from mnist_core import MODELS, TrainConfig
from mnist_core.device import fastest_precision
from mnist_core.figures import training_curves
from mnist_core.jobs import check_limits
from mnist_core.training import OPTIMIZERS
from ui.resources import device
from ui.training import active_job, choose_yours, collect_finished, server_limits, start

limits = server_limits()
SIZES = [500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000]
RATES = [1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 1e-2, 3e-2, 1e-1]
with st.sidebar:
    model = st.selectbox("Model", list(MODELS), index=2, format_func=lambda n: MODELS[n].display_name,
                         key="train_model")
    epochs = st.slider("Epochs", 1, limits.max_epochs, 2, key="train_epochs")
    size = st.select_slider("Training images", [s for s in SIZES if s <= limits.max_train_size], 5_000,
                            key="train_size", format_func=lambda s: f"{s:,}")
    split = st.slider("Held out for validation", 0.0, 0.5, 0.1, 0.05, key="train_split")
    batch = st.select_slider("Batch size", [16, 32, 64, 128, 256, 512], 128, key="train_batch_size")
    rate = st.select_slider("Learning rate", RATES, 3e-3, key="train_lr", format_func=lambda r: f"{r:g}")
    optimizer = st.radio("Optimizer", OPTIMIZERS, horizontal=True, key="train_optimizer",
                         help="SGD uses momentum 0.9. All three warm up, then follow a cosine decay.")
    dropout = st.slider("Dropout", 0.0, 0.7, 0.0, 0.05, key="train_dropout")
    augment = st.toggle("Augment (random shifts, rotations, zooms)", key="train_augment")
    fast = fastest_precision()
    precision = fast if fast != "float32" and st.toggle(
        "16-bit arithmetic", value=True, key="train_precision",
        help=f"Trains in {fast} (weights stay float32): faster where the hardware has 16-bit units.") else "float32"

st.title("Train a model")
st.caption(f"Training device: {device()}. Runs are short on purpose: a few thousand images and a couple of "
           "epochs already show the loss falling.")
collect_finished()

try:
    config = TrainConfig(model=model, epochs=epochs, batch_size=batch, learning_rate=rate, optimizer=optimizer,
                         dropout=dropout, augment=augment, validation_split=split, train_size=size,
                         precision=precision)
    problem = check_limits(config, limits)
except ValueError as err:
    config, problem = None, str(err)
if problem:
    st.error(problem)
busy = problem is not None or active_job() is not None
if st.button("Start training", type="primary", key="train_start", disabled=busy):
    start(config)
    st.rerun()


@st.fragment(run_every=1)
def live() -> None:
    """Polls the worker thread once a second; no Streamlit call ever runs on that thread."""
    job = active_job()
    if job is None:
        return
    job.heartbeat()
    if job.done:
        st.rerun()  # the whole page: the run joins the list below
    p = job.latest
    if job.status == "queued":
        st.info(f"Another visitor is training. You are number {job.queue_position} in the queue.")
        st.progress(0.0, text="Waiting for your turn…")
    elif p is None:
        st.progress(0.0, text="Preparing the data and the model…")
    else:
        st.progress(p.step / p.total_steps, text=f"Epoch {p.epoch}/{p.epochs} · step {p.step}/{p.total_steps} · "
                                                 f"{p.images_per_s:,.0f} images/s · ETA {p.eta_s:.0f} s")
    st.button("Stop training", on_click=job.stop, key="train_stop", disabled=job.stop_requested)
    if job.progress:
        st.plotly_chart(training_curves({"this run": job.progress}), key="train_live_curves")


live()
runs = st.session_state.get("train_runs", [])
if not runs:
    st.info("No runs yet: choose the settings in the sidebar and press Start training.")
    st.stop()

st.subheader("Your runs")
for run in runs:
    if run.job.error:
        st.warning(f"{run.label}: {run.job.error}")
st.dataframe(pd.DataFrame([r.summary() for r in runs]), hide_index=True)
labels = [r.label for r in runs]
chosen = st.multiselect("Overlay on one chart", labels, default=labels[-2:], key="train_overlay")
if chosen:
    st.plotly_chart(training_curves({r.label: r.history for r in runs if r.label in chosen}), key="train_compare")

usable = [r for r in runs if r.model is not None]
pick, files = st.columns(2)
with pick:
    st.selectbox("Your model, shown beside the shipped ones on the Draw and Look-inside pages",
                 ["none"] + [r.label for r in usable], key="train_yours", on_change=choose_yours, args=(usable,))
with files:
    run = next((r for r in usable if r.label == st.selectbox("Download a run", [r.label for r in usable],
                                                            key="train_download_run")), None)
    if run is not None:
        for name, data in run.downloads().items():
            st.download_button(f"{name}", data, file_name=f"run{run.id}-{name}", key=f"train_dl_{run.id}_{name}")
