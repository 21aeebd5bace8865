"""Training in child processes, as the app does: reports, glimpses and the model come back, a child trains
runs in turn and then leaves, Stop ends the run at once, a child that dies or fails ends its run with one
sentence, and runs at once all finish."""

import os
import signal
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from mnist_core.data.sources import load_mnist
from mnist_core.training import workers
from mnist_core.training.config import PRECISIONS, TrainConfig
from mnist_core.training.engine import train
from mnist_core.training.run import Run
from mnist_core.training.scheduler import RunQueue, ServerLimits
from mnist_core.training.workers import TrainingProcesses
from tests.support.runs import training_children, until

QUICK = TrainConfig(model="lenet5", epochs=2, train_size=3000, learning_rate=3e-3, batch_size=64)


@pytest.fixture
def processes():
    processes = TrainingProcesses(idle_s=60)
    yield processes
    processes.close()


@pytest.fixture
def children():
    """Lists the training children started since this test began (Linux's /proc): not a test server or
    browser of the session, nor a child that an earlier test's app queue keeps for its next run."""
    if not sys.platform.startswith("linux"):
        pytest.skip("finds the training children through Linux's /proc (CI runs on Linux)")
    before = set(training_children())
    return lambda: [pid for pid in training_children() if pid not in before]


def _train_in_background(processes: TrainingProcesses, run: Run) -> threading.Thread:
    thread = threading.Thread(target=processes.train, args=(run,), daemon=True)
    thread.start()
    return thread


def test_a_run_in_a_child_process_reports_learns_and_returns_its_model(processes):
    run = Run(QUICK)
    processes.train(run)
    assert run.status == "finished" and run.error is None
    steps = [p.step for p in run.progress]
    assert steps == sorted(steps) and steps[-1] == run.progress[-1].total_steps
    assert [p.epoch for p in run.progress if p.epoch_end] == [1, 2] and run.progress[-1].val_accuracy > 0.8
    assert run.glimpse is not None and run.glimpse.kernels.shape == (6, 5, 5)  # LeNet-5's first layer
    _, (x_test, y_test) = load_mnist()  # the oracle: the returned model, scored here on unseen digits
    read = run.model.predict(x_test[..., None] / 255.0, verbose=0).argmax(axis=1)
    assert (read == y_test).mean() > 0.8
    # the child's score of the test set came back with the model, and it is that model's score
    assert run.test_accuracy == pytest.approx((read == y_test).mean(), abs=1e-4)


def test_a_child_trains_runs_in_turn_then_leaves_with_its_memory(processes, children, monkeypatch):
    monkeypatch.setattr(workers, "RUNS_PER_PROCESS", 2)
    processes.prewarm()
    first = children()
    assert len(first) == 1
    tiny = TrainConfig(model="mlp", epochs=1, train_size=1000)
    processes.train(Run(tiny))
    assert children() == first  # the same child waits for the next run
    processes.train(second := Run(tiny))
    assert second.status == "finished" and until(lambda: not children(), 10)  # its second run: it left


def test_a_child_that_prepared_the_settings_trains_the_run_they_make(processes, children):
    """The page tells the free child what it shows; the run started with those settings is the one the
    engine makes from them here (the oracle), and one with other settings is too."""
    processes.train(Run(TrainConfig(model="mlp", epochs=1, train_size=1000)))  # a child warm and waiting
    tiny = TrainConfig(model="lenet5", epochs=1, train_size=1000, dropout=0.2, validation_split=0.1)
    processes.expect(tiny)
    processes.expect(tiny)  # a rerun of the same page: asked once
    processes.train(run := Run(tiny))
    assert run.status == "finished" and len(children()) == 1
    for a, b in zip(train(tiny).model.get_weights(), run.model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)  # another process: the same arithmetic
    processes.expect(tiny)
    processes.train(other := Run(TrainConfig(model="mlp", epochs=1, train_size=1000)))
    assert other.status == "finished" and other.model.name == "mlp"


def test_no_spare_starts_while_every_slot_trains(processes, children):
    run = Run(QUICK)
    thread = _train_in_background(processes, run)
    assert until(lambda: run.progress, 120)
    processes.prewarm()  # the Train page of a visitor whose run is training reruns, and asks again
    assert len(children()) == 1  # one slot, busy: a second child would only compete with the run
    run.stop()
    thread.join(60)
    assert len(children()) == 1  # the same child, free again for the next run


def test_stop_ends_the_child_run_at_once_with_its_model(processes):
    run = Run(QUICK)
    thread = _train_in_background(processes, run)
    assert until(lambda: len(run.progress) >= 2, 120)
    run.stop()
    thread.join(60)
    assert run.status == "stopped" and run.model is not None
    assert run.progress[-1].step < run.progress[-1].total_steps and not any(p.epoch_end for p in run.progress)


def test_a_child_that_dies_fails_its_run_in_one_sentence(processes, children):
    """The next run gets a new child."""
    run = Run(QUICK)
    thread = _train_in_background(processes, run)
    assert until(lambda: run.progress, 120)
    for pid in children():
        os.kill(pid, signal.SIGKILL)
    thread.join(30)
    assert run.status == "failed" and run.error.startswith("The training process ended unexpectedly (exit code -9)")
    processes.train(again := Run(TrainConfig(model="mlp", epochs=1, train_size=1000)))
    assert again.status == "finished"


def test_stop_while_the_child_still_warms_up_ends_the_run_untrained(processes):
    processes.prewarm()  # importing Keras: the run is handed over before the child reads it
    run = Run(QUICK)
    thread = _train_in_background(processes, run)
    assert until(lambda: run.status == "running", 10)
    run.stop()
    thread.join(120)
    assert run.status == "stopped" and run.progress == () and run.model is None


def test_a_child_that_never_begins_the_run_is_ended_and_the_run_fails(processes, children, monkeypatch):
    monkeypatch.setattr(workers, "BEGIN_WITHIN_S", 2.0)
    processes.prewarm()
    (child,) = children()
    os.kill(child, signal.SIGSTOP)  # a child that never answers, whatever the reason
    run = Run(QUICK)
    processes.train(run)
    assert run.status == "failed" and run.error.startswith("The training process did not begin within 2 s")
    assert until(lambda: not children(), 15)  # ended, and its slot's next run gets a new one


def test_a_failure_inside_the_child_is_one_sentence(processes, monkeypatch):
    monkeypatch.setenv("MNIST_LAB_DEVICES", "/cpu:7")  # inherited by the child, which cannot honour it
    run = Run(QUICK)
    processes.train(run)
    assert run.status == "failed" and "\n" not in run.error
    assert "MNIST_LAB_DEVICES names '/cpu:7', which this machine does not have" in run.error


def test_runs_at_once_in_child_processes_all_finish(processes):
    queue = RunQueue(limits=ServerLimits(max_concurrent=2, per_visitor=2), processes=processes)
    tiny = dict(epochs=1, train_size=640, batch_size=64, validation_split=0.1)
    runs = [queue.submit(TrainConfig(model=model, precision=precision, **tiny))
            for model, precision in zip(["cnn", "lenet5", "mlp"], PRECISIONS)]
    assert all(run.wait(300) for run in runs)
    assert [(r.config.model, r.config.precision, r.status, r.error) for r in runs if r.status != "finished"] == []
    assert all(np.isfinite(r.progress[-1].loss) for r in runs)


def test_a_child_that_exits_while_idle_is_reaped_at_once(processes, children):
    """Nobody opens Train again: the child that left (here killed; leaving after `idle_s` unused is the same
    exit to the parent) is waited for at once, not left a zombie until the next Train page asks for one."""
    processes.prewarm()
    (child,) = children()
    os.kill(child, signal.SIGKILL)
    assert until(lambda: not Path(f"/proc/{child}").exists(), 5), Path(f"/proc/{child}/status").read_text()[:60]
