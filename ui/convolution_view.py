"""Convolution's stepper: the window on the input, its arithmetic and the output pixel it makes, moved by
Prev / Play / Next or the slider (which always shows where the window is)."""

from dataclasses import dataclass

import numpy as np
import streamlit as st

from mnist_core.i18n import _, integer, number
from mnist_core.inside.convolution import dot_at, output_size, window_origin
from mnist_core.plots.inside import add_window, dot_product, heatmap
from ui.present import show
from ui.state import session_part

K = 3  # every kernel on the Convolution page is 3×3
PLAY_EVERY_S = 0.6


@dataclass
class Stepper:
    """The Convolution page's kernel and window, kept across page changes."""

    seed: str | None = None              # the classic kernel that the custom grid started from
    position: int | None = None          # the window, numbered row by row over the output
    playing: bool = False                # Play: the window moves on by itself


def stepper_state() -> Stepper:
    return session_part(Stepper)


def start_position(output: np.ndarray) -> None:
    """On a first visit, or when the output shrank below the window's place: start where the kernel
    responds most."""
    me = stepper_state()
    if me.position is None or me.position >= output.size:
        me.position = int(np.abs(output).argmax())


def _slider_key(size: int) -> str:
    return f"conv_position_{size}"  # one slider per output size, so a new size never shows a stale value


def _move(delta: int, size: int) -> None:
    me = stepper_state()
    me.position = (me.position + delta) % (size * size)
    st.session_state[_slider_key(size)] = me.position  # the slider shows where the window is


def _slid(size: int) -> None:
    stepper_state().position = st.session_state[_slider_key(size)]


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
        _move(1, size)
    row, col = divmod(me.position, size)
    patch, total = dot_at(image, kernel, row, col, stride, padding)
    top, left = window_origin(n, K, stride, padding, row, col)
    back, play, forward, slider = st.columns([1.8, 1.8, 1.8, 6], vertical_alignment="bottom")
    back.button(_("◀ Prev"), key="conv_prev", on_click=_move, args=(-1, size))
    if play.button(_("❚❚ Pause") if me.playing else _("▶ Play"), key="conv_play"):
        me.playing = not me.playing
        st.rerun()
    forward.button(_("Next ▶"), key="conv_next", on_click=_move, args=(1, size))
    st.session_state.setdefault(_slider_key(size), me.position)
    slider.slider(_("Window position (of {count}, row by row)").format(count=integer(size * size)), 0,
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
