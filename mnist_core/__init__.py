"""MNIST Lab's UI-free core: data, models, training, evaluation and inspection.

Nothing here imports Streamlit; the app's pages call these functions and render what they return.
The tree is the architecture: data/ (MNIST and training batches), drawing/ (a visitor's drawing → a
28×28 digit), models/ (registry, shipped files, inference, scores), training/ (settings, engine, a run's
life, the queue and its worker processes), inside/ (the look-inside computations), plots/ (every figure)
and classroom/ (a class's drawings). `train.py` and `evaluate.py` are the command lines.
"""

from mnist_core.data.sources import MnistDataError, load_mnist
from mnist_core.models.inference import forward, to_model_input
from mnist_core.models.metrics import Evaluation, evaluate_model
from mnist_core.models.registry import MODELS, ModelSpec, build_model
from mnist_core.models.shipped import ShippedModelError, load_model_file, load_shipped_models, predict_digit
from mnist_core.training.config import TrainConfig
from mnist_core.training.device import training_device
from mnist_core.training.run import Progress, Run

__all__ = [
    "MODELS", "Evaluation", "MnistDataError", "ModelSpec", "Progress", "Run", "ShippedModelError",
    "TrainConfig", "build_model", "evaluate_model", "forward", "load_mnist", "load_model_file",
    "load_shipped_models", "predict_digit", "to_model_input", "training_device",
]
