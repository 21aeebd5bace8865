"""For tests of training runs: the smallest real run worth queuing, and a wait for a condition."""

import time

from mnist_core.training.config import TrainConfig

TINY = TrainConfig(model="lenet5", epochs=1, train_size=2000, batch_size=64, learning_rate=3e-3)


def until(condition, timeout_s: float = 5.0) -> bool:
    """Poll `condition` every 10 ms; True once it holds, False if `timeout_s` passes first."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
