"""MNIST Lab's UI-free core: data, models, training, evaluation and inspection.

Nothing here imports Streamlit; the app's pages call these functions and render what they return.
The engine is `mnist_core.training.train`: not re-exported here, since `mnist_core.train` is the CLI
module, and importing it would replace a package attribute of that name.
"""

from mnist_core.config import TrainConfig
from mnist_core.data import MnistDataError, load_mnist
from mnist_core.device import training_device
from mnist_core.evaluate import Evaluation, evaluate_model
from mnist_core.inference import forward, to_model_input
from mnist_core.models import MODELS, ModelSpec, build_model
from mnist_core.predict import ShippedModelError, load_model_file, load_shipped_models, predict_digit
from mnist_core.runs import Progress, Run

__all__ = [
    "MODELS", "Evaluation", "MnistDataError", "ModelSpec", "Progress", "Run", "ShippedModelError",
    "TrainConfig", "build_model", "evaluate_model", "forward", "load_mnist", "load_model_file",
    "load_shipped_models", "predict_digit", "to_model_input", "training_device",
]
