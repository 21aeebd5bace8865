"""What a model is made of, as arrays: its layers, kernels, feature maps and the MLP's templates."""

from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

from mnist_core.i18n import _, integer
from mnist_core.models.inference import SIDE, forward, submodel

Named = list[tuple[str, np.ndarray]]

POOLING = (layers.MaxPooling2D, layers.AveragePooling2D)
DARK = 0.1  # a map whose strongest response is under a tenth of the strongest map's looks dark on their shared scale


def conv_kernels(model: keras.Model) -> Named:
    """`[(name, weights (kh, kw, in, out))]` for every Conv2D layer, in model order."""
    return [(layer.name, layer.get_weights()[0]) for layer in model.layers
            if isinstance(layer, layers.Conv2D)]


def strongest_slices(kernels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(kh, kw, in, out) weights → each output kernel's slice on its strongest input channel (the one
    with the largest total |weight|), (out, kh, kw), and which channel that was, (out,).

    A deep kernel reads many maps at once; averaging its slices cancels their signs into pale noise,
    while its strongest slice is a real pattern it looks for.
    """
    channel = np.abs(kernels).sum(axis=(0, 1)).argmax(axis=0)  # (out,)
    slices = kernels[:, :, channel, np.arange(kernels.shape[-1])]  # (kh, kw, out)
    return np.moveaxis(slices, -1, 0), channel


def feature_layers(model: keras.Model) -> list[layers.Layer]:
    """The layers whose outputs are feature maps a learner should see, in model order: pooling layers,
    convolutions with their activation built in, and separate ReLUs (after a convolution and its
    BatchNorm); a bare convolution's output is not yet a map of what was found."""
    def shown(layer: layers.Layer) -> bool:
        if isinstance(layer, layers.Conv2D):
            return layer.activation is not keras.activations.linear
        return isinstance(layer, POOLING) or (isinstance(layer, layers.ReLU) and len(layer.output.shape) == 4)

    return [layer for layer in model.layers if shown(layer)]


def feature_maps(model: keras.Model, image: np.ndarray) -> Named:
    """`[(name, activations (H, W, C))]` for every layer of `feature_layers`, from one model call."""
    chosen = feature_layers(model)
    outputs = forward(submodel(model, "feature maps", lambda: [layer.output for layer in chosen]), image)
    return [(layer.name, out[0]) for layer, out in zip(chosen, outputs, strict=True)]


def _first_dense(model: keras.Model) -> layers.Dense:
    dense = next((layer for layer in model.layers if isinstance(layer, layers.Dense)), None)
    if dense is None or dense.get_weights()[0].shape[0] != SIDE * SIDE:
        raise ValueError(_("{model} has no Dense layer that reads the {pixels} pixels directly.").format(
            model=model.name, pixels=integer(SIDE * SIDE)))
    return dense


def dense_templates(model: keras.Model) -> np.ndarray:
    """The MLP's first Dense layer as images: one (28, 28) weight template per unit, (units, 28, 28)."""
    kernel = _first_dense(model).get_weights()[0]  # (784, units)
    return kernel.T.reshape(-1, 28, 28)


def template_activations(model: keras.Model, image: np.ndarray) -> np.ndarray:
    """Each template's pre-activation (weights · pixels + bias) on `image`, shape (units,).

    Before the ReLU, so that negative values still say how strongly a template argues against it.
    """
    kernel, bias = _first_dense(model).get_weights()  # (784, units), (units,)
    return np.asarray(image, dtype=np.float32).reshape(-1) @ kernel + bias


def weights_and_biases(layer: layers.Layer) -> tuple[int, int]:
    """A layer's learned numbers, counted apart as every page says them: its weights (the kernel, what multiplies
    the input) and its biases (what is added; 0 where BatchNorm's shift replaces them). Their sum is its
    parameters."""
    kernel, bias = getattr(layer, "kernel", None), getattr(layer, "bias", None)
    return (int(np.prod(kernel.shape)) if kernel is not None else 0,
            int(np.prod(bias.shape)) if bias is not None else 0)


def first_layer_weights(model: keras.Model) -> int:
    """The weights of a model's first layer that learns any (its first Dense or Conv2D), biases not counted."""
    return next(weights for layer in model.layers if (weights := weights_and_biases(layer)[0]))


def dark_maps(maps: np.ndarray) -> np.ndarray:
    """Which of the (H, W, C) feature maps look dark beside the others, (C,) bool: their strongest response is
    under DARK of the strongest map's (a map that is 0 everywhere among them)."""
    peaks = maps.max(axis=(0, 1))
    return peaks < DARK * peaks.max() if peaks.max() > 0 else np.ones_like(peaks, dtype=bool)


def layer_parameters(model: keras.Model) -> list[tuple[str, str, int]]:
    """`[(name, layer class, parameter count)]` for every layer, in model order."""
    return [(layer.name, type(layer).__name__, layer.count_params()) for layer in model.layers]


@dataclass(frozen=True)
class Stage:
    """One step of a digit's journey through a model: the layer, what it does, and its output."""

    name: str
    kind: str            # "convolution", "ReLU", "pooling", "dense" or "output"
    values: np.ndarray   # (H, W, C) maps, or (units,) for dense layers and the output


_JOURNEY_KINDS = ((layers.Conv2D, "convolution"), (layers.ReLU, "ReLU"), (POOLING, "pooling"), (layers.Dense, "dense"))


def journey(model: keras.Model, image: np.ndarray) -> list[Stage]:
    """Every layer that changes what the digit looks like to the model, in order, from one model call;
    the last stage is the softmax output. Padding, flattening, dropout and BatchNorm pass through unshown."""
    chosen = [(layer, kind) for layer in model.layers for cls, kind in _JOURNEY_KINDS if isinstance(layer, cls)]
    outputs = forward(submodel(model, "journey", lambda: [layer.output for layer, _kind in chosen]), image)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    stages = [Stage(layer.name, kind, out[0]) for (layer, kind), out in zip(chosen, outputs, strict=True)]
    return stages[:-1] + [Stage(stages[-1].name, "output", stages[-1].values)]
