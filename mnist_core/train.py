"""Train a model from the terminal and save it with a card of how it was made and what it scores.

    python -m mnist_core.train --model cnn --epochs 12 --augment --out models/cnn.keras

Every flag comes from a `TrainConfig` field (its explanation is the flag's help). Writes the model
to --out and, beside it, <out>.json: the command, config, seconds, versions and the accuracy
measured on the official test set.
"""

import argparse
import dataclasses
import json
import platform
import shlex
import sys
from pathlib import Path

import keras

from mnist_core.models.metrics import evaluate_model
from mnist_core.training.config import TrainConfig, cli_flag
from mnist_core.training.engine import Progress, train


def parser() -> argparse.ArgumentParser:
    """One flag per `TrainConfig` field, typed, with the field's choices, default and explanation."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for f in dataclasses.fields(TrainConfig):
        meta, kind = f.metadata, f.type if f.type in (bool, int, float, str) else int  # int | None → int
        default = "all" if f.default is None else f.default
        explain = meta["explain"].replace("%", "%%")  # argparse formats help with %
        if kind is bool:
            p.add_argument(cli_flag(f.name), action=argparse.BooleanOptionalAction, default=f.default,
                           help=explain)
        else:
            p.add_argument(cli_flag(f.name), type=kind, default=f.default, choices=meta["choices"] or None,
                           help=f"{explain} (default: {default})")
    p.add_argument("--out", type=Path, required=True, help="where to save the .keras file")
    return p


def parse_config(argv: list[str] | None) -> tuple[TrainConfig, Path]:
    p = parser()
    args = vars(p.parse_args(argv))
    out = args.pop("out")
    try:
        return TrainConfig(**args), out
    except ValueError as err:
        p.error(str(err))


def progress_bar(p: Progress) -> None:
    """One terminal line, redrawn in place; a new line at each epoch end."""
    done = int(30 * p.step / p.total_steps)
    speed = "measuring speed" if p.eta_s is None else f"{p.images_per_s:,.0f} img/s ETA {p.eta_s:.0f}s"
    line = (f"\repoch {p.epoch}/{p.epochs} [{'#' * done}{'.' * (30 - done)}] {p.step}/{p.total_steps} "
            f"loss {p.loss:.4f} acc {p.accuracy:.4f} {speed}")
    if p.val_accuracy is not None:
        line += f" val_loss {p.val_loss:.4f} val_acc {p.val_accuracy:.4f}"
    print(line, end="\n" if p.epoch_end else "", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    config, out = parse_config(argv)
    run = train(config, on_progress=progress_bar)
    out.parent.mkdir(parents=True, exist_ok=True)
    run.model.save(out)
    accuracy = evaluate_model(keras.saving.load_model(out, safe_mode=True)).accuracy
    card = {
        "command": "python -m mnist_core.train " + shlex.join(sys.argv[1:] if argv is None else argv),
        "config": dataclasses.asdict(config),
        "train_seconds": round(run.seconds, 1),
        "test_accuracy": accuracy,
        "parameters": run.model.count_params(),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}",
        "versions": {"keras": keras.__version__, "backend": keras.backend.backend(),
                     "python": platform.python_version()},
    }
    out.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    print(f"saved {out}: test accuracy {accuracy:.2%} after {run.seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
