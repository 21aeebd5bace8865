"""What each Train page preset reaches, and how fast: test accuracy, training time, and how far the
loss has fallen after 5 s (what a class sees first). The page's path: a run from the server's queue.

    python -m bench.presets --repeats 3

Targets (the training issue): "Quick look" ≥ 97 % test accuracy within ≤ 15 s with the loss visibly
falling in the first 5 s; "Reach 99 %" ≥ 99.0 % on the test set.
"""

import argparse
import dataclasses
import statistics

from bench.record import Figure
from mnist_core import evaluate_model
from mnist_core.training.config import PRESETS
from mnist_core.training.device import fastest_precision
from mnist_core.training.scheduler import RunQueue

TARGETS = {"Quick look.accuracy_worst": ">= 0.97", "Quick look.seconds": "<= 15 s",
           "Reach 99 %.accuracy_worst": ">= 0.99"}
UNITS = {"seconds": "s", "accuracy": "", "loss first": "", "loss at 5 s": ""}


def measure(config) -> dict:
    run = RunQueue().submit(config)
    run.wait()
    history = run.progress
    early = [p for p in history if p.elapsed_s <= 5.0 + history[0].elapsed_s] or history[:1]
    return {"seconds": run.seconds, "accuracy": evaluate_model(run.model).accuracy,
            "loss first": history[0].loss, "loss at 5 s": early[-1].loss}


def parser() -> argparse.ArgumentParser:
    """Its options (also `python -m bench run NAME -- --help`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=list(PRESETS), help="measure this preset alone")
    return parser


def main(argv: list[str] | None = None) -> dict[str, Figure]:
    """Print each run; return each preset's medians and worst accuracy, named `<preset>.<figure>`."""
    args = parser().parse_args(argv)
    figures = {}
    for name, preset in PRESETS.items():
        if args.only and name != args.only:
            continue
        config = dataclasses.replace(preset, precision=fastest_precision())  # as the page starts it here
        results = []
        for seed in range(args.repeats):
            results.append(measure(dataclasses.replace(config, seed=seed)))
            print(f"{name} seed {seed}: " + ", ".join(f"{k} {v:.4g}" for k, v in results[-1].items()), flush=True)
        medians = {key: statistics.median(r[key] for r in results) for key in results[0]}
        print(f"== {name} ({config}): median " + ", ".join(f"{k} {v:.4g}" for k, v in medians.items())
              + f"; worst accuracy {min(r['accuracy'] for r in results):.4f}", flush=True)
        medians["accuracy_worst"] = min(r["accuracy"] for r in results)
        for key, value in medians.items():
            figure = f"{name}.{key.replace(' ', '_')}"
            figures[figure] = Figure(value, UNITS.get(key, ""), TARGETS.get(figure))
    return figures


if __name__ == "__main__":
    main()
