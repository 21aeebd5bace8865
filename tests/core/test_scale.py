"""Scale-out paths: MirroredStrategy (tested on two logical CPU devices) and mixed precision."""

import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from mnist_core import TrainConfig
from mnist_core.training.engine import train

TWO_DEVICES = textwrap.dedent("""
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from mnist_core import TrainConfig
    from mnist_core.training.engine import train
    from mnist_core.training.device import distribution_strategy
    print("replicas", distribution_strategy().num_replicas_in_sync)
    result = train(TrainConfig(model="lenet5", epochs=2, train_size=3000, batch_size=64, learning_rate=3e-3))
    print("val_accuracy", result.progress[-1].val_accuracy)
""")


def test_mirrored_strategy_trains_on_two_logical_devices():
    env = {**os.environ, "MNIST_LAB_DEVICES": "/cpu:0,/cpu:1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", TWO_DEVICES], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = dict(line.split() for line in done.stdout.splitlines() if line.startswith(("replicas", "val_acc")))
    assert lines["replicas"] == "2"
    assert float(lines["val_accuracy"]) > 0.9


@pytest.mark.parametrize("policy, compute", [("mixed_float16", "float16"), ("mixed_bfloat16", "bfloat16")])
def test_mixed_precision_computes_in_16_bits_and_keeps_a_float32_softmax(policy, compute):
    result = train(TrainConfig(model="lenet5", epochs=1, train_size=1000, batch_size=64, precision=policy))
    dtypes = {layer.name: layer.compute_dtype for layer in result.model.layers}
    assert dtypes["c1"] == compute and dtypes["f6"] == compute and dtypes["output"] == "float32"
    assert all(w.dtype == "float32" for w in result.model.weights)
    scaled = isinstance(result.model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert scaled == (policy == "mixed_float16")  # float16 gradients underflow without loss scaling
    p = np.asarray(result.model.predict_on_batch(np.zeros((2, 28, 28, 1), np.float32)))
    assert p.dtype == np.float32 and np.allclose(p.sum(axis=1), 1, atol=1e-3)
