"""Which device Keras would train on, in words for the app."""

import functools
import os
from pathlib import Path

import keras

from mnist_core.i18n import N_, _
from mnist_core.training.run import Sentence


def training_device() -> Sentence:
    """E.g. "GPU: NVIDIA H100 (tensorflow)" or "CPU (tensorflow, no GPU visible)", which `said` translates."""
    backend = keras.backend.backend()
    names = _gpu_names(backend)
    if names:
        # TRANSLATORS: {names} are the GPUs' names, {backend} Keras's backend, such as tensorflow.
        return Sentence(N_("GPU: {names} ({backend})"), names=", ".join(names), backend=backend)
    return Sentence(N_("CPU ({backend}, no GPU visible)"), backend=backend)


def _gpu_names(backend: str) -> list[str]:
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        return [tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus]
    if backend == "jax":
        import jax

        return [d.device_kind for d in jax.devices() if d.platform == "gpu"]
    if backend == "torch":
        import torch

        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return []


def distribution_strategy():
    """A `tf.distribute.MirroredStrategy` over several GPUs, or over the devices in $MNIST_LAB_DEVICES
    (comma-separated, e.g. "/cpu:0,/cpu:1" for a test); None for one device or another backend.

    ValueError (one sentence) when $MNIST_LAB_DEVICES names a device this machine does not have: a
    strategy over a missing device hangs before its first batch, where Stop cannot reach it."""
    devices = chosen_devices()
    if len(devices) < 2:
        return None
    import tensorflow as tf

    return tf.distribute.MirroredStrategy(devices)


def chosen_devices() -> list[str]:
    """The devices a run trains on: $MNIST_LAB_DEVICES checked against this machine, else every GPU."""
    if keras.backend.backend() != "tensorflow":
        return []
    import tensorflow as tf

    present = [d.name for d in tf.config.list_logical_devices()]
    named = os.environ.get("MNIST_LAB_DEVICES", "").strip()
    if not named:
        return [name for name in present if "GPU" in name]
    devices = [_one_of(name.strip(), present) for name in named.split(",")]
    twice = sorted({d for d in devices if devices.count(d) > 1})
    if twice:
        raise ValueError(_("The server setting MNIST_LAB_DEVICES names {device} more than once.").format(
            device=_short(twice[0])))
    return devices


def _one_of(name: str, present: list[str]) -> str:
    """`name` ("/cpu:0", "/device:GPU:1"…) as this machine calls it; ValueError when it has no such device."""
    import tensorflow as tf

    try:
        spec = tf.DeviceSpec.from_string(name)
    except ValueError:
        spec = None
    wanted = spec and spec.device_type and f"/device:{spec.device_type.upper()}:{spec.device_index or 0}"
    if not wanted or wanted not in present:
        have = ", ".join(_short(p) for p in present)
        raise ValueError(_("The server setting MNIST_LAB_DEVICES names {device}, which this machine does not have "
                           "(it has {devices}).").format(device=repr(name), devices=have))
    return wanted


def _short(device: str) -> str:
    return "/" + device.removeprefix("/device:").lower()


@functools.cache
def fastest_precision() -> str:
    """The precision that trains fastest here: float16 on a GPU, bfloat16 on a CPU with bf16 units.

    Measured on this project's 2-core CPU (AVX512-BF16): the CNN trains 1.9× faster in mixed_bfloat16.
    """
    if _gpu_names(keras.backend.backend()):
        return "mixed_float16"
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "float32"
    return "mixed_bfloat16" if ("avx512_bf16" in flags or "amx_bf16" in flags) else "float32"
