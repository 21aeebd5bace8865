"""Convolution's stepper: the window on the input, its arithmetic and the output pixel it makes, moved by
Prev / Play / Next or the slider (which always shows where the window is); and the kernel's nine weights."""

import math
from dataclasses import dataclass

import numpy as np
import streamlit as st

from mnist_core.i18n import N_, _, integer, ngettext, number
from mnist_core.inside.convolution import dot_at, inked_positions, output_size, play_step, window_origin
from mnist_core.plots.inside import add_window, dot_product, heatmap
from ui.present import show
from ui.state import kept, session_part

K = 3  # every kernel on the Convolution page is 3×3
PLAY_EVERY_S = 0.5  # one step of Play; each redraws three figures, for every visitor playing at once
SPEEDS = {N_("slow"): 1, N_("normal"): 3, N_("fast"): 8}  # positions the window moves per step of Play
# The weights as large boxes: Streamlit's data editor paints 13 px text on a canvas no style reaches.
GRID_CSS = "<style>[class*='st-key-conv_w_'] input { font-size: 1.5rem !important; text-align: center; }</style>"


@dataclass
class Stepper:
    """The Convolution page's kernel and window, kept across page changes."""

    seed: str | None = None              # the classic kernel that the custom grid started from
    position: int | None = None          # the window, numbered row by row over the output
    playing: bool = False                # Play: the window moves on by itself
    speed: str = "normal"                # a key of SPEEDS
    skip_background: bool = True         # Play stops only where the window covers ink


def stepper_state() -> Stepper:
    return session_part(Stepper)


def pass_seconds(stops: int, steps: int | None = None) -> float:
    """How long Play takes to visit `stops` positions once, moving `steps` per step (the default speed's)."""
    return math.ceil(stops / (steps or SPEEDS["normal"])) * PLAY_EVERY_S


def kernel_grid(kernel: np.ndarray, editable: bool) -> np.ndarray:
    """The nine weights as a 3×3 grid of number boxes, shown from `kernel` unless `editable`, where the visitor's
    own numbers (started from the last kernel shown) are kept; the weights in the boxes, (3, 3)."""
    st.html(GRID_CSS)
    weights = np.zeros((K, K), np.float32)
    for r in range(K):
        for c, box in enumerate(st.columns(K)):
            key = f"conv_w_{r}{c}"
            if not editable or key not in st.session_state:
                st.session_state[key] = float(kernel[r, c])
            weights[r, c] = box.number_input(_("Weight in row {row}, column {col}").format(row=r + 1, col=c + 1),
                                             step=0.1, format="%.3f", key=key, disabled=not editable,
                                             label_visibility="collapsed")
    return weights


def start_position(output: np.ndarray) -> None:
    """On a first visit, or when the output shrank below the window's place: start where the kernel
    responds most."""
    me = stepper_state()
    if me.position is None or me.position >= output.size:
        me.position = int(np.abs(output).argmax())


def _slider_key(size: int) -> str:
    return f"conv_position_{size}"  # one slider per output size, so a new size never shows a stale value


def _go(position: int, size: int) -> None:
    stepper_state().position = position
    st.session_state[_slider_key(size)] = position  # the slider shows where the window is


def _move(delta: int, size: int) -> None:
    _go((stepper_state().position + delta) % (size * size), size)


def _slid(size: int) -> None:
    stepper_state().position = st.session_state[_slider_key(size)]


def play_stops(image: np.ndarray, stride: int, padding: str) -> np.ndarray:
    """The positions Play visits: those whose window covers ink when skipping the background, else all."""
    size = output_size(image.shape[0], K, stride, padding)
    inked = inked_positions(image, K, stride, padding)
    return inked if stepper_state().skip_background and inked.size else np.arange(size * size)


def play_controls(image: np.ndarray, stride: int, padding: str) -> None:
    """How Play moves: its speed, whether it skips the background, and how long one pass takes."""
    me = stepper_state()
    speed, skip = st.columns([2, 3], vertical_alignment="bottom")
    st.session_state.setdefault("conv_speed", me.speed)
    st.session_state.setdefault("conv_skip", me.skip_background)
    me.speed = speed.segmented_control(_("Play speed"), list(SPEEDS), format_func=_, key=kept("conv_speed")) or me.speed
    me.skip_background = skip.toggle(_("Skip the background"), key=kept("conv_skip"),
                                      help=_("Play stops only where the window covers some ink: elsewhere every "
                                             "product is 0."))
    stops = play_stops(image, stride, padding).size
    st.caption(ngettext("Play visits {stops} position, {steps} per step: one pass takes about {seconds} s.",
                        "Play visits {stops} positions, {steps} per step: one pass takes about {seconds} s.",
                        stops).format(stops=integer(stops), steps=integer(SPEEDS[me.speed]),
                                      seconds=integer(round(pass_seconds(stops, SPEEDS[me.speed])))))


def stepper(image: np.ndarray, kernel: np.ndarray, output: np.ndarray, stride: int, padding: str) -> None:
    """The window and its arithmetic; only this part reruns while Play moves the window on its own."""

    @st.fragment(run_every=PLAY_EVERY_S if stepper_state().playing else None)
    def window() -> None:
        _stepper(image, kernel, output, stride, padding)

    window()


def _stepper(image: np.ndarray, kernel: np.ndarray, output: np.ndarray, stride: int, padding: str) -> None:
    me, n = stepper_state(), image.shape[0]
    size = output_size(n, K, stride, padding)
    if me.playing:
        _go(play_step(me.position, play_stops(image, stride, padding), SPEEDS[me.speed]), size)
    row, col = divmod(me.position, size)
    patch, total = dot_at(image, kernel, row, col, stride, padding)
    top, left = window_origin(n, K, stride, padding, row, col)
    back, play, forward = st.columns(3)
    back.button(_("Prev"), icon=":material/skip_previous:", key="conv_prev", on_click=_move, args=(-1, size),
                width="stretch")
    if play.button(_("Pause") if me.playing else _("Play"), key="conv_play", width="stretch", type="primary",
                   icon=":material/pause:" if me.playing else ":material/play_arrow:"):
        me.playing = not me.playing
        st.rerun()
    forward.button(_("Next"), icon=":material/skip_next:", key="conv_next", on_click=_move, args=(1, size),
                   width="stretch")
    st.session_state.setdefault(_slider_key(size), me.position)
    st.slider(_("Window position (of {count}, row by row)").format(count=integer(size * size)), 0,
              size * size - 1, key=_slider_key(size), on_change=_slid, args=(size,))
    picture, result, arithmetic = st.columns([1, 1, 1.5])
    picture.plotly_chart(show(add_window(heatmap(image, _("Input ({n}×{n})").format(n=n), height=300), top, left, K)),
                         key="conv_input_fig")
    output_title = _("Output ({size}×{size})").format(size=size)
    result.plotly_chart(show(add_window(heatmap(output, output_title, height=300, diverging=True),
                                        row, col, 1, colour="black")), key="conv_output_fig")
    arithmetic.metric(_("Output at row {row}, column {col}").format(row=row, col=col), number(total, 3), border=True)
    arithmetic.plotly_chart(show(dot_product(patch, kernel, height=170)), key="conv_dot_fig")
    st.caption(_where(top, left, n))


def _where(top: int, left: int, n: int) -> str:
    """Where the window sits on the image, and what its sum becomes."""
    if min(top, left) < 0 or max(top, left) + K > n:
        text = _("The window's top-left corner sits on row {top}, column {left} of the image, partly on the zero "
                 "padding (the yellow box). The sum of the {products} products is the output pixel in the black box.")
    else:
        text = _("The window's top-left corner sits on row {top}, column {left} of the image (the yellow box). The "
                 "sum of the {products} products is the output pixel in the black box.")
    return text.format(top=top, left=left, products=K * K)
