"""Every page of the app runs under Streamlit's AppTest; the train and evaluate pages do their job."""

import json
import time
from pathlib import Path

import keras
import numpy as np
import pytest

from mnist_core import MODELS, load_mnist
from mnist_core.models.shipped import MODELS_DIR
from tests.support.apptest import open_page
from tests.support.known import ACCURACY_BARS, PUBLISHED_PARAMETERS, TEST_LABEL_COUNTS
from ui.lesson import LESSON
from ui.runs import Runs
from ui.state import Drawing, part_key


def test_home_shows_each_model_with_computed_figures():
    at = open_page("app_pages/home.py")
    values = {m.label: [] for m in at.metric}
    for m in at.metric:
        values[m.label].append(m.value)
    cards = {name: json.loads((MODELS_DIR / f"{name}.json").read_text()) for name in MODELS}
    assert values["Parameters"] == [f"{PUBLISHED_PARAMETERS.get(n, cards[n]['parameters']):,}" for n in MODELS]
    accuracies = [float(v.rstrip("%")) / 100 for v in values["Test accuracy"]]
    assert all(a >= ACCURACY_BARS[n] for a, n in zip(accuracies, MODELS))
    assert [h.value for h in at.subheader][:len(MODELS)] == [spec.display_name for spec in MODELS.values()]
    assert any("Training device:" in md.value for md in at.markdown)


def test_blank_draw_page_prompts_and_shows_no_verdicts():
    at = open_page("app_pages/draw.py")
    assert any("Draw a digit on the black square" in i.value for i in at.info)
    assert len(at.metric) == 0


def test_an_impossible_training_setting_is_refused_in_one_sentence():
    at = open_page("app_pages/train.py")
    at.select_slider(key="train_size").set_value(500)
    at.select_slider(key="train_validation_split").set_value(0.5)
    at.select_slider(key="train_batch_size").set_value(512).run()
    assert [e.value for e in at.error] == [
        "After holding out the validation split only 250 images are left to train on, fewer than one batch of 512."]
    assert at.button(key="train_start").disabled


PAGES = [Path(step.path).stem for step in LESSON]


@pytest.fixture
def no_shipped_models(tmp_path, monkeypatch):
    """An install whose models/ folder is empty; the shared model cache is emptied around the test."""
    import mnist_core.models.shipped
    from ui.resources import shipped_evaluation, shipped_models

    monkeypatch.setattr(mnist_core.models.shipped, "MODELS_DIR", tmp_path)
    for cached in (shipped_models, shipped_evaluation):
        cached.clear()
    yield
    for cached in (shipped_models, shipped_evaluation):
        cached.clear()


@pytest.mark.parametrize("page", PAGES)
def test_missing_model_files_give_one_sentence_on_every_page(no_shipped_models, page):
    at = open_page(f"app_pages/{page}.py")
    if page in ("lesson", "convolution", "train", "classroom"):  # these need no shipped model to start
        assert not at.error
    else:
        assert "mlp.keras is missing; rebuild it with `python -m mnist_core.train" in at.error[0].value


@pytest.mark.parametrize("setting, value, words", [
    ("MNIST_LAB_MAX_EPOCHS", "abc", "MNIST_LAB_MAX_EPOCHS='abc' must be a whole number from 2 to 20."),
    ("MNIST_LAB_MAX_TRAININGS", "0", "MNIST_LAB_MAX_TRAININGS='0' must be a whole number from 1 to 64."),
    ("MNIST_LAB_MAX_TRAIN_SIZE", "400", "must be a whole number from 1,000 to 60,000."),
])
def test_a_bad_server_setting_is_one_sentence(monkeypatch, setting, value, words):
    monkeypatch.setenv(setting, value)
    at = open_page("app_pages/train.py")
    assert words in at.error[0].value


def test_a_lower_size_cap_still_offers_a_default(monkeypatch):
    monkeypatch.setenv("MNIST_LAB_MAX_TRAIN_SIZE", "2000")
    at = open_page("app_pages/train.py")
    assert at.select_slider(key="train_size").value == 2000


def test_a_short_run_through_the_page_leaves_a_run_with_a_curve():
    at = open_page("app_pages/train.py")
    at.selectbox(key="train_model").set_value("lenet5")
    at.select_slider(key="train_epochs").set_value(1)
    at.select_slider(key="train_size").set_value(2_000)
    at.button(key="train_start").click().run()
    deadline = time.monotonic() + 180
    while not at.session_state[part_key(Runs)].runs:
        assert time.monotonic() < deadline, "the run did not finish in 3 minutes"
        time.sleep(0.5)
        at.run()
    run = at.session_state[part_key(Runs)].runs[0]
    assert run.status == "finished" and len(run.progress) > 1 and run.progress[-1].epoch_end
    assert not at.exception
    assert at.dataframe[0].value["run"][0].startswith("Run ")
    assert at.dataframe[0].value["test"][0] == run.test_accuracy > 0.5  # the test-set score is in the table

    at.selectbox(key="train_yours").set_value(run.label).run()  # "your model" joins the shipped ones
    at.switch_page("app_pages/saliency.py").run()
    assert not at.exception
    assert [c.value.split(":")[0] for c in at.caption[1:len(MODELS) + 2]] == [
        s.display_name for s in MODELS.values()] + ["Your model"]


def test_a_run_stopped_before_its_first_batch_is_listed_but_not_drawn():
    """The teacher stopped it while it waited: the table and the note show it; the comparison chart,
    with no curve to draw, does not offer it (it drew empty axes)."""
    from mnist_core import Run, TrainConfig

    at = open_page("app_pages/train.py")
    me = at.session_state[part_key(Runs)]
    me.active = Run(TrainConfig(model="lenet5", epochs=1, train_size=2_000), number=1)
    me.active.stop(note="Stopped by the teacher.")
    me.active.close()
    at.run()
    assert not at.exception and me.active is None and me.runs[0].status == "stopped"
    assert at.dataframe[0].value["status"][0] == "stopped"
    assert at.dataframe[0].value["test"].isna()[0]  # stopped before it trained: no test-set score
    assert any("Stopped by the teacher." in w.value for w in at.warning)
    assert not at.multiselect and not at.get("plotly_chart")


@pytest.mark.parametrize("name", ["lenet5"])
def test_evaluate_page_shows_independently_measured_numbers(name):
    """Accuracy and misreads from plain Keras and numpy; per-digit support from the official label counts."""
    at = open_page("app_pages/evaluate.py")
    at.selectbox(key="eval_model").set_value(f"{MODELS[name].display_name} (shipped)").run()
    assert not at.exception
    images, labels = load_mnist()[1]
    model = keras.saving.load_model(MODELS_DIR / f"{name}.keras")
    predicted = np.concatenate([np.asarray(model(images[i:i + 2000, ..., None] / 255.0)).argmax(axis=1)
                                for i in range(0, len(images), 2000)])
    assert at.metric[0].value == f"{(predicted == labels).mean():.2%}"
    assert f"{(predicted != labels).sum()} of 10,000 test digits misread" in at.metric[0].help
    support = [int(line.split()[-1]) for line in at.code[0].value.splitlines()[3:13]]
    assert support == list(TEST_LABEL_COUNTS)


def test_a_misread_digit_goes_to_where_it_looked_in_one_click():
    at = open_page("app_pages/evaluate.py")
    index = at.selectbox(key="eval_misread").value
    at.button(key="eval_look").click().run()
    assert not at.exception
    images, labels = load_mnist()[1]
    assert any(f"Showing test digit #{index}, labelled {labels[index]}, that" in c.value for c in at.caption)
    np.testing.assert_allclose(at.session_state[part_key(Drawing)].image, images[index] / 255, atol=1e-7)
    assert at.markdown and "To see where a model looked" in at.markdown[0].value


def test_the_lesson_plan_covers_every_page_in_the_sidebars_order_in_45_minutes(monkeypatch):
    import streamlit as st

    import ui.lesson

    plan = open_page(LESSON[0].path).dataframe[0].value
    shown = {}
    monkeypatch.setattr(st, "Page", lambda path, title, **options: title)
    monkeypatch.setattr(st, "navigation", lambda sections, **options: shown.update(sections=sections, **options)
                        or type("Page", (), {"run": lambda self: None})())
    ui.lesson.navigation()
    sidebar = [title for titles in shown["sections"].values() for title in titles]
    assert shown.get("expanded") is True  # Streamlit's default hides pages behind "View 4 more"
    assert list(plan["page"]) == sidebar == [step.name() for step in LESSON]
    spans = [tuple(map(int, span.split("–"))) for span in plan["minutes"] if span != "extra time"]
    assert spans[0][0] == 0 and spans[-1][1] == 45
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))  # one slot after another, no gap, no overlap
    assert list(plan["minutes"][len(spans):]) == ["extra time"] * (len(plan) - len(spans))  # extras last


def test_evaluates_per_digit_table_names_each_digit_and_writes_percents_the_languages_way():
    images, labels = load_mnist()[1]
    predicted = np.asarray(keras.saving.load_model(MODELS_DIR / "mlp.keras")(images[..., None] / 255.0)).argmax(axis=1)
    hits = [((predicted == d) & (labels == d)).sum() for d in range(10)]
    precision = [h / (predicted == d).sum() for d, h in enumerate(hits)]
    recall = [h / n for h, n in zip(hits, TEST_LABEL_COUNTS)]
    english = open_page("app_pages/evaluate.py").dataframe[0].value
    assert list(english.columns[:3]) == ["digit", "precision", "recall"]
    assert list(english["digit"]) == list(range(10))
    assert list(english["precision"]) == [f"{p:.2%}" for p in precision]
    assert list(english["recall"]) == [f"{r:.2%}" for r in recall]
    german = open_page("app_pages/evaluate.py", lang="de").dataframe[0].value
    assert german.iloc[:, 2].tolist() == [f"{r:.2%}".replace(".", ",").replace("%", "\N{NO-BREAK SPACE}%")
                                          for r in recall]
