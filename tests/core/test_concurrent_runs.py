"""Several visitors training at once, or one after another in fresh threads, in every precision:
every run must finish (a shared dtype policy, seed or graph between runs would make one fail)."""

import itertools

from mnist_core import MODELS
from mnist_core.training.config import PRECISIONS, TrainConfig
from mnist_core.training.scheduler import RunQueue, ServerLimits

TINY = dict(epochs=1, train_size=640, batch_size=64, validation_split=0.1)


def configs() -> list[TrainConfig]:
    """Every precision twice (augmented and not), the registry's models taken in turn, on tiny data."""
    pairs = zip(itertools.chain.from_iterable(zip(PRECISIONS, PRECISIONS)), itertools.cycle(MODELS))
    return [TrainConfig(model=m, precision=p, augment=i % 2 == 0, seed=i, **TINY) for i, (p, m) in enumerate(pairs)]


def test_runs_at_once_in_every_precision_all_finish():
    queue = RunQueue(limits=ServerLimits(max_concurrent=4))
    runs = [queue.submit(config) for config in configs()]
    assert all(run.wait(600) for run in runs)
    assert [(r.config.model, r.config.precision, r.status, r.error) for r in runs if r.status != "finished"] == []


def test_runs_back_to_back_in_fresh_threads_all_finish():
    queue = RunQueue()  # one slot: each run starts in a new thread right after the previous one ends
    for config in configs()[::-1][:4]:
        run = queue.submit(config)
        assert run.wait(300) and run.status == "finished", (config, run.error)
