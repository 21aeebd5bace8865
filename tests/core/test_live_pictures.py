"""The Train page's live pictures (mnist_core/plots/live.py) against known answers: colours from Plotly's
RdBu at its ends and middle, every kernel weight a block of whole pixels in its own tile, and the curves'
points where a run's numbers put them inside each panel's frame."""

import io
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from mnist_core.plots import live as lp
from mnist_core.plots.results import training_curves
from mnist_core.training.run import Progress

DARK_RED, WHITE, DARK_BLUE = (103, 0, 31), (247, 247, 247), (5, 48, 97)  # plotly.colors.sequential.RdBu
SVG = "{http://www.w3.org/2000/svg}"


def test_weights_are_red_below_zero_white_at_zero_blue_above_and_clipped_at_the_limit():
    colours = lp.diverging(np.array([-2.0, -0.5, 0.0, 0.5, 2.0]), limit=0.5)
    assert [tuple(c) for c in colours] == [DARK_RED, DARK_RED, WHITE, DARK_BLUE, DARK_BLUE]
    halfway = lp.diverging(np.array([0.25]), limit=0.5)[0]  # between RdBu's 8th and 9th of 11 colours
    np.testing.assert_array_equal(halfway, [round((146 + 67) / 2), round((197 + 147) / 2), round((222 + 195) / 2)])


def test_kernels_are_tiles_of_whole_pixels_on_one_shared_scale():
    kernels = np.array([[[1.0, 0], [0, -1]], [[0.5, 0.5], [0.5, 0.5]], [[0, 0], [0, -0.25]]])  # 3 kernels, 2×2
    picture, limit = lp.kernel_mosaic(kernels, cols=2, cell=4, gap=1)
    assert limit == 1.0 and picture.shape == (9, 9, 3)  # 2 rows and 2 columns of 4-px tiles, 1-px gutters
    first = picture[0:4, 0:4]
    assert (first[0:2, 0:2] == DARK_BLUE).all() and (first[2:4, 2:4] == DARK_RED).all()
    assert (first[0:2, 2:4] == WHITE).all()  # a weight of 0
    second = picture[0:4, 5:9]
    assert (second == second[0, 0]).all() and tuple(second[0, 0]) != DARK_BLUE  # 0.5 of the shared limit, paler
    assert (picture[4, :] == lp.GUTTER).all() and (picture[:, 4] == lp.GUTTER).all()
    assert (picture[5:9, 5:9] == lp.GUTTER).all()  # no fourth kernel
    third = picture[5:9, 0:4]
    assert (third[0:2, 0:2] == WHITE).all() and tuple(third[3, 3]) not in (WHITE, DARK_RED)  # -0.25: light red


def test_a_digit_is_enlarged_pixel_by_pixel_and_survives_png():
    digit = np.array([[0, 255], [128, 7]], np.uint8)
    big = lp.pixelated(digit, scale=3)
    assert big.shape == (6, 6) and (big[0:3, 3:6] == 255).all() and (big[3:6, 3:6] == 7).all()
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(lp.png(big)))), big)


def progress(step, loss, accuracy, total=100, val=None):
    return Progress(epoch=1, epochs=2, step=step, total_steps=total, loss=loss, accuracy=accuracy,
                    images_per_s=None, elapsed_s=0.0, eta_s=None, epoch_end=val is not None,
                    val_loss=None if val is None else val[0], val_accuracy=None if val is None else val[1])


def panels(svg: str):
    """Each panel's frame (x, y, width, height) and its lines' points, in drawing order."""
    root = ET.fromstring(svg)
    frames = [tuple(float(r.get(k)) for k in ("x", "y", "width", "height")) for r in root.iter(f"{SVG}rect")]
    lines = [[tuple(map(float, xy.split(","))) for xy in p.get("points").split()] for p in root.iter(f"{SVG}polyline")]
    return root, frames, lines


def test_the_curves_put_each_value_where_the_axes_say():
    history = [progress(0, 1.0, 0.0), progress(50, 0.1, 0.5, val=(0.5, 0.75)), progress(100, 0.1, 1.0)]
    root, frames, lines = panels(lp.curves_svg(history))
    (lx, ly, lw, lh), (ax, ay, aw, ah) = frames
    loss, val_loss, accuracy, val_accuracy = lines
    near = lambda points: [pytest.approx(xy, abs=0.11) for xy in points]  # noqa: E731 - written to 0.1 px
    # loss on a log scale from 0.1 (the bottom) to 1 (the top); batches from 0 to the run's 100 across
    assert loss == near([(lx, ly), (lx + lw / 2, ly + lh), (lx + lw, ly + lh)])
    assert val_loss == near([(lx + lw / 2, ly + lh * (1 - math.log10(5)))])  # 0.5: log10(5) of the decade up
    assert accuracy == near([(ax, ay + ah), (ax + aw / 2, ay + ah / 2), (ax + aw, ay)])  # 0 % to 100 %
    assert val_accuracy == near([(ax + aw / 2, ay + ah / 4)])
    assert len(list(root.iter(f"{SVG}circle"))) == 2 + 1  # a dot per validation in each panel, and the legend's
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"loss", "accuracy", "0.1", "0.2", "0.5", "1", "0%", "100%", "0", "20", "100"} <= texts
    assert "50" not in texts  # ticks every 20 batches, at most six


def test_log_ticks_and_ranges_are_1_2_5_values():
    assert lp.log_range([2.3, 0.04]) == (0.02, 5.0)
    assert lp.log_range([]) == (0.1, 3.0)  # before any value
    assert lp.log_ticks(0.1, 3.0) == [0.1, 0.2, 0.5, 1.0, 2.0]
    assert lp.log_ticks(0.01, 5.0) == [0.01, 0.1, 1.0]  # nine 1-2-5 values: only the powers of ten
    assert lp._steps_ticks(422) == [0, 100, 200, 300, 400] and lp._steps_ticks(3) == [0, 1, 2, 3]


def test_the_comparison_chart_labels_its_loss_axis_at_the_same_1_2_5_values():
    """Plotly's own log ticks print 2 and 5 at three quarters of the font, too small on a projector."""
    fig = training_curves({"Run 1": [progress(1, 1.6, 0.3), progress(50, 0.6, 0.8, val=(0.15, 0.95))],
                           "Run 2": [progress(1, 1.2, 0.5)]})
    loss_axis = fig.layout.yaxis
    assert loss_axis.type == "log" and list(loss_axis.tickvals) == [0.1, 0.2, 0.5, 1.0, 2.0]
    assert list(loss_axis.ticktext) == ["0.1", "0.2", "0.5", "1", "2"]
    assert [10 ** end for end in loss_axis.range] == pytest.approx([0.1, 2.0])  # 0.15 and 1.6, both runs


def test_a_diverged_runs_inf_and_nan_losses_leave_the_loss_axis_to_the_finite_ones():
    assert lp.log_range([float("nan"), float("inf"), 0.0, 0.5, 2.0]) == (0.5, 5.0)
    fig = training_curves({"Run 1": [progress(1, 2.0, 0.1), progress(2, float("inf"), 0.1),
                                     progress(3, float("nan"), 0.1, val=(0.5, 0.2))]})
    assert [10 ** end for end in fig.layout.yaxis.range] == pytest.approx([0.5, 5.0])  # 2.0 and the val 0.5
    svg = lp.curves_svg([progress(1, 2.0, 0.1), progress(2, float("nan"), 0.1)])  # the live view draws on too
    assert {"2", "5", "10", "20"} <= {t.text for t in ET.fromstring(svg).iter(f"{SVG}text")}  # a decade from 2.0
