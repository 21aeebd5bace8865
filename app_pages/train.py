"""Train: launch a short run, watch the loss fall live, stop it, then compare and download runs."""

import math

import streamlit as st

from mnist_core.i18n import _, integer, ngettext
from mnist_core.plots.results import training_curves
from mnist_core.training.run import said
from ui.lesson import teacher_notes
from ui.present import show
from ui.resources import device
from ui.runs import (
    MAX_RUNS,
    OVERLAY,
    collect_finished,
    downloads,
    drawable_labels,
    my_runs,
    run_queue,
    run_table,
    server_limits,
    start,
)
from ui.state import kept
from ui.teacher import teacher_panel
from ui.train_live import live
from ui.train_settings import make_config, preset_buttons, settings_panel

try:
    limits = server_limits()
    run_queue().prewarm()  # a training process warms up while the visitor chooses settings
except ValueError as err:
    st.error(str(err))
    st.stop()
with st.sidebar:
    st.markdown(_("**Presets**"))
    preset_buttons(limits)
    settings = settings_panel(limits)

st.title(_("Train a model"))
st.caption(_("Training device: {device}. Runs are short on purpose: a few thousand images and a couple of epochs "
             "already show the loss falling.").format(device=said(device())))
collect_finished()

config, problem = make_config(settings, limits)
if problem:
    st.error(problem)
me = my_runs()
busy = problem is not None or me.active is not None
if not busy:
    run_queue().expect(config)  # built and traced while the visitor reads: Start begins at the first batch
# Checked again after the click: a queued double click arrives before the button is disabled.
if st.button(_("Start training"), type="primary", key="train_start", disabled=busy) and me.active is None:
    try:
        start(config)
        st.rerun()
    except ValueError as refused:  # a cap of this server, or another tab's run
        st.error(str(refused))


live()
teacher_panel()
if config is not None:
    steps = math.ceil(config.train_images / config.batch_size)
    teacher_notes(
        show=_("Start a run with the first settings and watch the loss fall; then change one setting and compare."),
        notice=_("The curve shows each batch's loss, smoothed; the dots are the held-out images, checked at the "
                 "end of each epoch. When the two part ways, the network is memorising instead of learning."),
        questions=[(_("What happens in one epoch with these settings?"),
                    ngettext("{images} images in batches of {batch}: {steps} weight update.",
                             "{images} images in batches of {batch}: {steps} weight updates.", steps).format(
                        images=integer(config.train_images), batch=integer(config.batch_size), steps=integer(steps))),
                   (_("Why hold images out for validation?"), _("They are never trained on, so they show how the "
                                                                "network does on new digits while it learns."))],
    )
runs = me.runs
if not runs:
    if me.active is None:
        st.info(_("No runs yet: pick a preset or choose the settings in the sidebar, then press Start training."))
    st.stop()

st.subheader(_("Your runs"))
if me.dropped:
    st.caption(ngettext("Only your last {kept} runs are kept; {dropped} older one was dropped to save memory.",
                        "Only your last {kept} runs are kept; {dropped} older ones were dropped to save memory.",
                        me.dropped).format(kept=integer(MAX_RUNS), dropped=integer(me.dropped)))
for ended in runs:
    if ended.error or ended.note:
        # TRANSLATORS: {run} is a run's name, {why} the sentence saying why it failed or was stopped.
        st.warning(_("{run}: {why}").format(run=ended.name(), why=said(ended.error or ended.note)))
run_table(runs, me.active)
names = {r.label: r.name() for r in runs}  # labels are the widgets' values, names what they show
labels = drawable_labels(runs)
chosen = st.multiselect(_("Overlay on one chart"), labels, key=kept(OVERLAY), format_func=names.get) if labels else []
if chosen:
    compared = training_curves({r.name(): r.progress for r in runs if r.label in chosen})
    st.plotly_chart(show(compared), key="train_compare")

usable = {r.label: r for r in runs if r.model is not None}


def choose_yours() -> None:
    """on_change of the "your model" box: kept in the visitor's Runs, so it survives page changes."""
    picked = usable.get(st.session_state["train_yours"])
    me.yours = picked.number if picked else None


pick, files = st.columns(2)
with pick:
    mine = next((r.label for r in usable.values() if r.number == me.yours), "none")
    options = ["none", *usable]
    st.selectbox(_("Your model, shown beside the shipped ones on the Draw and Look-inside pages"), options,
                 index=options.index(mine), key="train_yours", on_change=choose_yours,
                 format_func=lambda label: names.get(label, _("none")))
with files:
    run = usable.get(st.selectbox(_("Download a run"), list(usable), key="train_download_run", format_func=names.get))
    if run is not None and st.toggle(_("Prepare the files"), key="train_prepare"):
        for name, data in downloads(run).items():
            st.download_button(name, data, file_name=f"run{run.number}-{name}", key=f"train_dl_{run.number}_{name}")
