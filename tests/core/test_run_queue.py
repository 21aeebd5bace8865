"""Background training runs: the fair queue, Stop, the reaper of abandoned runs, failures and caps."""

import dataclasses
import threading
import time

import pytest

from mnist_core.training import scheduler
from mnist_core.training.config import TrainConfig
from mnist_core.training.scheduler import RunQueue, ServerLimits, check_limits
from mnist_core.training.slots import TrainingSlots
from tests.support.runs import TINY, until


@pytest.fixture
def finish(monkeypatch):
    """Replace train() by one that 'trains' until the returned event is set or Stop is pressed."""
    event = threading.Event()

    def fake_train(config, on_progress=None, run=None):
        if run.begin():
            while not (event.wait(0.01) or run.stop_requested):  # like a real run: Stop is seen within a batch
                pass
            run.finish(model=None, seconds=0.0)
        return run

    monkeypatch.setattr(scheduler, "train", fake_train)
    return event


def test_a_second_run_waits_its_turn_in_order(finish):
    queue = RunQueue(TrainingSlots(1))
    first, second, third = (queue.submit(TINY) for _ in range(3))
    assert until(lambda: first.status == "running")
    assert (second.status, second.queue_position, third.queue_position) == ("queued", 1, 2)
    finish.set()
    assert all(run.wait(5) for run in (first, second, third))
    assert [run.status for run in (first, second, third)] == ["finished"] * 3
    assert first.finished_at <= second.started_at <= second.finished_at <= third.started_at


def test_a_higher_limit_lets_the_next_in_line_start(finish):
    queue = RunQueue(TrainingSlots(1))
    first, second = queue.submit(TINY), queue.submit(TINY)
    assert until(lambda: first.status == "running") and second.status == "queued"
    queue.slots.set_limit(2)
    assert until(lambda: second.status == "running")
    finish.set()
    with pytest.raises(ValueError, match="at least 1, not 0"):
        queue.slots.set_limit(0)


def test_a_queued_run_that_is_stopped_leaves_the_line_at_once(finish):
    queue = RunQueue(TrainingSlots(1))
    first, second, third = (queue.submit(TINY) for _ in range(3))
    assert until(lambda: first.status == "running")
    second.stop()
    assert second.wait(0) and second.status == "stopped" and second.model is None
    assert (second.queue_position, third.queue_position) == (None, 1)
    finish.set()
    assert third.wait(5) and third.status == "finished"


def test_an_abandoned_run_is_stopped_and_frees_its_slot(finish):
    registry = RunQueue(TrainingSlots(1), abandon_after_s=0.2)
    orphan, watched = registry.submit(TINY), registry.submit(TINY)
    assert until(lambda: orphan.status == "running")
    time.sleep(0.3)
    watched.heartbeat()
    assert registry.reap() == 1 and registry.reap() == 0  # the orphan once; the watched run not
    assert orphan.wait(2) and orphan.status == "stopped"
    assert until(lambda: watched.status == "running")
    watched.stop()
    assert watched.wait(2) and watched.status == "stopped"


def test_the_reaper_thread_stops_runs_nobody_watches(finish):
    registry = RunQueue(abandon_after_s=0.1)
    registry.start_reaper(every_s=0.05)
    run = registry.submit(TINY)
    assert run.wait(3) and run.status == "stopped"
    registry.close()


def test_a_failure_inside_train_is_one_sentence_and_frees_the_slot(monkeypatch):
    def broken_train(config, on_progress=None, run=None):
        raise RuntimeError("Disk full.\nTraceback-like details that the page should not show")

    monkeypatch.setattr(scheduler, "train", broken_train)
    queue = RunQueue(TrainingSlots(1))
    run = queue.submit(TINY)
    assert run.wait(5) and run.status == "failed" and run.model is None
    assert run.error == "Training failed (RuntimeError): Disk full."
    assert queue.slots.position(run) is None
    assert queue.submit(TINY).wait(5)  # the next run got the slot (and failed too)


def test_per_run_caps_are_refused_with_one_sentence():
    limits = ServerLimits(max_epochs=5, max_train_size=10_000)
    assert check_limits(TINY, limits) is None
    assert check_limits(TrainConfig(epochs=6), limits) == "This server allows at most 5 epochs per run, not 6."
    assert check_limits(TrainConfig(), limits) == (
        "This server trains on at most 10,000 images per run, not 60,000.")
    with pytest.raises(ValueError, match="at most 5 epochs"):
        RunQueue(limits=limits).submit(TrainConfig(epochs=6))


def test_a_finished_real_run_keeps_its_progress_and_model():
    run = RunQueue(TrainingSlots(1)).submit(TINY)
    assert run.wait(120), "a 1-epoch LeNet-5 run on 2,000 images should take seconds"
    assert run.status == "finished" and run.error is None and run.started_at <= run.finished_at
    assert run.progress and run.latest == run.progress[-1] and run.latest.epoch_end
    assert run.model is not None and run.seconds > 0


def test_stop_ends_a_real_run_within_two_seconds_and_keeps_the_model():
    run = RunQueue(TrainingSlots(1)).submit(dataclasses.replace(TINY, epochs=5))
    assert until(lambda: run.latest is not None, timeout_s=120)  # past loading and graph tracing
    stopped_at = time.monotonic()
    run.stop()
    assert run.wait(2), "Stop took longer than 2 s"
    print(f"Stop took {time.monotonic() - stopped_at:.2f} s")
    assert run.status == "stopped" and run.model is not None
    assert run.latest.epoch == 1


def test_one_address_cannot_fill_the_line_even_with_a_new_browser_id_each_time(finish):
    """22 connections without cookies from one address (each a new browser id) queued 21 runs, and the line
    was full for everyone; now that address gets its share, and a visitor from elsewhere still gets in."""
    queue = RunQueue(TrainingSlots(1), limits=ServerLimits(max_waiting=20, per_address=5))
    taken, refused = [], []
    for i in range(22):
        try:
            taken.append(queue.submit(TINY, owner=f"cookieless-{i}", address="203.0.113.7"))
        except ValueError as refusal:
            refused.append(str(refusal))
    assert len(taken) == 5 and len(refused) == 17
    assert refused[0] == ("Your network address already has 5 runs queued or training, this server's most for one "
                          "address; try again when one of them has ended.")
    assert queue.submit(TINY, owner="a-real-visitor", address="198.51.100.20").queue_position == 5
    finish.set()
    assert all(run.wait(5) for run in taken)
    assert queue.submit(TINY, owner="cookieless-22", address="203.0.113.7").wait(5)  # its share is free again
