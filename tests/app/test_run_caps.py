"""A shared server's bounds on training: device settings checked before a run queues, a Stop that
always ends, a time limit per run, one run per visitor across tabs, a capped line, and honest waits."""

import threading
import time

import pytest

from mnist_core.training import scheduler
from mnist_core.training.run import Progress
from mnist_core.training.scheduler import RunQueue, ServerLimits
from mnist_core.training.slots import TrainingSlots
from mnist_core.training.workers import TrainingProcesses
from tests.support.apptest import open_page
from tests.support.runs import TINY, until
from ui import teacher
from ui.runs import Runs
from ui.state import part_key
from ui.teacher import PasswordGate


@pytest.fixture
def trains(monkeypatch):
    """train() replaced by one that reports `speed` images/s and `eta` s, then 'trains' until released.

    With `deaf` set it ignores Stop, like a run hung inside TensorFlow before its first batch."""
    release, deaf, report = threading.Event(), threading.Event(), {"eta": 30.0, "speed": 1000.0}

    def fake_train(config, on_progress=None, run=None):
        if run.begin():
            run.record(Progress(1, 1, 5, 28, 1.0, 0.5, report["speed"], 1.0, report["eta"]))
            while not (release.wait(0.01) or (run.stop_requested and not deaf.is_set())):
                pass
            run.finish(model="a model", seconds=1.0)
        return run

    monkeypatch.setattr(scheduler, "train", fake_train)
    # the app's queue trains in child processes: there, too, the run goes to the fake in this process
    monkeypatch.setattr(TrainingProcesses, "train", lambda self, run: fake_train(run.config, run=run))
    return release, deaf


def test_a_device_the_machine_lacks_is_refused_before_the_run_queues(monkeypatch):
    monkeypatch.setenv("MNIST_LAB_DEVICES", "/cpu:0,/cpu:7")  # used to hang a run that Stop could not end
    queue = RunQueue(TrainingSlots(1))
    with pytest.raises(ValueError) as refused:
        queue.submit(TINY)
    assert str(refused.value) == ("The server setting MNIST_LAB_DEVICES names '/cpu:7', which this machine "
                                  "does not have (it has /cpu:0).")
    assert queue.runs() == []
    monkeypatch.setenv("MNIST_LAB_DEVICES", "/cpu:0,/CPU:0")
    with pytest.raises(ValueError, match="names /cpu:0 more than once"):
        queue.submit(TINY)


def test_the_train_page_says_the_bad_device_setting_in_one_sentence(monkeypatch):
    monkeypatch.setenv("MNIST_LAB_DEVICES", "/gpu:3")
    at = open_page("app_pages/train.py")
    assert [e.value for e in at.error] == [
        "The server setting MNIST_LAB_DEVICES names '/gpu:3', which this machine does not have (it has /cpu:0)."]
    assert not at.button  # no Start button, so no run can take a slot


def test_a_run_that_ignores_stop_is_let_go_and_its_slot_freed(trains):
    release, deaf = trains
    deaf.set()
    queue = RunQueue(TrainingSlots(1), stop_grace_s=0.3)
    hung, waiting = queue.submit(TINY), queue.submit(TINY)
    assert until(lambda: hung.status == "running")
    hung.stop()
    assert queue.reap() == 0 and not hung.done  # within the grace period it may still answer
    time.sleep(0.4)
    assert queue.reap() == 1
    assert hung.done and hung.status == "failed"
    assert hung.error == "It did not answer Stop within 0 s, so the server ended it."
    assert until(lambda: waiting.status == "running")  # the slot went to the next in line
    release.set()  # the hung thread wakes up at last: what it does now changes nothing
    assert waiting.wait(5) and waiting.status == "finished"
    assert hung.status == "failed" and hung.model is None


def test_a_run_beyond_the_servers_minutes_is_stopped_and_keeps_its_model(trains):
    queue = RunQueue(TrainingSlots(1), limits=ServerLimits(max_minutes=2))
    run = queue.submit(TINY)
    assert until(lambda: run.status == "running")
    assert queue.reap() == 0
    run.started_at -= 121
    assert queue.reap() == 1
    assert run.wait(5) and run.status == "stopped" and run.model == "a model"
    assert run.note == ("Stopped after 2 minutes, this server's limit for one run; "
                        "the model trained so far is kept.")


def test_one_visitor_has_one_run_at_a_time_whichever_tab_asks(trains):
    release, _ = trains
    queue = RunQueue(TrainingSlots(1))
    mine = queue.submit(TINY, owner="browser-a")
    with pytest.raises(ValueError) as refused:
        queue.submit(TINY, owner="browser-a")  # the same browser's second tab
    assert str(refused.value) == ("You already have a run queued or training (in this tab or another); "
                                  "wait for it to end, or stop it, before starting another.")
    theirs = queue.submit(TINY, owner="browser-b")
    assert theirs.queue_position == 1
    release.set()
    assert mine.wait(5) and theirs.wait(5)
    assert queue.submit(TINY, owner="browser-a").wait(5)  # once it ended, the next is welcome


def test_the_line_is_capped_for_the_whole_server(trains):
    release, _ = trains
    queue = RunQueue(TrainingSlots(1), limits=ServerLimits(max_waiting=2))
    runs = [queue.submit(TINY, owner=f"visitor-{i}") for i in range(3)]  # one training, two waiting
    assert until(lambda: runs[0].status == "running")
    with pytest.raises(ValueError, match=r"^The training queue is full \(2 runs waiting\); try again"):
        queue.submit(TINY, owner="visitor-3")
    release.set()
    assert all(run.wait(5) for run in runs)


def test_the_estimated_wait_adds_up_the_runs_ahead(trains):
    release, _ = trains
    queue = RunQueue(TrainingSlots(1))
    first = queue.submit(TINY)  # reports 1,000 images/s and an ETA of 30 s
    second, third = queue.submit(TINY), queue.submit(TINY)
    assert until(lambda: first.latest is not None)
    assert queue.wait_estimate(first) is None  # training, not waiting
    assert queue.wait_estimate(second) == 30.0
    assert queue.wait_estimate(third) is None  # `second` has neither an ETA nor a timed run of its kind
    release.set()
    assert all(run.wait(5) for run in (first, second, third))
    release.clear()
    a, b, c = queue.submit(TINY), queue.submit(TINY), queue.submit(TINY)
    assert until(lambda: a.latest is not None)
    # now `b` is timed by the last run of its kind: 1 epoch × 1,800 images (2,000 less 10 % held out) at 1,000/s
    assert queue.wait_estimate(c) == pytest.approx(30.0 + 1.8)
    release.set()
    assert all(run.wait(5) for run in (a, b, c))


def test_without_a_teacher_password_there_are_no_teacher_controls(monkeypatch):
    monkeypatch.delenv("MNIST_LAB_TEACHER_PASSWORD", raising=False)
    at = open_page("app_pages/train.py")
    assert not [e for e in at.expander if "every run on this server" in e.label]
    assert not [t for t in at.text_input if t.key == "teacher_password"]


def test_the_teacher_sees_and_stops_a_students_run(trains, monkeypatch):
    monkeypatch.setenv("MNIST_LAB_TEACHER_PASSWORD", "chalk and talk")
    student = open_page("app_pages/train.py")
    student.button(key="train_start").click().run()
    run = student.session_state[part_key(Runs)].active
    assert run is not None and until(lambda: run.status == "running")

    teacher = open_page("app_pages/train.py")
    teacher.text_input(key="teacher_password").input("chalk").run()
    assert "That is not the teacher password." in [e.value for e in teacher.error]
    teacher.text_input(key="teacher_password").input("chalk and talk").run()
    table = teacher.dataframe[-1].value
    assert list(table["run"]) == [run.label] and list(table["where"]) == ["training"]
    stop = [b for b in teacher.button if b.label.startswith("Stop visitor")]
    assert len(stop) == 1 and run.label in stop[0].label
    stop[0].click().run()
    assert run.wait(5) and run.status == "stopped" and run.note == "Stopped by the teacher."
    student.run()
    assert f"{run.label}: Stopped by the teacher." in [w.value for w in student.warning]


class FakeClock:
    """time.monotonic and time.sleep for a PasswordGate: sleeping moves the clock on, at once."""

    def __init__(self):
        self.now, self.lock = 1000.0, threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def test_200_wrong_guesses_from_10_sessions_take_an_hour_and_the_teacher_then_gets_in_at_once(caplog):
    clock = FakeClock()
    gate = PasswordGate(clock=clock, sleep=clock.sleep)
    answers = []

    def session():  # one of the class's tabs, guessing as fast as it is answered
        answers.extend(gate.check(f"guess {i}", "chalk and talk") for i in range(20))

    with caplog.at_level("WARNING", logger="ui.teacher"):
        sessions = [threading.Thread(target=session) for _ in range(10)]
        for thread in sessions:
            thread.start()
        for thread in sessions:
            thread.join()
    assert answers == [False] * 200 and clock.now - 1000 >= 3600
    assert len([r for r in caplog.records if "Wrong teacher password" in r.getMessage()]) == 200
    attack_over = clock.now
    assert gate.check("chalk and talk", "chalk and talk") and clock.now == attack_over  # no wait, no token needed


def test_the_teacher_panel_slows_guesses_for_the_whole_server(monkeypatch):
    """Two sessions guess in turn: beyond the burst each wrong guess waits for the server's next refill (on a
    fake clock); before, each waited 1 s in its own session, so ten sessions made 9.6 guesses a second."""
    monkeypatch.setenv("MNIST_LAB_TEACHER_PASSWORD", "chalk and talk")
    clock = FakeClock()
    gate = PasswordGate(burst=2, refill_s=20.0, clock=clock, sleep=clock.sleep)
    monkeypatch.setattr(teacher, "password_gate", lambda: gate)
    pupils = [open_page("app_pages/train.py") for _ in range(2)]
    for guess in range(4):
        pupils[guess % 2].text_input(key="teacher_password").input(f"guess {guess}").run()
    waited = clock.now - 1000
    assert waited >= 40  # two guesses beyond the burst waited for a refill each (≈ 20 s), not 1 s each
    pupils[1].run()  # a rerun of the page with the last wrong guess still in the box: answered, not guessed again
    assert clock.now - 1000 == waited and "That is not the teacher password." in [e.value for e in pupils[1].error]
    pupils[0].text_input(key="teacher_password").input("chalk and talk").run()
    seen = [c.value for c in pupils[0].caption]
    assert clock.now - 1000 == waited and "Nobody is training or waiting now." in seen  # the view, at once
