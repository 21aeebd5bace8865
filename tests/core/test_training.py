"""The training engine: validated configs, progress reports, Stop, and seeded repeatability."""

import math

import numpy as np
import pytest

from mnist_core import Run, TrainConfig
from mnist_core.data.sources import load_mnist
from mnist_core.training.curves import BatchSmoother
from mnist_core.training.device import fastest_precision
from mnist_core.training.engine import prepare, train

QUICK = dict(model="lenet5", epochs=2, train_size=3000, learning_rate=3e-3, batch_size=64)


@pytest.mark.parametrize("field, value, words", [
    ("epochs", 0, "Epochs must be a whole number from 1 to 200, not 0."),
    ("epochs", 2.5, "Epochs must be a whole number"),
    ("batch_size", -8, "Batch size must be a whole number"),
    ("learning_rate", math.nan, "Learning rate must be a number at least 1e-06 and below 1, not nan."),
    ("learning_rate", 0.0, "Learning rate must be a number at least 1e-06"),
    ("learning_rate", 1e308, "Learning rate must be a number at least 1e-06 and below 1, not 1e+308."),
    ("dropout", 1.0, "Dropout must be a number at least 0 and below 1"),
    ("dropout", math.nan, "Dropout must be a number at least 0 and below 1"),
    ("validation_split", -0.1, "Held out for validation must be"),
    ("optimizer", "adagrad", "Optimizer must be one of adam, sgd, rmsprop, not 'adagrad'."),
    ("model", "vgg", "Model must be one of mlp, cnn, lenet5, modern_cnn, not 'vgg'."),
    ("model", ["cnn"], "Model must be one of mlp, cnn, lenet5, modern_cnn, not ['cnn']."),
    ("train_size", 0, "Training images must be a whole number from 1 to 60,000"),
    ("train_size", 70_000, "Training images must be"),
    ("seed", -1, "Seed must be"),
    ("seed", 2**40, "Seed must be a whole number from 0 to 4,294,967,295, not 1099511627776."),
    ("augment", 1, "Augment must be True or False, not 1."),
])
def test_bad_values_are_refused_with_one_sentence(field, value, words):
    with pytest.raises(ValueError) as refused:
        TrainConfig(**{field: value})
    assert words in str(refused.value)


def test_a_subset_smaller_than_one_batch_is_refused():
    with pytest.raises(ValueError, match="only 90 images are left to train on, fewer than one batch of 128"):
        TrainConfig(train_size=100, validation_split=0.1, batch_size=128)


@pytest.fixture(scope="module")
def quick_run():
    reports = []
    return train(TrainConfig(**QUICK), on_progress=reports.append), reports


def test_short_seeded_run_learns(quick_run):
    result, reports = quick_run
    final = reports[-1]
    # from 10 % (chance) in two epochs of 2,700 images (seeds 0–3 read 0.90–0.92 of their 300 validation digits)
    assert final.epoch_end and final.val_accuracy > 0.88
    assert result.model.count_params() == 61_706 and result.status == "finished"


def test_a_run_trained_to_its_end_is_scored_on_the_official_test_set(quick_run):
    result, _ = quick_run
    _, (x_test, y_test) = load_mnist()  # the oracle: the returned model's own readings of the 10,000 digits
    read = result.model.predict(x_test[..., None] / 255.0, batch_size=1000, verbose=0).argmax(axis=1)
    assert result.test_accuracy == pytest.approx((read == y_test).mean(), abs=1e-4) and result.test_accuracy > 0.9


def test_progress_reports_feed_curves_and_a_progress_bar(quick_run):
    _, reports = quick_run
    steps = [r.step for r in reports]
    assert steps == sorted(steps) and len(reports) >= 10  # every few batches, not just per epoch
    assert reports[-1].step == reports[-1].total_steps == 2 * math.ceil(2700 / 64)
    timed = [r for r in reports if r.eta_s is not None]  # an ETA once 3 batches after the first are timed
    assert timed == [r for r in reports if r.step >= 4]
    assert all(r.images_per_s > 0 and r.eta_s >= 0 for r in timed)
    assert [r.val_accuracy is not None for r in reports] == [r.epoch_end for r in reports]
    assert [r.epoch for r in reports if r.epoch_end] == [1, 2]


def test_same_seed_same_metrics(quick_run):
    again = train(TrainConfig(**QUICK))
    assert again.progress[-1].val_loss == quick_run[0].progress[-1].val_loss


@pytest.mark.parametrize("settings", [
    dict(model="lenet5", dropout=0.3, precision=fastest_precision()),   # dropout: its seed state
    dict(model="cnn", augment=True, optimizer="adam", schedule="cosine"),  # random layers; Adam's slots
    dict(model="mlp", precision="mixed_float16", optimizer="sgd"),      # the loss scale; momentum
])
def test_a_prepared_run_is_the_run_its_settings_make(settings):
    """`prepare` trains one step to trace it, then puts everything back. The oracle is the same settings
    trained without it: every weight equal; a different seed (the check's own check) differs."""
    config = TrainConfig(epochs=1, train_size=1500, batch_size=64, validation_split=0.1, seed=3, **settings)
    plain = train(config, scored=False).model.get_weights()  # weights compared, not test scores: 1 s each
    prepared = train(config, prepared=prepare(config), scored=False)
    assert prepared.status == "finished" and prepared.progress[-1].val_accuracy is not None
    assert prepared.test_accuracy is None  # not scored, as asked
    assert all(np.array_equal(a, b) for a, b in zip(plain, prepared.model.get_weights(), strict=True))
    other = train(TrainConfig(**{**config.__dict__, "seed": 4}), scored=False).model.get_weights()
    assert not all(np.array_equal(a, b) for a, b in zip(plain, other, strict=True))


def test_a_run_with_other_settings_ignores_what_was_prepared():
    config = TrainConfig(**QUICK)
    other = TrainConfig(**{**QUICK, "model": "mlp", "epochs": 1})
    run = train(other, prepared=prepare(config), scored=False)
    assert run.status == "finished" and run.model.name == "mlp"
    assert all(np.array_equal(a, b) for a, b in zip(train(other, scored=False).model.get_weights(),
                                                    run.model.get_weights()))


def test_stop_ends_within_one_batch():
    run = Run(TrainConfig(**{**QUICK, "epochs": 3}))
    first = []

    def stop_at_first_report(report) -> None:
        first.append(report.step)
        run.stop()

    train(run.config, on_progress=stop_at_first_report, run=run)
    assert run.status == "stopped" and run.progress[-1].step == first[0]  # no batch after the Stop
    assert not any(p.epoch_end for p in run.progress)  # it ended mid-epoch, without validating that epoch
    assert run.model.predict_on_batch(np.zeros((1, 28, 28, 1))).shape == (1, 10)
    assert run.test_accuracy is None  # a Stop is answered at once, not after scoring 10,000 digits


def test_smoothed_curves_do_not_jump_at_epoch_boundaries():
    """Known answer: batches whose loss falls steadily 1.0, 0.9, 0.8 … over two epochs of three batches.

    Keras reports the running means 1.0, 0.95, 0.9 | 0.7, 0.65, 0.6; the smoother recovers the batches
    (with no decay, exactly) and its curve keeps falling across the boundary, where the means jump.
    """
    means = [1.0, 0.95, 0.9, 0.7, 0.65, 0.6]
    exact, smooth = BatchSmoother(decay=0.0), BatchSmoother(decay=0.9)
    recovered, curve = [], []
    for i, mean in enumerate(means):
        if i == 3:
            exact.new_epoch()
            smooth.new_epoch()
        recovered.append(exact.add(mean))
        curve.append(smooth.add(mean))
    np.testing.assert_allclose(recovered, [1.0, 0.9, 0.8, 0.7, 0.6, 0.5], atol=1e-12)
    assert all(b < a for a, b in zip(curve, curve[1:]))  # falls at every batch, the boundary included


def test_looks_at_the_model_are_paced_by_time_not_by_batches(monkeypatch):
    """A look costs a forward pass: one at the first report, then at most one per LOOK_EVERY_S, and one at
    each epoch's end. Known answers with the pace set to never (3 looks: first report, two epoch ends) and
    to always (a look at every report), whatever the machine's speed."""
    from mnist_core.training import engine, glimpse

    looks = []
    monkeypatch.setattr(engine, "look", lambda model, images, step: looks.append(step) or glimpse.look(
        model, images, step))
    monkeypatch.setattr(engine, "LOOK_EVERY_S", 1e9)
    run = train(TrainConfig(**QUICK), scored=False)
    ends = [p.step for p in run.progress if p.epoch_end]
    assert len(run.progress) >= 20 and looks == [run.progress[0].step, *ends]
    assert run.glimpse.step == run.progress[-1].step  # the last look is the run's final state
    looks.clear()
    monkeypatch.setattr(engine, "LOOK_EVERY_S", 0.0)
    run = train(TrainConfig(**QUICK), scored=False)
    assert looks == [p.step for p in run.progress]


def test_a_failed_glimpse_costs_that_glimpse_never_the_run(monkeypatch):
    from mnist_core.training import engine, glimpse

    calls = []

    def fails_first(model, images, step):
        calls.append(step)
        if len(calls) == 1:
            raise ValueError("Incompatible type conversion requested to type bfloat16")
        return glimpse.look(model, images, step)

    monkeypatch.setattr(engine, "look", fails_first)
    run = train(TrainConfig(**{**QUICK, "epochs": 1}), scored=False)
    assert run.status == "finished" and run.error is None
    assert len(calls) > 1 and run.glimpse is not None and run.glimpse.step == calls[-1]
