"""The look-inside pages under Streamlit's AppTest: each runs, says which digit it uses, and its
computed sentences follow the widgets. Known answers come from scipy and the published model sizes."""

import base64
import json
import re

import keras
import numpy as np
import pytest
from scipy.signal import correlate2d
from streamlit.testing.v1 import AppTest

from mnist_core import MODELS, load_mnist
from mnist_core.inside.convolution import CLASSIC_KERNELS
from mnist_core.inside.invariance import transform
from mnist_core.models.variants import trained_with
from tests.support.apptest import assert_ok, open_page

PAGES = ["app_pages/convolution.py", "app_pages/filters.py", "app_pages/mlp_vs_cnn.py", "app_pages/saliency.py"]


def text(at: AppTest) -> str:
    """Everything the page wrote in prose, captions and metric labels and values, as one string."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(parts + [f"{m.label}: {m.value}" for m in at.metric])


@pytest.mark.parametrize("path", PAGES)
def test_page_runs_on_the_sample_digit_and_says_so(path):
    at = open_page(path)
    assert any("You have not drawn yet" in c.value for c in at.caption)


def test_convolution_output_size_follows_stride_and_padding():
    at = open_page("app_pages/convolution.py")
    assert "with stride 1 and 'valid' padding turns the 28×28 image into **26×26**" in text(at)
    at.slider(key="conv_stride").set_value(2)
    at.radio(key="conv_padding").set_value("same")
    at.run()
    assert_ok(at)
    assert "with stride 2 and 'same' padding turns the 28×28 image into **14×14**" in text(at)
    assert "leaves 7×7" in text(at)  # 2×2 pooling of 14×14


def test_convolution_stepper_matches_scipy():
    at = open_page("app_pages/convolution.py")
    at.selectbox(key="conv_kernel").set_value("Vertical edges (Sobel)")
    at.slider(key="conv_position_26").set_value(26 * 12 + 9)  # row 12, column 9 of the 26×26 output
    at.run()
    assert_ok(at)
    image = load_mnist()[1][0][0].astype(np.float32) / 255  # the sample: test digit #0
    expected = correlate2d(image, CLASSIC_KERNELS["Vertical edges (Sobel)"], mode="valid")[12, 9]
    [metric] = at.metric
    assert metric.label == "Output at row 12, column 9"
    assert float(metric.value) == pytest.approx(expected, abs=1e-3)
    at.button(key="conv_next").click().run()
    assert at.metric[0].label == "Output at row 12, column 10"


def test_filters_layers_and_models():
    at = open_page("app_pages/filters.py")
    assert "**conv1** has 32 kernels of 3×3:" in text(at)
    at.selectbox(key="filters_layer").set_value("conv2").run()
    assert_ok(at)
    assert "**conv2** has 64 kernels of 3×3×32" in text(at)
    assert "its weights on the one input map it weighs most" in text(at)
    assert "The 24 strongest of 64 kernels and maps are shown" in text(at)
    at.selectbox(key="filters_layer").set_value("pool2").run()
    assert "**pool2** is a pooling layer" in text(at)
    at.selectbox(key="filters_model").set_value("lenet5").run()
    assert_ok(at)
    assert "**c1** has 6 kernels of 5×5:" in text(at)


def z(trace: dict) -> np.ndarray:
    """A heatmap's values as Plotly sends them: a list, or a typed array in base 64."""
    values = trace["z"]
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values, dtype=float)


def test_filters_count_weights_and_biases_and_say_how_many_maps_shown_are_dark():
    at = open_page("app_pages/filters.py")
    assert "**conv1** has 32 kernels of 3×3: 288 weights and 32 biases" in text(at)  # 3·3·32 + 32 = Keras's 320
    assert "filters_layer" not in [s.key for s in at.sidebar.selectbox]  # on the page, beside what it controls
    for layer in ("conv1", "conv2", "pool2"):
        at.selectbox(key="filters_layer").set_value(layer).run()
        spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
        peaks = np.array([np.max(z(trace)) for trace in spec["data"][1::2]])  # kernel, map, kernel, map…
        dark = int((peaks < 0.1 * peaks.max()).sum())  # dark on the maps' shared scale, from the figure itself
        said = f"{dark} of the {len(peaks)} maps shown stay" if dark else f"none of the {len(peaks)} maps shown"
        assert said in text(at), (layer, dark)
        answer = [m.value for m in at.markdown if "**Ask:**" in m.value][-1]
        assert (f"**Answer:** {dark} of the {len(peaks)} maps shown here" if dark else
                "Does every kernel find something in this digit?") in answer
    at.selectbox(key="filters_model").set_value("modern_cnn").run()
    at.selectbox(key="filters_layer").set_value(at.selectbox(key="filters_layer").options[0]).run()
    assert "**conv1** has 32 kernels of 3×3: 288 weights and no biases" in text(at)


def walk_out(shifts: np.ndarray, ok: np.ndarray) -> float:
    """How far from 0 both ways every shift still reads right: the smaller of the two reaches."""
    c = int(np.abs(shifts).argmin())
    if not ok[c]:
        return 0.0
    right = next((shifts[i - 1] for i in range(c + 1, len(shifts)) if not ok[i]), shifts[-1])
    left = next((shifts[i + 1] for i in range(c - 1, -1, -1) if not ok[i]), shifts[0])
    return float(min(right, -left))


def test_mlp_vs_cnn_compares_only_models_trained_alike():
    at = open_page("app_pages/mlp_vs_cnn.py")
    # The published sizes, 407,050 / 93,322 / 61,706, the Modern CNN's 198,442, and 784 × 512 + 512.
    assert "The MLP has 4.4× the CNN's, 6.6× the LeNet-5's, 2.1× the Modern CNN's parameters. 401,920 of" in text(at)
    assert "Confidence in the digit **7** (the test label of this sample digit)" in text(at)
    assert "all on the digits as drawn" in text(at)
    image = load_mnist()[1][0][0].astype(np.float32) / 255
    for augment in (False, True):  # each model's reach, from plain Keras calls on the files trained that way
        if augment:
            at.segmented_control(key="mlp_vs_cnn_training").set_value("with augmentation").run()
            assert_ok(at)
        for name, spec in MODELS.items():
            model = keras.saving.load_model(trained_with(name, augment))
            shifts = np.arange(-6, 6.25, 0.5)
            p = np.asarray(model(np.stack([transform(image, shift=(s, 0)) for s in shifts])[..., None]))[:, 7]
            assert f"{spec.display_name} ±{walk_out(shifts, p >= 0.5):g} px" in text(at), (name, augment)
    assert "all on randomly shifted, rotated and zoomed copies" in text(at)
    assert [m.label for m in at.metric] == [f"{spec.display_name} at 0 px" for spec in MODELS.values()]
    at.segmented_control(key="mlp_vs_cnn_order").set_value("weakest").run()
    assert_ok(at)
    assert "fire **weakest** on this digit" in text(at)


def test_saliency_answers_why_not():
    at = open_page("app_pages/saliency.py")
    at.selectbox(key="saliency_digit").set_value(9).run()
    assert_ok(at)
    assert "the evidence each model found for the digit **9**" in text(at)
    at.select_slider(key="saliency_patch").set_value(3).run()
    assert_ok(at)
    assert "in all 676 positions" in text(at)  # (28 − 3 + 1)² occluded copies


def test_convolution_window_slider_and_text_always_agree():
    at = open_page("app_pages/convolution.py")
    at.slider(key="conv_position_26").set_value(26 * 3 + 4).run()
    at.slider(key="conv_stride").set_value(2).run()  # 13×13 now: position 82 is row 6, column 4
    assert_ok(at)
    assert at.slider(key="conv_position_13").value == 82 and at.metric[0].label == "Output at row 6, column 4"
    at.button(key="conv_next").click().run()
    assert at.slider(key="conv_position_13").value == 83 and at.metric[0].label == "Output at row 6, column 5"


def test_convolution_applies_relu_before_pooling():
    at = open_page("app_pages/convolution.py")
    image = load_mnist()[1][0][0].astype(np.float32) / 255
    output = correlate2d(image, CLASSIC_KERNELS[next(iter(CLASSIC_KERNELS))], mode="valid")
    assert f"sets every negative output to 0 ({(output < 0).mean():.0%} of them here)" in text(at)
    assert f"({np.maximum(output, 0)[:26, :26].reshape(13, 2, 13, 2).max(axis=(1, 3)).max():.2f} at most" in text(at)


def test_a_grid_of_maps_is_one_heatmap_with_each_map_in_its_tile():
    """heatmap_grid draws the tiles as one trace (several times quicker for a browser than a trace a tile): each
    map is found whole at its place in reading order, gutters are blank, and hovering a pixel names its tile."""
    from mnist_core.plots.inside import heatmap_grid

    maps = np.arange(5 * 4 * 3, dtype=float).reshape(5, 4, 3)  # five 4×3 maps, all values different
    fig = heatmap_grid(maps, [f"#{i}" for i in range(5)], cols=3, cell=40, diverging=True)
    [trace] = fig.data
    z = np.array(trace.z, dtype=float)
    places = []
    for i, image in enumerate(maps):
        (top, left), = np.argwhere(z == image[0, 0])  # the tile's top-left pixel, wherever the layout put it
        np.testing.assert_array_equal(z[top:top + 4, left:left + 3], image)
        assert tuple(trace.customdata[top + 1][left + 2]) == (f"#{i}", 1, 2)  # its title, row, column
        places.append((top, left))
    (a, b, c), (d, e) = places[:3], places[3:]  # reading order: three in the first row, two below
    assert a[0] == b[0] == c[0] < d[0] == e[0] and a[1] < b[1] < c[1] and (d[1], e[1]) == (a[1], b[1])
    assert np.isnan(z).sum() == z.size - maps.size  # everything else is gutter
    assert [a.text for a in fig.layout.annotations] == [f"#{i}" for i in range(5)]


def test_convolution_play_skips_the_background_and_the_grid_edits_the_kernel():
    at = open_page("app_pages/convolution.py")
    image = load_mnist()[1][0][0].astype(np.float32) / 255
    inked = [p for p in range(26 * 26) if image[p // 26:p // 26 + 3, p % 26:p % 26 + 3].any()]  # by brute force
    start = at.slider(key="conv_position_26").value
    at.button(key="conv_play").click().run()  # Play's first step: 3 stops on at the normal speed
    assert at.slider(key="conv_position_26").value == inked[(inked.index(start) + 3) % len(inked)]
    seconds = int(re.search(r"one pass takes about (\d+) s", text(at))[1])
    assert f"Play visits {len(inked)} positions, 3 per step" in text(at) and seconds <= 60
    at.button(key="conv_play").click().run()  # Pause
    at.selectbox(key="conv_kernel").set_value("Custom (edit the grid)").run()
    at.number_input(key="conv_w_11").set_value(5.0).run()  # the centre weight of the last classic kernel
    row, col = divmod(at.slider(key="conv_position_26").value, 26)
    kernel = CLASSIC_KERNELS["Vertical edges (Sobel)"].copy()
    kernel[1, 1] = 5.0
    assert float(at.metric[0].value) == pytest.approx(correlate2d(image, kernel, mode="valid")[row, col], abs=1e-3)
