"""Training in a child process: the server's pages keep the CPU they need, and a run's memory goes back
to the system when it ends.

Two things go wrong when a server trains in its own threads. Training shares TensorFlow's thread pools
and the CPU with every visitor's predictions, so strokes wait behind batches. And Keras 3 with TensorFlow
keeps every `fit`'s traced graphs alive (keras-team/keras#21090; 10–16 MB per run here, never returned).
`TrainingProcesses` trains each run in a fresh child process at a lower OS priority, relays its progress
and glimpses to the `Run` the page polls, forwards Stop, loads the trained model back (safe mode), and
lets the child exit. A spare child, started when somebody opens the Train page (`prewarm`), has already
imported Keras and loaded MNIST, so that a run starts in about a second instead of an import's 6 s.

The parent and the child speak length-prefixed pickles over the child's stdin and stdout; whatever else
the child prints goes to stderr. Messages, child to parent: ("ready",), ("progress", Progress, Glimpse),
("ended", model bytes or None, seconds), ("failed", sentence). Parent to child: ("train", TrainConfig),
("stop",). A closed stdin means the parent is gone: a spare exits, a run stops.
"""

import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import BinaryIO

from mnist_core.runs import Run, failure_sentence

ROOT = Path(__file__).resolve().parent.parent
_HEADER = struct.Struct("<Q")
SPARE_DELAY_S = 5.0  # after a run ends, before a new spare starts importing


class TrainingProcesses:
    """Trains each run in its own child process; at most one warmed-up spare waits between runs."""

    def __init__(self, *, spare_idle_s: float = 300.0, nice: int = 10):
        self.spare_idle_s, self.nice = spare_idle_s, nice
        self._lock = threading.Lock()
        self._spare: _Child | None = None
        self._wanted_until = 0.0  # a spare is kept ready until then (somebody opened the Train page)

    def prewarm(self) -> None:
        """Have a spare child warming up or ready, and keep one ready for `spare_idle_s` from now."""
        with self._lock:
            self._wanted_until = time.monotonic() + self.spare_idle_s
            if not (self._spare and self._spare.usable()):
                self._spare = _Child(self.nice, self.spare_idle_s)

    def train(self, run: Run) -> None:
        """Train `run` in a child process (blocks until it ended); `run` ends finished, stopped or failed."""
        if not run.begin():
            return
        with self._lock:
            child, self._spare = self._spare if self._spare and self._spare.usable() else None, None
        child = child or _Child(self.nice, self.spare_idle_s)
        try:
            child.send(("train", run.config))
            _relay(child, run)
        finally:
            child.end()
            # The next spare's import (6 s of CPU) waits until the page has shown how the run ended.
            respawn = threading.Timer(SPARE_DELAY_S, self._respawn)
            respawn.daemon = True
            respawn.start()

    def _respawn(self) -> None:
        """Start a new spare if somebody still may want one and none is there."""
        with self._lock:
            if time.monotonic() < self._wanted_until and not (self._spare and self._spare.usable()):
                self._spare = _Child(self.nice, self.spare_idle_s)

    def close(self) -> None:
        """End the spare, if any (a running child ends with its run)."""
        with self._lock:
            spare, self._spare, self._wanted_until = self._spare, None, 0.0
        if spare:
            spare.end()


def _relay(child: "_Child", run: Run) -> None:
    """Copy the child's reports into `run` and pass on Stop, until the run ends or the child dies."""
    asked_to_stop = False
    while run.finished_at is None:  # set once the run ended here, or the reaper let go of it
        if run.stop_requested and not asked_to_stop:
            child.send(("stop",))
            asked_to_stop = True
        try:
            message = child.messages.get(timeout=0.05)
        except queue.Empty:
            continue
        if message is None:
            run.fail(f"The training process ended unexpectedly (exit code {child.exit_code()}); "
                     "try again, or with fewer images.")
        elif message[0] == "progress":
            run.record(message[1], message[2])
        elif message[0] == "ended":
            from mnist_core.export import model_from_bytes
            run.finish(model_from_bytes(message[1]) if message[1] else None, message[2])
        elif message[0] == "failed":
            run.fail(message[1])


class _Child:
    """One child process (see `main`) and a thread reading its messages into `messages`."""

    def __init__(self, nice: int, idle_s: float):
        self.born = time.monotonic()
        self.idle_s = idle_s
        options = {"creationflags": subprocess.BELOW_NORMAL_PRIORITY_CLASS} if sys.platform == "win32" else {}
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from mnist_core.train_process import main; main()", str(nice), str(idle_s)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT,
            env={"TF_FORCE_GPU_ALLOW_GROWTH": "true", **os.environ}, **options)
        self.messages: queue.Queue = queue.Queue()
        threading.Thread(target=_read_into, args=(self.process.stdout, self.messages),
                         name="training-process-reader", daemon=True).start()

    def usable(self) -> bool:
        """Alive, and not about to leave for having waited too long (it exits after `idle_s` unused)."""
        return self.process.poll() is None and time.monotonic() - self.born < self.idle_s - 10

    def send(self, message: tuple) -> None:
        try:
            _write(self.process.stdin, message)
        except (BrokenPipeError, OSError, ValueError):  # it died: its reader says so
            pass

    def exit_code(self) -> int | None:
        try:
            return self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return None

    def end(self, grace_s: float = 5.0) -> None:
        """Close its stdin (a spare leaves, a run stops), wait `grace_s` for it to exit, then kill it."""
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _write(stream: BinaryIO, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read(stream: BinaryIO):
    """The next message, or None at the end of the stream."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    data = stream.read(_HEADER.unpack(header)[0])
    return pickle.loads(data)  # noqa: S301 — from our own child or parent, over a private pipe


def _read_into(stream: BinaryIO, messages: queue.Queue) -> None:
    """Put every message on `messages`, then None when the stream ends (the other side is gone)."""
    try:
        while (message := _read(stream)) is not None:
            messages.put(message)
    except (OSError, EOFError, pickle.UnpicklingError):
        pass
    messages.put(None)


class _RelayedRun(Run):
    """The child's copy of the run: every report also goes to the parent."""

    def __init__(self, config, send):
        super().__init__(config)
        self._send = send

    def record(self, report, glimpse=None) -> None:
        super().record(report, glimpse)
        self._send(("progress", report, glimpse))


def main() -> None:
    """The child (argv: nice, idle_s): lower its priority, warm up, wait up to `idle_s` for one run,
    train it, send its model back, and exit."""
    code = 1
    try:
        _serve(int(sys.argv[1]), float(sys.argv[2]))
        code = 0
    finally:  # not a normal exit: its reader thread may still be blocked on stdin
        sys.stderr.flush()
        os._exit(code)


def _serve(nice: int, idle_s: float) -> None:
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")  # messages to the parent go here only…
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())        # …anything printed (C libraries too) to stderr
    sys.stdout = sys.stderr
    if hasattr(os, "nice"):  # Windows: the parent started it at below-normal priority instead
        os.nice(nice)
    from mnist_core.data import load_mnist
    from mnist_core.export import model_bytes
    from mnist_core.training import train

    load_mnist()
    try:
        _warm_up()
    except Exception:  # a setting the run cannot honour either: the run itself will say so
        pass
    _write(channel, ("ready",))
    messages: queue.Queue = queue.Queue()
    threading.Thread(target=_read_into, args=(sys.stdin.buffer, messages), daemon=True).start()
    try:
        job = messages.get(timeout=idle_s)
    except queue.Empty:
        return
    if job is None or job[0] != "train":
        return
    run = _RelayedRun(job[1], lambda message: _write(channel, message))
    threading.Thread(target=_stop_when_asked, args=(messages, run), daemon=True).start()
    try:
        train(run.config, run=run)
        _write(channel, ("ended", model_bytes(run.model) if run.model is not None else None, run.seconds))
    except BrokenPipeError:  # the parent is gone
        return
    except Exception as exc:  # the parent shows one sentence; the traceback goes to the server's log
        import traceback

        traceback.print_exc()
        _write(channel, ("failed", failure_sentence(exc)))


def _warm_up() -> None:
    """Pay TensorFlow's first-use costs (kernels, tracing machinery) before a visitor waits for them."""
    import numpy as np

    from mnist_core import TrainConfig
    from mnist_core.training import train

    train(TrainConfig(model="lenet5", epochs=1, train_size=1000, batch_size=64),
          validation_data=(np.zeros((0, 28, 28), np.uint8), np.zeros((0,), np.uint8)))


def _stop_when_asked(messages: queue.Queue, run: Run) -> None:
    """Stop `run` on the parent's ("stop",), or when the parent closes the pipe."""
    while (message := messages.get()) is not None and message[0] != "stop":
        pass
    run.stop()
