"""Train: launch a short run, watch the loss fall live, stop it, then compare and download runs."""

import pandas as pd
import streamlit as st

from mnist_core.figures import training_curves
from ui.resources import device
from ui.train_settings import make_config, settings_sidebar
from ui.training import active_job, choose_yours, collect_finished, server_limits, start

try:
    limits = server_limits()
except ValueError as err:
    st.error(str(err))
    st.stop()
with st.sidebar:
    settings = settings_sidebar(limits)

st.title("Train a model")
st.caption(f"Training device: {device()}. Runs are short on purpose: a few thousand images and a couple of "
           "epochs already show the loss falling.")
collect_finished()

config, problem = make_config(settings, limits)
if problem:
    st.error(problem)
busy = problem is not None or active_job() is not None
# Checked again after the click: a queued double click arrives before the button is disabled.
if st.button("Start training", type="primary", key="train_start", disabled=busy) and active_job() is None:
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
    if job.status == "queued" and job.queue_position:
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
