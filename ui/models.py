"""The models one visitor can use: the shipped ones, plus their own chosen run as "your model"."""

import keras
import numpy as np

from mnist_core import MODELS, Evaluation, evaluate_model
from mnist_core.i18n import N_, _
from mnist_core.models.inference import fingerprint
from mnist_core.models.registry import YOURS, display_name
from mnist_core.training.run import Run
from ui.resources import cached, shipped_evaluation, shipped_models, test_set
from ui.runs import MAX_RUNS, my_runs
from ui.state import or_stop


def available_models() -> dict[str, keras.Model]:
    """The shipped models, plus the visitor's own chosen run as `YOURS` when there is one.

    A missing or corrupt model file ends the page with its one-sentence error (and how to rebuild it).
    """
    models = dict(or_stop(shipped_models))
    yours = my_runs().your_model()
    if yours is not None:
        models[YOURS] = yours
    return models


def model_choices() -> dict[str, tuple[str, object]]:
    """Label in the visitor's language → ("shipped", name) or ("run", run) for every model they can evaluate."""
    # TRANSLATORS: {model} is a model's name, such as LeNet-5.
    choices = {_("{model} (shipped)").format(model=display_name(name)): ("shipped", name) for name in MODELS}
    choices.update({run.name(): ("run", run) for run in my_runs().runs if run.model is not None})
    return choices


def evaluation_of(choice: tuple[str, object]) -> tuple[Evaluation, np.ndarray]:
    """The test-set evaluation of a choice (shared cache for shipped models, per-visitor for runs)."""
    kind, what = choice
    images, labels = or_stop(test_set)
    if kind == "shipped":
        return or_stop(lambda: shipped_evaluation(what)), images
    run: Run = what
    return test_set_evaluation(fingerprint(run.model), run.model), images


@cached(N_("Scoring your model on the test images…"), scope="session", max_entries=MAX_RUNS)
def test_set_evaluation(weights: str, _model: keras.Model) -> Evaluation:
    """A visitor's own model scored on the official test set, once per model (keyed by its weights)."""
    return evaluate_model(_model, *test_set())
