"""The networks the app compares, as pure Keras 3 builders, and their registry (`MODELS`).

Every model takes (N, 28, 28, 1) float32 in [0, 1] and returns softmax probabilities (N, 10).
The registry is the one list of models: pages, the CLI, Evaluate and the tests all read it, so a new
model is a builder and an entry here (plus its shipped file and card in models/).
"""

from collections.abc import Callable
from dataclasses import dataclass

import keras
from keras import layers

from mnist_core.i18n import N_, _

INPUT_SHAPE = (28, 28, 1)


def build_mlp(dropout: float = 0.0) -> keras.Model:
    """784-512-10 with ReLU, as in Chollet's notebook: 407,050 parameters."""
    return keras.Sequential([
        keras.Input(INPUT_SHAPE),
        layers.Flatten(name="flatten"),
        layers.Dense(512, activation="relu", name="dense_512"),
        layers.Dropout(dropout, name="dropout"),
        layers.Dense(10, activation="softmax", name="output"),
    ], name="mlp")


def build_cnn(dropout: float = 0.0) -> keras.Model:
    """The keras.io / Chollet convnet: 93,322 parameters."""
    return keras.Sequential([
        keras.Input(INPUT_SHAPE),
        layers.Conv2D(32, 3, activation="relu", name="conv1"),   # (26, 26, 32)
        layers.MaxPooling2D(2, name="pool1"),                     # (13, 13, 32)
        layers.Conv2D(64, 3, activation="relu", name="conv2"),   # (11, 11, 64)
        layers.MaxPooling2D(2, name="pool2"),                     # (5, 5, 64)
        layers.Conv2D(64, 3, activation="relu", name="conv3"),   # (3, 3, 64)
        layers.Flatten(name="flatten"),
        layers.Dense(64, activation="relu", name="dense_64"),
        layers.Dropout(dropout, name="dropout"),
        layers.Dense(10, activation="softmax", name="output"),
    ], name="cnn")


def build_lenet5(dropout: float = 0.0) -> keras.Model:
    """LeNet-5 (LeCun et al. 1998) with ReLU and max pooling: 61,706 parameters.

    The layer shapes are the paper's. Three modern substitutions, all standard in re-implementations:
    ReLU for the scaled tanh and max pooling for the trainable sub-sampling (both train faster and
    reach a lower error), a full C3 connection table (the paper wired each C3 map to a subset of
    S2's maps only to save compute), and softmax outputs for the Gaussian RBF units.
    """
    return keras.Sequential([
        keras.Input(INPUT_SHAPE),
        layers.ZeroPadding2D(2, name="pad_to_32"),                # (32, 32, 1), as in the paper
        layers.Conv2D(6, 5, activation="relu", name="c1"),       # (28, 28, 6)
        layers.MaxPooling2D(2, name="s2"),                        # (14, 14, 6)
        layers.Conv2D(16, 5, activation="relu", name="c3"),      # (10, 10, 16)
        layers.MaxPooling2D(2, name="s4"),                        # (5, 5, 16)
        layers.Conv2D(120, 5, activation="relu", name="c5"),     # (1, 1, 120)
        layers.Flatten(name="flatten"),
        layers.Dense(84, activation="relu", name="f6"),
        layers.Dropout(dropout, name="dropout"),
        layers.Dense(10, activation="softmax", name="output"),
    ], name="lenet5")


def _conv_bn_relu(filters: int, name: str) -> list[layers.Layer]:
    """3×3 convolution (no bias: BatchNorm's shift replaces it), BatchNorm, then ReLU."""
    return [layers.Conv2D(filters, 3, use_bias=False, name=name),
            layers.BatchNormalization(name=f"{name}_bn"),
            layers.ReLU(name=f"{name}_relu")]


def build_modern_cnn(dropout: float = 0.0) -> keras.Model:
    """Four 3×3 conv layers with BatchNorm in two pooled blocks, in the spirit of An et al. 2020's
    small all-3×3 networks: 198,442 parameters."""
    return keras.Sequential([
        keras.Input(INPUT_SHAPE),
        *_conv_bn_relu(32, "conv1"),                              # (26, 26, 32)
        *_conv_bn_relu(32, "conv2"),                              # (24, 24, 32)
        layers.MaxPooling2D(2, name="pool1"),                     # (12, 12, 32)
        *_conv_bn_relu(64, "conv3"),                              # (10, 10, 64)
        *_conv_bn_relu(64, "conv4"),                              # (8, 8, 64)
        layers.MaxPooling2D(2, name="pool2"),                     # (4, 4, 64)
        layers.Flatten(name="flatten"),                           # (1024,)
        layers.Dense(128, use_bias=False, name="dense_128"),
        layers.BatchNormalization(name="dense_128_bn"),
        layers.ReLU(name="dense_128_relu"),
        layers.Dropout(dropout, name="dropout"),
        layers.Dense(10, activation="softmax", name="output"),
    ], name="modern_cnn")


@dataclass(frozen=True)
class ModelSpec:
    """What the app says about a model (in English, marked N_: shown through `display_name` and `description`),
    how to build it, and how pages draw it."""

    display_name: str
    description: str
    build: Callable[[float], keras.Model]
    colour: str               # one colour per model on every chart
    convolutional: bool       # has Conv2D layers: shown on the kernel and feature-map pages
    preset: tuple[str, dict] | None = None  # a one-click Train page recipe: (name marked N_, TrainConfig settings)


MODELS: dict[str, ModelSpec] = {
    "mlp": ModelSpec(
        N_("MLP"),
        N_("A multilayer perceptron: every one of the 784 pixels connects to each of 512 hidden units, "
           "which feed 10 outputs. It has no idea that neighbouring pixels belong together, so it must "
           "learn each stroke at each position separately: many parameters, and easily fooled by a "
           "digit that is shifted or drawn at another size."),
        build_mlp, "#636EFA", convolutional=False),
    "cnn": ModelSpec(
        N_("CNN"),
        N_("A convolutional network: three layers of small 3×3 filters slide over the image, so the same "
           "stroke detector works everywhere, and max pooling halves the resolution twice so that later "
           "layers see larger parts of the digit. A small dense head turns those features into ten "
           "scores. Far fewer parameters than the MLP, and more accurate."),
        build_cnn, "#EF553B", convolutional=True,
        preset=(N_("Reach 99 %"), dict(epochs=3, batch_size=256, learning_rate=1e-2))),
    "lenet5": ModelSpec(
        N_("LeNet-5"),
        N_("Yann LeCun's 1998 network that read bank cheques: the image is padded to 32×32, then two "
           "rounds of 5×5 convolution and pooling (6, then 16 feature maps) and a 5×5 convolution to "
           "120 units, followed by dense layers of 84 and 10. The ancestor of every modern vision "
           "model, and still hard to beat on MNIST for its size."),
        build_lenet5, "#00CC96", convolutional=True,
        preset=(N_("Quick look"), dict(epochs=3, train_size=10_000, batch_size=64, learning_rate=3e-3))),
    "modern_cnn": ModelSpec(
        N_("Modern CNN"),
        N_("What 25 years of practice added to LeNet-5: stacks of small 3×3 convolutions, each followed "
           "by batch normalisation, which rescales every layer's outputs to a steady range so that a "
           "deeper network trains quickly and reliably at a high learning rate; and augmentation, "
           "training on randomly shifted, rotated and zoomed copies of the digits, so that the network "
           "learns the digit and not where or how large it was drawn."),
        build_modern_cnn, "#FFA15A", convolutional=True),
}
DEFAULT_MODEL = "lenet5"  # what a fresh TrainConfig and the Train page start with
YOURS = "yours"           # the key under which a visitor's own trained model joins the shipped ones
YOURS_COLOUR = "#AB63FA"


def build_model(name: str, dropout: float = 0.0) -> keras.Model:
    """Build a fresh, untrained model by registry name (a key of `MODELS`)."""
    if name not in MODELS:
        raise ValueError(f"Unknown model {name!r}: choose one of {', '.join(MODELS)}.")
    return MODELS[name].build(dropout)


def display_name(name: str) -> str:
    """The registry's display name in the visitor's language; any other key (`YOURS`) is the visitor's own model."""
    return _(MODELS[name].display_name) if name in MODELS else _("Your model")


def description(name: str) -> str:
    """What a registry model is, in a few sentences in the visitor's language."""
    return _(MODELS[name].description)


def colour(name: str) -> str:
    """The chart colour of a registry model, or of the visitor's own."""
    return MODELS[name].colour if name in MODELS else YOURS_COLOUR
