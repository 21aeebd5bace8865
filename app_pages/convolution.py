"""Convolution: slide a 3×3 kernel over the digit one window at a time, apply ReLU, then pool."""

import numpy as np
import streamlit as st

from mnist_core.i18n import N_, _, number, percent
from mnist_core.inside.convolution import CLASSIC_KERNELS, apply_kernel, output_size, pool
from mnist_core.plots.inside import heatmap
from ui.convolution_view import K, kernel_grid, play_controls, start_position, stepper, stepper_state
from ui.lesson import teacher_notes
from ui.present import show
from ui.state import current_digit, kept

CUSTOM = N_("Custom (edit the grid)")
# TRANSLATORS: Keras's two padding modes: "valid" adds no border, "same" pads the edge with zeros.
PADDINGS = {"valid": N_("valid"), "same": N_("same")}

image, sentence = current_digit()
st.title(_("Convolution"))
st.caption(sentence)
me = stepper_state()

pick, settings, padded = st.columns([2, 2, 1.5])
choice = pick.selectbox(_("Kernel"), [*CLASSIC_KERNELS, CUSTOM], format_func=_, key=kept("conv_kernel"))
# "Custom" starts from the last classic kernel; the grid is editable only then.
me.seed = choice if choice != CUSTOM else (me.seed or next(iter(CLASSIC_KERNELS)))
stride = settings.slider(_("Stride"), 1, 3, 1, key=kept("conv_stride"))
padding = padded.radio(_("Padding"), list(PADDINGS), format_func=lambda mode: _(PADDINGS[mode]), horizontal=True,
                       key=kept("conv_padding"))
with st.expander(_("The kernel's nine weights: edit them") if choice == CUSTOM else _("The kernel's nine weights"),
                 expanded=choice == CUSTOM):
    kernel = kernel_grid(CLASSIC_KERNELS[me.seed], editable=choice == CUSTOM)

n = image.shape[0]  # 28: MNIST digits are square
size = output_size(n, K, stride, padding)
if not kernel.any():
    st.info(_("All nine weights are 0, so every output would be 0: put some numbers in the grid."))
    st.stop()
output = apply_kernel(image, kernel, stride, padding)  # (size, size)
start_position(output)
play_controls(image, stride, padding)
stepper(image, kernel, output, stride, padding)
st.markdown(_(
    "A {k}×{k} kernel with stride {stride} and '{padding}' padding turns the {n}×{n} image into **{size}×{size}**. "
    "At each position the kernel multiplies the {pixels} pixels under it by its {pixels} weights and adds the "
    "products up: one number per position. Blue means the kernel's pattern is there, red means its opposite, white "
    "means nothing to see. 'Valid' only puts the window where it fits, so the border is lost; 'same' pads the edge "
    "with zeros. A CNN *learns* its kernels' weights.").format(
    k=K, stride=stride, padding=_(PADDINGS[padding]), n=n, size=size, pixels=K * K))

st.subheader(_("ReLU, then pooling: keep one number per 2×2 block"))
relu = np.maximum(output, 0)
pooled = {mode: pool(relu, 2, mode) for mode in ("max", "average")}
side = pooled["max"].shape[0]
titles = {"max": _("Max pooling ({side}×{side})"), "average": _("Average pooling ({side}×{side})")}
columns = st.columns(3)
columns[0].plotly_chart(show(heatmap(relu, f"ReLU ({size}×{size})", diverging=True)), key="conv_relu_fig")
for column, (mode, z) in zip(columns[1:], pooled.items()):
    column.plotly_chart(show(heatmap(z, titles[mode].format(side=side), diverging=True)), key=f"conv_pool_{mode}_fig")
st.markdown(_(
    "First ReLU sets every negative output to 0 ({negative} of them here): a CNN keeps only where its pattern is "
    "present. Pooling the {size}×{size} result in 2×2 blocks leaves {side}×{side}, a quarter of the numbers. Max "
    "pooling keeps each block's largest value ({largest} at most here), so a stroke found anywhere in the block "
    "survives even if it moves a pixel. Average pooling keeps the mean instead, which blurs and weakens thin strokes. "
    "Most CNNs, like the ones in this app, use max.").format(
    negative=percent(float((output < 0).mean()), 0), size=size, side=side, largest=number(pooled["max"].max(), 2)))

fits = (_("With '{padding}' padding and stride {stride} the {k}×{k} window fits in {size} places per row (the "
          "border is lost).") if padding == "valid" else
        _("With '{padding}' padding and stride {stride} the {k}×{k} window fits in {size} places per row (the edge "
          "is padded with zeros)."))
teacher_notes(
    show=_("Pick 'Vertical edges', press Play and let the window walk over the digit; then try 'Horizontal edges'."),
    notice=_("Each output pixel is just {products} multiplications and a sum. Blue where the pattern sits, red where "
             "its opposite does; ReLU then keeps only the blue.").format(products=K * K),
    questions=[(_("Why is the output {size}×{size} and not {n}×{n}?").format(size=size, n=n),
                fits.format(padding=_(PADDINGS[padding]), stride=stride, k=K, size=size)),
               (_("What does the biggest output value mean?"),
                _("{value}: the place where the digit matches the kernel's pattern best.").format(
                    value=number(output.max(), 2)))],
)
