"""Training in child processes: the server's pages keep the CPU they need, and the memory training takes
goes back to the system.

Two things go wrong when a server trains in its own threads. Training shares TensorFlow's thread pools
and the CPU with every visitor's predictions, so strokes wait behind batches. And Keras 3 with TensorFlow
keeps every `fit`'s traced graphs alive (keras-team/keras#21090; 10–16 MB per run here, never returned).
`TrainingProcesses` trains runs in child processes at a lower OS priority, relays their progress and
glimpses to the `Run` the page polls, forwards Stop, and loads each trained model back (safe mode). A
child trains up to `RUNS_PER_PROCESS` runs one after another and then exits (so what it kept goes back
to the system), as does a child nobody used for `idle_s`, or one whose run failed. Opening the Train page
(`prewarm`) starts a child if none is free, so that by the time its visitor presses Start, Keras is
imported and MNIST loaded: a run starts in about a second instead of an import's 6–10 s. The page then
tells a free child which settings it shows (`expect`): the child builds that model and traces its steps
(`engine.prepare`) while the visitor reads, and a run with those settings begins at its first batch.

The parent and a child speak length-prefixed pickles over the child's stdin and stdout; whatever else
the child prints goes to stderr. Messages, child to parent: ("ready",), ("progress", Progress, Glimpse),
("ended", model bytes or None, seconds, test accuracy or None), ("failed", Sentence). Parent to child:
("expect", TrainConfig), ("train", TrainConfig), ("stop",). A closed stdin means the parent is gone (or
done with it): an idle child exits, a run stops.
"""

import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import time
from typing import BinaryIO

from mnist_core.i18n import N_
from mnist_core.paths import ROOT
from mnist_core.training.config import TrainConfig
from mnist_core.training.run import Run, Sentence, failure_sentence

_HEADER = struct.Struct("<Q")
BEGIN_WITHIN_S = 180.0  # a child that has sent nothing about its run by then is ended, and the run fails
RUNS_PER_PROCESS = 5  # then the child exits, giving back what Keras kept of its runs (≈ 20 MB each)


class TrainingProcesses:
    """The server's training children: free ones wait (warmed up) for the next run, busy ones train one."""

    def __init__(self, *, most: int = 1, idle_s: float = 300.0, nice: int = 10, threads: int = 0):
        self.most, self.idle_s, self.nice = most, idle_s, nice  # most: children alive at once (runs at once)
        self.threads = threads  # each child's compute threads (capacity.threads_per_run); 0: TensorFlow's default
        self._lock = threading.Lock()
        self._free: list[_Child] = []
        self._busy = 0

    def prewarm(self) -> None:
        """Somebody may start a run soon: have one child free (warming up or ready), unless `most` are
        already alive (every slot training: the next run will find a child when one ends)."""
        with self._lock:
            self._free = [child for child in self._free if child.usable()]
            if not self._free and self._busy < self.most:
                self._free.append(_Child(self.nice, self.idle_s, self.threads))

    def expect(self, config: TrainConfig) -> None:
        """A visitor looks at these settings: a free child prepares them (once; a new config replaces it)."""
        with self._lock:
            child = next((child for child in self._free if child.usable()), None)
            if child is not None and child.expected != config:
                child.expected = config
                child.send(("expect", config))

    def train(self, run: Run) -> None:
        """Train `run` in a child (blocks until it ended); `run` ends finished, stopped or failed."""
        if not run.begin():
            return
        with self._lock:
            usable = [child for child in self._free if child.usable()]
            child = usable[0] if usable else _Child(self.nice, self.idle_s, self.threads)
            self._free, self._busy = usable[1:], self._busy + 1
        healthy = False
        try:
            child.send(("train", run.config))
            healthy = _relay(child, run)
        finally:
            child.runs += 1
            child.expected = None  # it trained (or dropped) what it had prepared
            keep = healthy and child.runs < RUNS_PER_PROCESS and child.usable()
            if not keep:
                child.end()
            with self._lock:
                self._busy -= 1
                if keep:
                    child.last_used = time.monotonic()
                    self._free.append(child)

    def close(self) -> None:
        """End the free children (a busy one ends with its run)."""
        with self._lock:
            free, self._free = self._free, []
        for child in free:
            child.end()


def _relay(child: "_Child", run: Run) -> bool:
    """Copy the child's reports into `run` and pass on Stop, until the run ends or the child dies.

    True when the child sent its run's end and may train another."""
    asked_to_stop, handed, heard = False, time.monotonic(), False
    while not run.ended:  # here, or by the reaper letting go of it
        if run.stop_requested and not asked_to_stop:
            child.send(("stop",))
            asked_to_stop = True
        if not heard and time.monotonic() - handed > BEGIN_WITHIN_S:
            run.fail(Sentence(N_("The training process did not begin within {seconds} s (the server is very "
                                 "busy); try again in a moment."), seconds=round(BEGIN_WITHIN_S)))
            break
        try:
            message = child.messages.get(timeout=0.05)
        except queue.Empty:
            continue
        heard = heard or message is None or message[0] != "ready"
        if message is None:
            # TRANSLATORS: {code} is the process's exit code, such as -9.
            run.fail(Sentence(N_("The training process ended unexpectedly (exit code {code}); try again, or with "
                                 "fewer images."), code=str(child.exit_code())))
        elif message[0] == "progress":
            run.record(message[1], message[2])
        elif message[0] == "ended":
            from mnist_core.training.export import model_from_bytes
            _, model, seconds, test_accuracy = message
            run.finish(model_from_bytes(model) if model else None, seconds, test_accuracy)
            return True
        elif message[0] == "failed":
            run.fail(message[1])
    return False


class _Child:
    """One child process (see `main`) and a thread reading its messages into `messages`."""

    def __init__(self, nice: int, idle_s: float, threads: int = 0):
        self.last_used = time.monotonic()  # started, or ended its latest run
        self.idle_s, self.runs = idle_s, 0
        self.expected: TrainConfig | None = None  # the settings it was last told to prepare
        options = {"creationflags": subprocess.BELOW_NORMAL_PRIORITY_CLASS} if sys.platform == "win32" else {}
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from mnist_core.training.workers import main; main()", str(nice), str(idle_s),
             str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT,
            env={"TF_FORCE_GPU_ALLOW_GROWTH": "true", **os.environ,
                 # runs side by side share the cores: TensorFlow reads its thread pools' sizes from these
                 **({"TF_NUM_INTRAOP_THREADS": str(threads), "TF_NUM_INTEROP_THREADS": str(min(threads, 2))}
                    if threads else {})}, **options)
        self.messages: queue.Queue = queue.Queue()
        threading.Thread(target=_read_then_reap, args=(self.process, self.messages),
                         name="training-process-reader", daemon=True).start()

    def usable(self) -> bool:
        """Alive, and not about to leave for having waited too long (it exits after `idle_s` unused)."""
        return self.process.poll() is None and time.monotonic() - self.last_used < self.idle_s - 10

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
        """Close its stdin (a free child leaves, a run stops), wait `grace_s` for it to exit, then kill it."""
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


def _read_then_reap(process: subprocess.Popen, messages: queue.Queue) -> None:
    """Relay the child's messages; once its stdout closes (it is exiting), wait for it, so that a child that
    leaves on its own (unused for `idle_s`, or killed) is never left a zombie until somebody next opens Train."""
    _read_into(process.stdout, messages)
    process.wait()


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
        _serve(int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)
        code = 0
    finally:  # not a normal exit: its reader thread may still be blocked on stdin
        sys.stderr.flush()
        os._exit(code)


def _serve(nice: int, idle_s: float, threads: int = 0) -> None:
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")  # messages to the parent go here only…
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())        # …anything printed (C libraries too) to stderr
    sys.stdout = sys.stderr
    if hasattr(os, "nice"):  # Windows: the parent started it at below-normal priority instead
        os.nice(nice)
    from mnist_core.data.sources import load_mnist
    from mnist_core.training.engine import train
    from mnist_core.training.export import model_bytes

    load_mnist()
    try:
        _warm_up()
    except Exception:  # a setting the run cannot honour either: the run itself will say so
        pass
    _write(channel, ("ready",))
    jobs: queue.Queue = queue.Queue()
    relay = lambda message: _write(channel, message)  # noqa: E731 - only the training thread writes
    threading.Thread(target=_read_jobs, args=(sys.stdin.buffer, jobs, relay), daemon=True).start()
    prepared = None
    leave_at = time.monotonic() + idle_s  # as the parent reckons it: settings to prepare do not extend it
    while True:
        try:
            run = jobs.get(timeout=max(0.0, leave_at - time.monotonic()))
        except queue.Empty:
            return
        if run is None:
            return
        if isinstance(run, TrainConfig):  # settings to prepare, unless newer ones or a run already wait
            if jobs.empty():
                prepared = None  # the old model goes before the new one is built
                prepared = _prepared(run)
            continue
        try:
            # returns at once, untouched, when Stop came before it began
            train(run.config, run=run, prepared=prepared)
            prepared = None
            model = model_bytes(run.model) if run.model is not None else None
            _write(channel, ("ended", model, run.seconds, run.test_accuracy))
            leave_at = time.monotonic() + idle_s
        except BrokenPipeError:  # the parent is gone
            return
        except Exception as exc:  # the parent shows one sentence; the traceback goes to the server's log
            import traceback

            traceback.print_exc()
            _write(channel, ("failed", failure_sentence(exc)))
            return  # after a failure the parent ends this child; leave first


def _prepared(config: TrainConfig):
    """`engine.prepare(config)`, or None if it fails: the run, if it comes, builds its model itself and says why."""
    from mnist_core.training.engine import prepare

    try:
        return prepare(config)
    except Exception:  # noqa: BLE001 - a config this child cannot prepare is the run's to report
        import traceback

        traceback.print_exc()
        return None


def _warm_up() -> None:
    """Pay TensorFlow's first-use costs (kernels, tracing machinery) before a visitor waits for them."""
    import numpy as np

    from mnist_core import TrainConfig
    from mnist_core.training.device import fastest_precision
    from mnist_core.training.engine import train

    # in the precision the page's presets use: a first bfloat16 run paid ≈1.5 s more after a float32 warm-up
    train(TrainConfig(epochs=1, train_size=1000, batch_size=64, precision=fastest_precision()),
          validation_data=(np.zeros((0, 28, 28), np.uint8), np.zeros((0,), np.uint8)), scored=False)


def _read_jobs(stream: BinaryIO, jobs: queue.Queue, relay) -> None:
    """The child's reader: ("train", config) makes the run and queues it in `jobs`, ("expect", config) queues
    the config; ("stop",) stops the latest run, even one still waiting for the warm-up to end; a closed stdin
    stops it too and puts None."""
    latest: Run | None = None
    while (message := _read(stream)) is not None:
        if message[0] == "stop" and latest is not None:
            latest.stop()
        elif message[0] == "expect":
            jobs.put(message[1])
        elif message[0] == "train":
            latest = _RelayedRun(message[1], relay)
            jobs.put(latest)
    if latest is not None:
        latest.stop()
    jobs.put(None)
