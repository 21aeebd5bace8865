"""The Train page's live view of the visitor's run: queue place and wait, progress, Stop, curves, and
the model learning (a strip of test digits and its first layer's kernels). Polled once a second, and four
times a second while its first batch or its end is due."""

import base64
from html import escape

import numpy as np
import streamlit as st

from mnist_core.i18n import _, integer, ngettext, number, percent
from mnist_core.plots.live import curves_svg, kernel_mosaic, pixelated, png
from mnist_core.training.glimpse import Glimpse, strip_indices
from mnist_core.training.run import Run
from ui.present import PRESENT_FONT_PX, presenting
from ui.resources import test_set
from ui.runs import my_runs, run_queue
from ui.state import or_stop

STOP_WAIT_S = 0.8  # Stop waits this long for the run to end, so that the run table shows it within a second
# Polled once a second while it trains; four times a second while an event is due any moment: its first batch
# (while "Preparing"), and its end (from its last second of batches on, through the test-set scoring).
POLL_S, FAST_POLL_S = 1.0, 0.25


def live() -> None:
    """The visitor's run, polled once a second (four times a second while its first batch or its end is due);
    no Streamlit call ever runs on the run's own thread."""
    (_fast if due(my_runs().active) else _training)()


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
    run = my_runs().active
    if not due(run) and not (run and run.done):
        st.rerun()  # the whole page, which polls at the slower pace from now on
    _show(run)


@st.fragment(run_every=POLL_S)
def _training() -> None:
    if due(my_runs().active):
        st.rerun()  # the whole page, which polls faster until the event it waits for
    _show(my_runs().active)


def _show(run: Run | None) -> None:
    if run is None:
        return
    run.heartbeat()
    if run.done:
        st.rerun()  # the whole page: the run joins the list below
    progress_bar(run)
    if st.button(_("Stop training"), key="train_stop", disabled=run.stop_requested):
        run.stop()
        run.wait(STOP_WAIT_S)
        st.rerun()  # the whole page, so that the run table says it stopped (or is stopping)
    if run.progress:
        font = PRESENT_FONT_PX if presenting() else 13
        svg = curves_svg(run.progress, height=23 * font, font_px=font)  # as a picture: st.html drops SVG elements
        alt = escape(_("the loss and accuracy so far"))
        st.html(f'<img src="{data_address(svg.encode(), "image/svg+xml")}" alt="{alt}" style="width:100%">')
    watch(run)


def progress_bar(run: Run) -> None:
    """Where the run is: its place in the line and estimated wait, or its step, speed and ETA."""
    p = run.latest
    if run.status == "queued" and run.queue_position:
        st.info(_("Other visitors are training. You are number {place} in the queue; estimated wait: {wait}.").format(
            place=integer(run.queue_position), wait=waiting(run_queue().wait_estimate(run))))
        st.progress(0.0, text=_("Waiting for your turn…"))
    elif p is None:
        st.progress(0.0, text=_("Preparing the data and the model…"))
    else:
        speed = _("measuring speed…") if p.eta_s is None else _("{speed} images/s · ETA {eta} s").format(
            speed=integer(round(p.images_per_s)), eta=integer(round(p.eta_s)))
        if run.stop_requested:
            speed = _("stopping after this batch…")
        # TRANSLATORS: e.g. "Epoch 1/3 · step 120/1266 · 2,000 images/s · ETA 40 s".
        st.progress(p.step / p.total_steps, text=_("Epoch {epoch}/{epochs} · step {step}/{steps} · {speed}").format(
            epoch=p.epoch, epochs=p.epochs, step=p.step, steps=p.total_steps, speed=speed))


def waiting(seconds: float | None) -> str:
    """The estimated wait in words: about 3 min, about 40 s, any moment now."""
    if seconds is None:
        return _("not known until the runs ahead show their speed")
    if seconds >= 60:
        return _("about {minutes} min").format(minutes=integer(max(1, round(seconds / 60))))
    return _("about {seconds} s").format(seconds=integer(round(seconds))) if seconds >= 1 else _("any moment now")


def watch(run: Run) -> None:
    """Learning as it happens: how the model reads ten test digits now, and its first layer's kernels.

    Both are pictures, not Plotly figures: they change every second, and a browser redraws a picture for a
    fraction of the work (on a learner's laptop that work comes out of the run's; bench/RESULTS.md)."""
    glimpse = run.glimpse
    if glimpse is None:
        return
    labels = or_stop(test_set)[1]
    labels = labels[strip_indices(labels)]
    right = glimpse.predictions == labels
    st.markdown(ngettext("**After {step} batch it reads {right} of these {digits} test digits right** (green ✓: "
                         "right, red ✗: wrong; below, how sure it is)",
                         "**After {step} batches it reads {right} of these {digits} test digits right** (green ✓: "
                         "right, red ✗: wrong; below, how sure it is)", glimpse.step).format(
        step=integer(glimpse.step), right=integer(right.sum()), digits=integer(len(labels))))
    st.html(strip_html(glimpse, labels))
    if glimpse.kernels is not None:
        kernels(glimpse.kernels)


def kernels(weights: np.ndarray) -> None:
    """The first layer's (N, kh, kw) kernels as one picture, on one colour scale, with what the colours mean."""
    n, kh, kw = weights.shape
    picture, limit = kernel_mosaic(weights, cell=40 if n > 8 else 64)  # LeNet-5's 6 bigger
    st.markdown(ngettext("**Its first layer's {n} kernel ({kh}×{kw} weights each), changing as it learns** (blue: "
                         "positive weights, red: negative, white: 0; one scale for all, ±{limit} at its ends)",
                         "**Its first layer's {n} kernels ({kh}×{kw} weights each), changing as it learns** (blue: "
                         "positive weights, red: negative, white: 0; one scale for all, ±{limit} at its ends)",
                         n).format(n=integer(n), kh=kh, kw=kw, limit=number(limit, 2)))
    alt = escape(ngettext("the {n} kernel", "the {n} kernels", n).format(n=integer(n)))
    st.html(f'<img src="{data_address(png(picture))}" alt="{alt}" style="max-width:100%;image-rendering:pixelated">')


def strip_html(glimpse: Glimpse, labels: np.ndarray) -> str:
    """The strip's digits in a row, each with what the model reads and how sure it is, coloured right or wrong."""
    size = PRESENT_FONT_PX + 2 if presenting() else 15
    cells = []
    for digit, src, read, sure in zip(labels, strip_pictures(), glimpse.predictions, glimpse.confidences,
                                      strict=True):
        colour, mark = ("#1a7f37", "✓") if read == digit else ("#d62728", "✗")
        # TRANSLATORS: a picture's description for screen readers: one test digit, e.g. "a test 7".
        alt = escape(_("a test {digit}").format(digit=digit))
        cells.append(f'<figure style="margin:0;flex:1;max-width:84px;text-align:center">'
                     f'<img src="{src}" alt="{alt}" style="width:100%;image-rendering:pixelated">'
                     f'<figcaption style="color:{colour};font-size:{size}px;font-weight:600">'
                     f'{read} {mark}<br>{percent(sure, 0)}</figcaption></figure>')
    return f'<div style="display:flex;gap:6px;flex-wrap:nowrap">{"".join(cells)}</div>'


@st.cache_resource
def strip_pictures() -> list[str]:
    """The strip's test digits as PNG data addresses, made once per server (they never change; `watch` has
    loaded the test set by now)."""
    images, labels = test_set()
    return [data_address(png(pixelated(images[i]))) for i in strip_indices(labels)]


def data_address(picture: bytes, kind: str = "image/png") -> str:
    """A picture inside the page itself: nothing for the browser to fetch, and no file kept on the server."""
    return f"data:{kind};base64," + base64.b64encode(picture).decode()
