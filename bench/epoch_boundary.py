"""The pause before each epoch's first batch: the pipeline `mnist_core.data.batches` builds against Keras's own.

    python -m bench.epoch_boundary              # 4 runs of "Reach 99 %" each way, in one process as a child
    python -m bench.epoch_boundary --runs 6 --preset "Quick look"

Keras (TensorFlow backend) reads arrays through a `tf.data` pipeline with autotuning on, makes a new
iterator each epoch, and dropping the old one waits for its autotuning thread, which is not always woken
(mnist_core/data/batches.py). Both pipelines are timed here as the Train page's training process runs them: niced
to 10, warmed up, each run prepared (`engine.prepare`) before it. Printed for each: the wait between
the end of one epoch's validation and the first batch of the next (the part a pipeline can add), per run
and as median and max; and the run's whole time. The two ways alternate, so drift hits both.
"""

import argparse
import dataclasses
import os
import statistics
import time

import keras

from bench.record import Figure
from mnist_core.data import batches
from mnist_core.models.inference import to_model_input
from mnist_core.training import engine
from mnist_core.training.config import PRESETS
from mnist_core.training.device import fastest_precision


def keras_arrays(images, labels, batch_size, seed=None):
    """The reference: the arrays as `fit` takes them, read by Keras's own pipeline."""
    return {"x": to_model_input(images), "y": labels, "batch_size": batch_size, "shuffle": seed is not None}


class Pauses(keras.callbacks.Callback):
    """From each epoch's validation end (or, with no validation, its last batch) to the next epoch's first batch."""

    def __init__(self):
        super().__init__()
        self.pauses, self.since = [], None

    def on_test_end(self, logs=None):
        self.since = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if batch == 0 and self.since is not None:
            self.pauses.append(time.perf_counter() - self.since)
        self.since = None

    def on_epoch_end(self, epoch, logs=None):
        self.since = self.since or time.perf_counter()


def one_run(config, fit_batches) -> tuple[list[float], float]:
    """One prepared run of `config` whose `fit` reads what `fit_batches` gives: its pauses and its seconds."""
    batches_before, batches.fit_batches = batches.fit_batches, fit_batches
    pauses = Pauses()
    try:
        return pauses.pauses, _train_with(config, engine.prepare(config), pauses).seconds
    finally:
        batches.fit_batches = batches_before


def _train_with(config, prepared, callback):
    """`engine.train` with `callback` added to its fit."""
    fit = prepared.trainer.fit

    def with_callback(*args, callbacks=(), **kwargs):
        return fit(*args, callbacks=[*callbacks, callback], **kwargs)

    prepared.trainer.fit = with_callback
    try:
        return engine.train(config, prepared=prepared)
    finally:
        del prepared.trainer.fit


def parser() -> argparse.ArgumentParser:
    """Its options (also `python -m bench run NAME -- --help`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4, help="runs each way")
    parser.add_argument("--preset", choices=list(PRESETS), default="Reach 99 %")
    parser.add_argument("--nice", type=int, default=10, help="as the Train page's training process (0: as the CLI)")
    return parser


def main(argv: list[str] | None = None) -> dict[str, Figure]:
    """Print each run; return each way's median and max pause and median run, named `<way>.<figure>`."""
    args = parser().parse_args(argv)
    if args.nice and hasattr(os, "nice"):
        os.nice(args.nice)
    config = dataclasses.replace(PRESETS[args.preset], precision=fastest_precision())
    print(f"{args.preset}: {config}; nice {args.nice}", flush=True)
    from mnist_core.training.workers import _warm_up

    _warm_up()
    ways = {"keras": keras_arrays, "batches": batches.fit_batches}  # Keras's pipeline on arrays; ours
    pauses, seconds = {way: [] for way in ways}, {way: [] for way in ways}
    for i in range(args.runs):
        for way, fit_batches in ways.items():
            run_pauses, run_seconds = one_run(config, fit_batches)
            pauses[way] += run_pauses
            seconds[way].append(run_seconds)
            print(f"run {i + 1}, {way}: pauses {', '.join(f'{p:.2f}' for p in run_pauses)} s; run {run_seconds:.1f} s",
                  flush=True)
    figures = {}
    for way in ways:
        p = pauses[way]
        print(f"{way}: pause before an epoch's first batch median {statistics.median(p):.2f} s, max {max(p):.2f} s "
              f"({len(p)} epoch boundaries); run median {statistics.median(seconds[way]):.1f} s", flush=True)
        figures.update({f"{way}.pause_median": Figure(statistics.median(p), "s"), f"{way}.pause_max":
                        Figure(max(p), "s"), f"{way}.run_median": Figure(statistics.median(seconds[way]), "s")})
    return figures


if __name__ == "__main__":
    main()
