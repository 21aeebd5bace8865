"""The explorer pages under Streamlit's AppTest: each runs on the sample digit and on a drawing, follows
its widgets, and the numbers it prints agree with the models run independently."""

import base64
import json

import keras
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mnist_core import Run, TrainConfig, load_mnist, load_model_file
from mnist_core.inside import digit_map
from mnist_core.models.registry import MODELS, build_model
from mnist_core.models.shipped import MODELS_DIR
from tests.support import ROOT
from ui.runs import Runs
from ui.state import Drawing, part_key

PAGES = {name: str(ROOT / "app_pages" / f"{name}.py") for name in ("digit_map", "fool", "unit")}


def visitor_with(drawing: np.ndarray | None, yours: keras.Model | None) -> dict:
    """The session parts of a visitor who drew `drawing` and chose a finished run of `yours` as their own model."""
    runs = Runs()
    if yours is not None:
        run = Run(TrainConfig(), number=1)
        run.begin()
        run.finish(yours, seconds=0.0)
        runs.keep_run(run)
        runs.yours = run.number
    return {part_key(Drawing): Drawing(image=drawing), part_key(Runs): runs}


def run(page: str, drawing: np.ndarray | None = None, your_model: keras.Model | None = None, **widgets) -> AppTest:
    at = AppTest.from_file(PAGES[page], default_timeout=180)
    for key, part in visitor_with(drawing, your_model).items():
        at.session_state[key] = part
    for key, value in widgets.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def text(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                     + [s.value for s in at.success] + [w.value for w in at.warning])


def array(value) -> np.ndarray:
    """A Plotly JSON array: a plain list, or a typed array {"dtype", "bdata" (base64), "shape"}."""
    if isinstance(value, dict):
        shape = [int(n) for n in str(value.get("shape", -1)).split(",")]
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).reshape(shape)
    return np.asarray(value)


def charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


@pytest.fixture(scope="module")
def test_set():
    return load_mnist()[1]


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_the_sample_and_has_teachers_notes(page):
    at = run(page)
    assert any("You have not drawn yet" in c.value for c in at.caption)
    assert [e.label for e in at.expander] == ["Teacher's notes"]


def test_map_counts_the_misread_and_places_the_star(test_set):
    images, labels = test_set
    at = run("digit_map", drawing=images[3].astype(np.float32) / 255, map_model="cnn")
    model = load_model_file(MODELS_DIR / "cnn.keras", "cnn")
    wrong = int((np.asarray(model.predict(images / 255.0, batch_size=1000, verbose=0)).argmax(1) != labels).sum())
    assert f"{wrong:,} digits are misread" in text(at)
    assert "PCA: the two directions along which the test digits' features vary most" in text(at)
    [figure] = [c for c in charts(at) if any(t.get("name") == "your drawing" for t in c["data"])]
    star = next(t for t in figure["data"] if t.get("name") == "your drawing")
    # The drawing is test digit #3, so the star sits on top of that dot.
    dot = next(t for t in figure["data"] if t.get("name") == str(labels[3]))
    i = list(array(dot["customdata"])).index(3)
    assert array(star["x"])[0] == pytest.approx(array(dot["x"])[i], abs=1e-3)
    assert array(star["y"])[0] == pytest.approx(array(dot["y"])[i], abs=1e-3)


def test_fool_flips_the_chosen_model_and_tables_every_model(test_set):
    images, _ = test_set
    at = run("fool", fool_model="mlp", fool_target=3)
    assert "MLP changed its mind from 7 to 3 after" in text(at)
    table = at.dataframe[0].value
    assert len(table) == len(MODELS)
    assert table.loc[table["model"] == "MLP", "now reads"].item() == 3
    at.selectbox(key="fool_target").set_value("any other digit").run()
    assert not at.exception
    assert "lowers the probability of the current verdict most" in text(at)


def test_unit_field_sizes_and_strongest_patch(test_set):
    images, _ = test_set
    at = run("unit", unit_model="cnn", unit_layer="conv3", unit_row=1, unit_col=1, unit_channel=5)
    assert "looks at a square of **18×18** pixels" in text(at)  # 3 → 4 → 8 → 10 → 18, worked out by hand
    model = load_model_file(MODELS_DIR / "cnn.keras", "cnn")
    probe = keras.Model(model.inputs[0], model.get_layer("conv3").output)
    values = np.asarray(probe.predict(images[..., None] / 255.0, batch_size=1000, verbose=0))[:, 1, 1, 5]
    assert f"give {np.sort(values)[-9]:.2f} to {values.max():.2f}." in text(at)
    at.selectbox(key="unit_layer").set_value("conv1").run()  # 26×26 maps: the row slider keeps its value
    assert not at.exception and "looks at a square of **3×3** pixels" in text(at)
    at.selectbox(key="unit_model").set_value("lenet5").run()
    assert not at.exception
    # A new model starts at its deepest layer: LeNet-5's c5 sees all 32×32 of the padded input.
    assert "in **c5** (1×1×120) looks at a square of **32×32** pixels" in text(at)
    assert "part of it hanging over the image's edge" in text(at)


def test_the_visitors_own_model_gets_its_own_map_and_patches(monkeypatch):
    yours = build_model("lenet5")  # untrained: its own map, not a shipped one's
    built, build = [], digit_map.build_map
    monkeypatch.setattr(digit_map, "build_map", lambda *args: built.append(args[0]) or build(*args))
    at = run("digit_map", your_model=yours, map_model="yours")
    assert "placed by what **Your model** makes of it: the 84 numbers" in text(at)
    at.run()
    assert built == [yours]  # computed once per visitor and model, not on every rerun
    at = run("unit", your_model=yours, unit_model="yours")
    assert "in **c5** (1×1×120) looks at a square of **32×32** pixels" in text(at)
    at = run("fool", your_model=yours, fool_model="yours")
    assert len(at.dataframe[0].value) == len(MODELS) + 1
