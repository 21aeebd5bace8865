"""Convolution: slide a 3×3 kernel over the digit one window at a time, then pool what comes out."""

import numpy as np
import pandas as pd
import streamlit as st

from mnist_core.convolution import CLASSIC_KERNELS, apply_kernel, dot_at, output_size, pool
from mnist_core.inside_figures import add_window, dot_product, heatmap
from ui.state import current_digit, kept, visitor

CUSTOM = "Custom (edit the grid)"
K = 3  # every kernel on this page is 3×3

with st.sidebar:
    choice = st.selectbox("Kernel", [*CLASSIC_KERNELS, CUSTOM], key=kept("conv_kernel"))
    # "Custom" starts from the last classic kernel; the grid is editable only then.
    seed = choice if choice != CUSTOM else (visitor().conv_seed or next(iter(CLASSIC_KERNELS)))
    visitor().conv_seed = seed
    grid = st.data_editor(pd.DataFrame(CLASSIC_KERNELS[seed], columns=["left", "middle", "right"]),
                          key="conv_grid", hide_index=True, disabled=choice != CUSTOM,
                          column_config={c: st.column_config.NumberColumn(format="%.3f")
                                         for c in ("left", "middle", "right")})
    stride = st.slider("Stride", 1, 3, 1, key=kept("conv_stride"))
    padding = st.radio("Padding", ["valid", "same"], horizontal=True, key=kept("conv_padding"))

image, sentence = current_digit()
st.title("Convolution")
st.caption(sentence)

n = image.shape[0]  # 28: MNIST digits are square
size = output_size(n, K, stride, padding)
kernel = grid.to_numpy(dtype=np.float32, na_value=0)
if not kernel.any():
    st.info("All nine weights are 0, so every output would be 0: put some numbers in the grid.")
    st.stop()

output = apply_kernel(image, kernel, stride, padding)  # (size, size)
if st.session_state.get("conv_step", size * size) >= size * size:  # first visit, or the output shrank
    st.session_state["conv_step"] = int(np.abs(output).argmax())  # start where the kernel responds most
row, col = divmod(st.session_state["conv_step"], size)
patch, total = dot_at(image, kernel, row, col, stride, padding)
pad = max((size - 1) * stride + K - n, 0) // 2 if padding == "same" else 0  # zeros above/left
top, left = row * stride - pad, col * stride - pad


def step_by(delta: int) -> None:
    st.session_state["conv_step"] = min(max(st.session_state["conv_step"] + delta, 0), size * size - 1)


picture, result, words = st.columns([1, 1.15, 1])
picture.plotly_chart(add_window(heatmap(image, f"Input ({n}×{n})"), top, left, K), key="conv_input_fig")
result.plotly_chart(add_window(heatmap(output, f"Output ({size}×{size})", diverging=True), row, col, 1,
                               colour="black"), key="conv_output_fig")
words.markdown(
    f"A {K}×{K} kernel with stride {stride} and '{padding}' padding turns the {n}×{n} image into "
    f"**{size}×{size}**. At each position the kernel multiplies the {K * K} pixels under it by its "
    f"{K * K} weights and adds the products up: one number per position. "
    "Blue means the kernel's pattern is there, red means its opposite, white means nothing to see. "
    "'Valid' only puts the window where it fits, so the border is lost; 'same' pads the edge with "
    "zeros. A CNN *learns* its kernels' weights instead of having them typed in."
)

st.subheader("One window at a time")
back, slider, forward = st.columns([2, 10, 2], vertical_alignment="bottom")
back.button("◀ Prev", key="conv_prev", on_click=step_by, args=(-1,))
forward.button("Next ▶", key="conv_next", on_click=step_by, args=(1,))
slider.slider(f"Window position: {size * size} in all, numbered row by row from 0", 0, size * size - 1,
              key=kept("conv_step"))
products, arithmetic = st.columns([2, 1])
products.plotly_chart(dot_product(patch, kernel), key="conv_dot_fig")
arithmetic.metric(f"Output at row {row}, column {col}", f"{total:.3f}", border=True)
arithmetic.markdown(
    f"The window's top-left corner sits on row {top}, column {left} of the image"
    + (", partly on the zero padding" if min(top, left) < 0 or max(top, left) + K > n else "")
    + f" (the yellow box). The sum of the {K * K} products is the output pixel in the black box."
)

st.subheader("Pooling: keep one number per 2×2 block")
pooled = {mode: pool(output, 2, mode) for mode in ("max", "average")}
side = pooled["max"].shape[0]
columns = st.columns([1, 1, 1])
for column, (mode, z) in zip(columns, pooled.items()):
    column.plotly_chart(heatmap(z, f"{mode.title()} pooling ({side}×{side})", diverging=True),
                        key=f"conv_pool_{mode}_fig")
columns[2].markdown(
    f"Pooling the {size}×{size} output in 2×2 blocks leaves {side}×{side}: a quarter of the numbers. "
    f"Max pooling keeps each block's strongest response ({pooled['max'].max():.2f} at most here), so a "
    "stroke found anywhere in the block survives even if it moves a pixel. Average pooling keeps the "
    "mean instead, which blurs and weakens thin strokes. Most CNNs, like the ones in this app, use max."
)
