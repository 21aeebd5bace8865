"""How many runs a host trains at once, and each one's threads: known answers for the hosts the README names,
and the container limits read as Linux writes them."""

import pytest

from mnist_core.training.capacity import cpu_quota, threads_per_run, trainings_at_once


@pytest.mark.parametrize("cores, memory_mb, runs", [
    (1, 8_000, 1),      # below two cores: still one
    (2, 24_000, 1),     # the project's machines
    (8, 16_000, 4),     # one per two cores
    (16, 64_000, 8),
    (16, 4_000, 5),     # memory binds: (4,000 − 1,000) // 600
    (16, 1_200, 1),     # too little for even one beside the server: one all the same
    (8, None, 4),       # memory unknown (Windows): cores alone
    (256, None, 64),    # never above MNIST_LAB_MAX_TRAININGS's bound
])
def test_trainings_at_once(cores, memory_mb, runs):
    assert trainings_at_once(cores, memory_mb) == runs


def test_threads_share_the_cores():
    assert [threads_per_run(8, n) for n in (1, 2, 4, 8, 16)] == [8, 4, 2, 1, 1]


@pytest.mark.parametrize("text, cores", [
    ("200000 100000\n", 2), ("150000 100000", 1), ("50000 100000", 1), ("max 100000\n", None), ("", None),
    (None, None), ("garbage", None), ("100 0", None),
])
def test_a_containers_cpu_quota(text, cores):
    assert cpu_quota(text) == cores
