"""Fooling against an independent check: the model itself, called directly (`model(x, training=False)`),
must read the changed drawing as the target, and no shorter prefix of the greedy sequence may do so."""

import numpy as np
import pytest

from mnist_core import load_mnist, load_model_file
from mnist_core.inside.fooling import FoolResult, flipped, fool, rank
from mnist_core.models.shipped import MODELS_DIR


def verdict(model, image: np.ndarray) -> int:
    return int(np.asarray(model(image.reshape(1, 28, 28, 1).astype(np.float32), training=False)).argmax())


@pytest.fixture(scope="module")
def sample():
    images, labels = load_mnist()[1]
    return images[0].astype(np.float32) / 255, int(labels[0])  # test digit #0, a 7


@pytest.mark.parametrize("name", ["mlp", "cnn", "lenet5"])
@pytest.mark.parametrize("target", [3, None])
def test_the_change_flips_the_verdict_and_no_prefix_does(name, target, sample):
    image, label = sample
    model = load_model_file(MODELS_DIR / f"{name}.keras", name)
    result = fool(model, image, target, max_pixels=60, seconds=30)
    assert verdict(model, image) == label == int(result.before.argmax())
    assert result.fooled and result.pixels
    goal = (lambda v: v == target) if target is not None else (lambda v: v != label)
    assert goal(verdict(model, result.changed))
    for k in range(len(result.pixels)):
        assert not goal(verdict(model, flipped(image, result.pixels[:k]))), f"{k} pixels already suffice"
    # Exactly the listed pixels differ, each now at 0 or 1.
    assert np.array_equal(result.changed, flipped(image, result.pixels))
    assert (result.changed != image).sum() == len(set(result.pixels)) == len(result.pixels)
    assert set(np.unique(result.changed[result.changed != image])) <= {0.0, 1.0}


def test_budget_stops_the_search(sample):
    image, _ = sample
    model = load_model_file(MODELS_DIR / "cnn.keras", "cnn")
    result = fool(model, image, target=1, max_pixels=2, seconds=30)
    assert len(result.pixels) == 2 and not result.fooled
    assert verdict(model, result.changed) == int(result.after.argmax()) == 7
    out_of_time = fool(model, image, target=1, seconds=0)  # no time: not even the first step starts
    assert out_of_time.pixels == [] and not out_of_time.fooled


def test_target_already_read_changes_nothing(sample):
    image, label = sample
    model = load_model_file(MODELS_DIR / "mlp.keras", "mlp")
    result = fool(model, image, target=label)
    assert result.pixels == [] and result.fooled and np.array_equal(result.changed, image)


def test_flipped_sets_the_opposite_extreme():
    image = np.full((28, 28), 0.2, dtype=np.float32)
    image[0, :4] = [0.0, 0.49, 0.5, 1.0]
    out = flipped(image, [(0, 0), (0, 1), (0, 2), (0, 3)])
    np.testing.assert_array_equal(out[0, :4], [1.0, 1.0, 0.0, 0.0])
    np.testing.assert_array_equal(out[1:], image[1:])


def _searched(pixels: int, fooled: bool) -> FoolResult:
    """A search's outcome with `pixels` changed; only what `rank` reads is meaningful."""
    probs = np.eye(10)[1 if fooled else 0]
    return FoolResult(original=np.zeros((28, 28)), changed=np.zeros((28, 28)), pixels=[(0, i) for i in range(pixels)],
                      before=np.eye(10)[0], after=probs, target=1, tried=0, seconds=0.0)


def test_rank_keeps_ties_and_puts_a_model_that_resisted_last():
    tie = rank({"a": _searched(3, True), "b": _searched(3, True), "c": _searched(9, True)})
    assert (tie.easiest, tie.fewest, tie.hardest, tie.most) == (["a", "b"], 3, ["c"], 9)
    resisted = rank({"a": _searched(3, True), "b": _searched(60, False), "c": _searched(60, False)})
    assert (resisted.easiest, resisted.hardest, resisted.most) == (["a"], ["b", "c"], None)
    none = rank({"a": _searched(60, False)})
    assert (none.easiest, none.fewest, none.hardest) == ([], None, ["a"])
    already = rank({"a": _searched(0, True), "b": _searched(0, True)})  # both read the goal before any change
    assert (already.easiest, already.hardest, already.most) == ([], [], None)
