"""Background training jobs: the fair queue, Stop, the reaper of abandoned runs, failures and caps."""

import dataclasses
import threading
import time

import pytest

from mnist_core import jobs
from mnist_core.jobs import JobRegistry, ServerLimits, TrainingJob, TrainingSlots, check_limits
from mnist_core.training import TrainConfig, TrainResult

TINY = TrainConfig(model="lenet5", epochs=1, train_size=2000, batch_size=64, learning_rate=3e-3)


def _until(condition, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.fixture
def finish(monkeypatch):
    """Replace train() by one that 'trains' until the returned event is set or Stop is pressed."""
    event = threading.Event()

    def fake_train(config, on_progress=None, should_stop=None):
        while not (event.wait(0.01) or should_stop()):  # like a real run: Stop is seen within a batch
            pass
        return TrainResult(model=None, config=config, stopped=should_stop())

    monkeypatch.setattr(jobs, "train", fake_train)
    return event


def test_a_second_job_waits_its_turn_in_order(finish):
    slots = TrainingSlots(1)
    first, second, third = (TrainingJob(TINY, slots).start() for _ in range(3))
    assert _until(lambda: first.status == "running")
    assert (second.status, second.queue_position, third.queue_position) == ("queued", 1, 2)
    finish.set()
    assert all(job.wait(5) for job in (first, second, third))
    assert [job.status for job in (first, second, third)] == ["finished"] * 3
    assert first.finished_at <= second.started_at <= second.finished_at <= third.started_at


def test_a_higher_limit_lets_the_next_in_line_start(finish):
    slots = TrainingSlots(1)
    first, second = TrainingJob(TINY, slots).start(), TrainingJob(TINY, slots).start()
    assert _until(lambda: first.status == "running") and second.status == "queued"
    slots.set_limit(2)
    assert _until(lambda: second.status == "running")
    finish.set()
    with pytest.raises(ValueError, match="at least 1, not 0"):
        slots.set_limit(0)


def test_a_queued_job_that_is_stopped_leaves_the_line_at_once(finish):
    slots = TrainingSlots(1)
    first, second, third = (TrainingJob(TINY, slots).start() for _ in range(3))
    assert _until(lambda: first.status == "running")
    second.stop()
    assert second.wait(0) and second.status == "stopped" and second.result is None
    assert (second.queue_position, third.queue_position) == (None, 1)
    finish.set()
    assert third.wait(5) and third.status == "finished"


def test_an_abandoned_job_is_stopped_and_frees_its_slot(finish):
    registry = JobRegistry(TrainingSlots(1), abandon_after_s=0.2)
    orphan, watched = registry.submit(TINY), registry.submit(TINY)
    assert _until(lambda: orphan.status == "running")
    time.sleep(0.3)
    watched.heartbeat()
    assert registry.reap() == 1 and registry.reap() == 0  # the orphan once; the watched job not
    assert orphan.wait(2) and orphan.status == "stopped" and orphan.result.stopped
    assert _until(lambda: watched.status == "running")
    watched.stop()
    assert watched.wait(2) and watched.status == "stopped"


def test_the_reaper_thread_stops_runs_nobody_watches(finish):
    registry = JobRegistry(abandon_after_s=0.1)
    registry.start_reaper(every_s=0.05)
    job = registry.submit(TINY)
    assert job.wait(3) and job.status == "stopped"
    registry.close()


def test_a_failure_inside_train_is_one_sentence_and_frees_the_slot(monkeypatch):
    def broken_train(config, on_progress=None, should_stop=None):
        raise RuntimeError("Disk full.\nTraceback-like details that the page should not show")

    monkeypatch.setattr(jobs, "train", broken_train)
    slots = TrainingSlots(1)
    job = TrainingJob(TINY, slots).start()
    assert job.wait(5) and job.status == "failed" and job.result is None
    assert job.error == "Training failed (RuntimeError): Disk full."
    assert slots.position(job) is None
    assert TrainingJob(TINY, slots).start().wait(5)  # the next job got the slot (and failed too)


def test_per_run_caps_are_refused_with_one_sentence():
    limits = ServerLimits(max_epochs=5, max_train_size=10_000)
    assert check_limits(TINY, limits) is None
    assert check_limits(TrainConfig(epochs=6), limits) == "This server allows at most 5 epochs per run, not 6."
    assert check_limits(TrainConfig(), limits) == (
        "This server trains on at most 10,000 images per run, not 60,000.")
    with pytest.raises(ValueError, match="at most 5 epochs"):
        JobRegistry(limits=limits).submit(TrainConfig(epochs=6))


def test_a_finished_real_run_keeps_its_progress_and_model():
    job = TrainingJob(TINY, TrainingSlots(1)).start()
    assert job.wait(120), "a 1-epoch LeNet-5 run on 2,000 images should take seconds"
    assert job.status == "finished" and job.error is None and job.started_at <= job.finished_at
    assert job.progress and job.latest == job.progress[-1] and job.latest.epoch_end
    assert job.result.model is not None and not job.result.stopped


def test_stop_ends_a_real_run_within_two_seconds_and_keeps_the_model():
    job = TrainingJob(dataclasses.replace(TINY, epochs=5), TrainingSlots(1)).start()
    assert _until(lambda: job.latest is not None, timeout_s=120)  # past loading and graph tracing
    stopped_at = time.monotonic()
    job.stop()
    assert job.wait(2), "Stop took longer than 2 s"
    print(f"Stop took {time.monotonic() - stopped_at:.2f} s")
    assert job.status == "stopped" and job.result.stopped and job.result.model is not None
    assert job.latest.epoch == 1
