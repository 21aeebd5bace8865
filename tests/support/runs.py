"""For tests of training runs: the smallest real run worth queuing, a wait for a condition, and the training
children this test process has (Linux's /proc)."""

import time
from pathlib import Path

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


def training_children() -> list[int]:
    """The pids of this process's training children (mnist_core.training.workers), zombies excluded."""
    found = []
    for task in Path("/proc/self/task").iterdir():
        try:
            found += [int(pid) for pid in (task / "children").read_text().split()]
        except OSError:  # that thread ended while we looked
            pass
    return [pid for pid in found if b"mnist_core.training.workers" in _cmdline(pid)]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # it has just exited
        return b""
