"""How many runs this host trains at once, from the cores this process may use and its memory, and how many
threads each run's process then gets (what `MNIST_LAB_MAX_TRAININGS` defaults to; docs/settings.md).

Each run trains in its own child process at a lower priority (workers.py), which by itself would use
every core: with several at once, each gets its share, so that they progress side by side instead of
fighting over the same cores. The figures per run are measured (bench/RESULTS.md, "Memory"): a training
process holds ≈ 280 MB of its own when warm and peaks at ≈ 500 MB of its own on "Reach 99 %" (855 MB
resident, 360 MB of which are TensorFlow's library pages shared with the server).
"""

import os
from pathlib import Path

CORES_PER_RUN = 2        # a run's process below that spends its time switching, and pages need a core too
RUN_MEMORY_MB = 600      # a run's process at its peak, its own pages (≈ 500 MB measured) and some headroom
SERVER_MEMORY_MB = 1000  # the server with a class on its pages (docs/hosting.md: give a container 1 GB)
MOST = 64                # MNIST_LAB_MAX_TRAININGS's upper bound


def trainings_at_once(cores: int, memory_mb: int | None) -> int:
    """Runs at once for `cores` usable cores and `memory_mb` of memory (None: unknown, not a bound):
    one per CORES_PER_RUN cores, as many as the memory left by the server holds, at least one."""
    by_cores = cores // CORES_PER_RUN
    by_memory = by_cores if memory_mb is None else (memory_mb - SERVER_MEMORY_MB) // RUN_MEMORY_MB
    return max(1, min(by_cores, by_memory, MOST))


def threads_per_run(cores: int, runs: int) -> int:
    """Each run's share of the cores when `runs` train at once."""
    return max(1, cores // max(1, runs))


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), less any container CPU quota (cgroup v2)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    quota = cpu_quota(_read("/sys/fs/cgroup/cpu.max"))
    return max(1, min(cores, quota)) if quota else cores


def usable_memory_mb() -> int | None:
    """The memory this process may use: a container's limit (cgroup v2) or the machine's; None if unknown."""
    limit = _read("/sys/fs/cgroup/memory.max")
    if limit and limit.strip().isdigit():
        return int(limit) // 2**20
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (AttributeError, ValueError, OSError):  # Windows has no sysconf
        return None


def cpu_quota(cpu_max: str | None) -> int | None:
    """Whole cores allowed by a cgroup v2 `cpu.max` ("200000 100000": 2); None for "max …" or no file."""
    parts = (cpu_max or "").split()
    if len(parts) != 2 or not parts[0].isdigit() or not parts[1].isdigit() or int(parts[1]) == 0:
        return None
    return max(1, int(parts[0]) // int(parts[1]))


def default_trainings() -> int:
    """This host's `MNIST_LAB_MAX_TRAININGS` when it is not set."""
    return trainings_at_once(usable_cores(), usable_memory_mb())


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text()
    except OSError:
        return None
