"""What defines a training run: one frozen, validated dataclass, the only list of training settings.

Each field carries its label, one-sentence explanation, allowed values and range in its metadata.
From that one declaration come the validation below, the CLI's flags (`mnist_core.train`), the Train
page's widgets (`ui.train_settings`) and the README's option table (checked by a test). Labels and
explanations are English, marked with N_: the CLI and the table show them so, the page through `label`
and `explanation` in the visitor's language.
"""

import math
from collections.abc import Callable
from dataclasses import Field, dataclass, field, fields
from functools import partial

from babel.numbers import get_decimal_symbol

from mnist_core.i18n import N_, _, current, integer, ngettext, percent
from mnist_core.models.registry import DEFAULT_MODEL, MODELS

OPTIMIZERS = ("adam", "sgd", "rmsprop")
SCHEDULES = ("cosine", "constant")
CHOICE_WORDS = {"cosine": N_("cosine"), "constant": N_("constant")}  # choices that are words, not names like adam
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
TRAIN_IMAGES = 60_000
MAX_SEED = 2**32 - 1  # NumPy's and TensorFlow's seeds are 32-bit
SGD_MOMENTUM = 0.9    # plain SGD crawls in a classroom-length run


def short(x: float) -> str:
    """`x` as `{:g}` writes it, with the visitor's decimal sign: 0.001 / 0,001."""
    return f"{x:g}".replace(".", get_decimal_symbol(current()))


def setting(default, label: str, explain: str, *, choices: tuple = (), low=None, high=None,
            page: tuple = (), fmt: Callable = str, advanced: bool = False, numbers: dict | None = None):
    """A TrainConfig field: `choices` (strings) or `low`..`high` (numbers, `high` excluded for
    floats) are what is valid; `page` the values the Train page offers, each shown as `fmt(value)`.
    `label` and `explain` are English, marked with N_; `numbers` fill `explain`'s placeholders."""
    return field(default=default, metadata=dict(
        label=label, explain=explain.format(**numbers) if numbers else explain, template=explain,
        numbers=numbers or {}, choices=choices, low=low, high=high, page=page, fmt=fmt, advanced=advanced))


def label(f: Field) -> str:
    """Field `f`'s label in the visitor's language."""
    english = f.metadata["label"]
    return _(english)


def choice(value: str) -> str:
    """A choice as the Train page shows it: a word in the visitor's language, a name (adam, float32) as it is."""
    return _(CHOICE_WORDS[value]) if value in CHOICE_WORDS else value


def explanation(f: Field) -> str:
    """Field `f`'s explanation in the visitor's language (its English is `f.metadata["explain"]`)."""
    meta = f.metadata
    template = meta["template"]
    return _(template).format(**{name: short(x) for name, x in meta["numbers"].items()})


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run; invalid values raise ValueError on construction."""

    model: str = setting(DEFAULT_MODEL, N_("Model"), N_("Which network to train from scratch."),
                         choices=tuple(MODELS))
    epochs: int = setting(
        3, N_("Epochs"), N_("One epoch shows the network every training image once; more epochs, more practice."),
        low=1, high=200, page=tuple(range(1, 21)))
    train_size: int | None = setting(
        None, N_("Training images"), N_("How many of the 60,000 training images to use (a seeded random "
                                        "subset); fewer is faster but learns less."), low=1, high=TRAIN_IMAGES,
        page=(500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000), fmt=integer)
    batch_size: int = setting(
        128, N_("Batch size"), N_("Images looked at before each change of the weights: small batches make "
                                  "many small noisy steps, large ones fewer, smoother steps."), low=1, high=4096,
        page=(16, 32, 64, 128, 256, 512))
    learning_rate: float = setting(
        1e-3, N_("Learning rate"), N_("How big each change of the weights is at its peak: too small learns "
                                      "slowly, too large overshoots and the loss jumps about."), low=1e-6, high=1.0,
        page=(1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 1e-2, 3e-2, 1e-1), fmt=short)
    optimizer: str = setting(
        "adam", N_("Optimizer"), N_("The rule that turns gradients into weight changes (SGD with momentum "
                                    "{momentum}; Adam and RMSprop adapt the step for every weight)."),
        choices=OPTIMIZERS, numbers={"momentum": SGD_MOMENTUM})
    schedule: str = setting(
        "cosine", N_("Schedule"), N_("Cosine warms the learning rate up, then lowers it smoothly to 0 by the "
                                     "end; constant keeps it fixed."), choices=SCHEDULES, advanced=True)
    dropout: float = setting(
        0.0, N_("Dropout"), N_("The fraction of the last hidden layer's units switched off at random in each "
                               "training step, so the network cannot lean on any one of them."), low=0.0, high=1.0,
        page=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5), fmt=partial(percent, digits=0))
    augment: bool = setting(
        False, N_("Augment"), N_("Train on randomly shifted (±10 %), rotated (±10°) and zoomed (±10 %) "
                                 "copies of the digits, so the network learns the digit and not where it sits."))
    validation_split: float = setting(
        0.1, N_("Held out for validation"), N_("The fraction of the training images kept aside to check, "
                                               "at each epoch's end, how well the network does on digits it has "
                                               "not trained on."),
        low=0.0, high=1.0, page=(0.0, 0.05, 0.1, 0.2, 0.3, 0.5), fmt=partial(percent, digits=0), advanced=True)
    seed: int = setting(
        0, N_("Seed"), N_("Fixes every random choice (initial weights, order of images, augmentation): the "
                          "same seed and settings give the same run."), low=0, high=MAX_SEED, page=(0, 1, 2, 3),
        advanced=True)
    precision: str = setting(
        "float32", N_("Precision"), N_("float32 everywhere, or 16-bit arithmetic with float32 weights "
                                       "(mixed_float16 for GPUs, mixed_bfloat16 for CPUs with bf16 units): faster "
                                       "where the hardware has 16-bit units, slower elsewhere."),
        choices=PRECISIONS, advanced=True)

    def __post_init__(self) -> None:
        for message in _problems(self):
            raise ValueError(message)

    @property
    def train_images(self) -> int:
        """Images the model learns from, after the subset and the validation hold-out."""
        total = self.train_size or TRAIN_IMAGES
        return total - round(total * self.validation_split)


def _problems(config: TrainConfig):
    for f in fields(config):
        problem = _field_problem(f, getattr(config, f.name))
        if problem:
            yield problem
            return
    if config.train_images < config.batch_size:
        yield ngettext("After holding out the validation split only {images} image is left to train on, fewer "
                       "than one batch of {batch}.", "After holding out the validation split only {images} images "
                       "are left to train on, fewer than one batch of {batch}.", config.train_images).format(
            images=integer(config.train_images), batch=integer(config.batch_size))


def _field_problem(f, value) -> str | None:
    """One sentence when `value` is not allowed for field `f`, from the field's own metadata."""
    meta, named = f.metadata, {"label": label(f), "value": repr(value)}
    if value is None and f.default is None:
        return None
    if meta["choices"]:
        ok = isinstance(value, str) and value in meta["choices"]
        return None if ok else _("{label} must be one of {choices}, not {value}.").format(
            choices=", ".join(meta["choices"]), **named)
    if f.type is bool:
        return None if type(value) is bool else _("{label} must be True or False, not {value}.").format(**named)
    low, high = meta["low"], meta["high"]
    if f.type is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        ok = ok and low <= value < high
        return None if ok else _("{label} must be a number at least {low} and below {high}, not {value}.").format(
            low=short(low), high=short(high), **named)
    ok = type(value) is int and low <= value <= high
    return None if ok else _("{label} must be a whole number from {low} to {high}, not {value}.").format(
        low=integer(low), high=integer(high), **named)


# One-click recipes from the registry, quickest first; the Train page starts from the first. What
# each reaches, and in how long, is measured by `python -m bench.presets` (bench/RESULTS.md).
PRESETS: dict[str, TrainConfig] = dict(sorted(
    ((spec.preset[0], TrainConfig(model=name, **spec.preset[1])) for name, spec in MODELS.items() if spec.preset),
    key=lambda item: item[1].epochs * (item[1].train_size or TRAIN_IMAGES)))


def cli_flag(name: str) -> str:
    """The command-line flag of a field: `train_size` → `--train-size`."""
    return "--" + name.replace("_", "-")


def options_table() -> str:
    """The README's table of training options, made from the fields (a test keeps the README equal)."""
    rows = ["| option | default | meaning |", "|---|---|---|"]
    for f in fields(TrainConfig):
        allowed = f" ({' / '.join(f.metadata['choices'])})" if f.metadata["choices"] else ""
        default = "all" if f.default is None else f.default
        rows.append(f"| `{cli_flag(f.name)}` | {default} | {f.metadata['explain']}{allowed} |")
    return "\n".join(rows)
