"""One declaration per setting: TrainConfig's fields make the CLI, the Train page and the README's
table; every value widget on every page keeps its value across a trip to another page."""

import dataclasses
from pathlib import Path

import pytest

import mnist_core.train
import mnist_core.training.config
import ui.train_settings
from mnist_core.training.config import TrainConfig, options_table, setting
from tests.support.apptest import assert_ok, open_page
from ui.language import KEY as LANGUAGE_KEY
from ui.lesson import LESSON
from ui.state import KeptSettings, part_key

PAGES = [Path(step.path).stem for step in LESSON]
VALUE_WIDGETS = ("slider", "select_slider", "selectbox", "radio", "toggle", "multiselect", "segmented_control")
# Not kept as widget values: the first four show fields of session parts, which keep them; a unit's
# row, column and channel, and Evaluate's misread digit, have options that depend on another choice.
EXEMPT = ("train_yours", "conv_position_", "present_switch", LANGUAGE_KEY, "unit_row", "unit_col", "unit_channel",
          "eval_misread")
# (page, widget kind, key, a value other than the default) for one widget of each kind on each page
CHANGES = [
    ("draw", "slider", "draw_stroke_width", 30), ("draw", "toggle", "draw_mnist_style", False),
    ("convolution", "selectbox", "conv_kernel", "Sharpen"), ("convolution", "slider", "conv_stride", 2),
    ("convolution", "radio", "conv_padding", "same"),
    ("filters", "selectbox", "filters_layer", "conv2"),
    ("mlp_vs_cnn", "segmented_control", "mlp_vs_cnn_order", "weakest"),
    ("mlp_vs_cnn", "slider", "mlp_vs_cnn_amount", 3.0),
    ("saliency", "select_slider", "saliency_patch", 9), ("saliency", "selectbox", "saliency_digit", 4),
    ("train", "select_slider", "train_epochs", 7), ("train", "toggle", "train_augment", True),
    ("train", "radio", "train_optimizer", "sgd"), ("train", "select_slider", "train_seed", 3),
    ("evaluate", "selectbox", "eval_model", "CNN (shipped)"),
]


@pytest.mark.parametrize("page", PAGES)
def test_every_value_widget_is_declared_kept(page):
    at = open_page(f"app_pages/{page}.py")
    kept = at.session_state[part_key(KeptSettings)].keys
    keys = {w.key for kind in VALUE_WIDGETS for w in getattr(at, kind) if w.key}
    assert {key for key in keys - kept if not key.startswith(EXEMPT)} == set()


@pytest.mark.parametrize("page, kind, key, value", CHANGES)
def test_a_setting_survives_a_trip_to_another_page(page, kind, key, value):
    at = open_page(f"app_pages/{page}.py")
    getattr(at, kind)(key=key).set_value(value).run()
    assert_ok(at)
    other = "app_pages/draw.py" if page != "draw" else "app_pages/home.py"
    at.switch_page(other).run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert_ok(at)
    assert getattr(at, kind)(key=key).value == value


@dataclasses.dataclass(frozen=True)
class Extended(TrainConfig):
    """TrainConfig with one more field, declared once, as a developer would add it."""

    label_smoothing: float = setting(0.0, "Label smoothing", "Aim a little below 100 % at the right digit.",
                                     low=0.0, high=0.5, page=(0.0, 0.1, 0.2))


@pytest.fixture
def extended(monkeypatch):
    for module in (mnist_core.training.config, mnist_core.train, ui.train_settings):
        monkeypatch.setattr(module, "TrainConfig", Extended)


def test_a_new_field_appears_in_the_cli_the_page_and_the_readme_table(extended):
    help_text = mnist_core.train.parser().format_help()
    assert "--label-smoothing" in help_text and "Aim a little below 100" in help_text
    config, _ = mnist_core.train.parse_config(["--label-smoothing", "0.1", "--out", "x.keras"])
    assert config.label_smoothing == 0.1
    with pytest.raises(ValueError, match="Label smoothing must be a number at least 0 and below 0.5"):
        Extended(label_smoothing=0.7)
    assert "| `--label-smoothing` | 0.0 | Aim a little below 100 % at the right digit. |" in options_table()
    at = open_page("app_pages/train.py")
    assert at.select_slider(key="train_label_smoothing").help == "Aim a little below 100 % at the right digit."


def test_the_readme_lists_every_training_option():
    assert options_table() in Path("docs/settings.md").read_text()
