"""Score a model on the official 10,000-image test set: accuracy, per-class P/R/F1, confusion matrix.

    python -m mnist_core.evaluate models/cnn.keras
"""

import argparse
import sys
from pathlib import Path

import keras

from mnist_core.models.metrics import Evaluation, evaluate_model


def format_report(evaluation: Evaluation) -> str:
    """The text report the CLI prints."""
    lines = [f"accuracy {evaluation.accuracy:.2%} on {len(evaluation.labels):,} test images", "",
             "digit  precision  recall      f1  support"]
    for d in range(10):
        lines.append(f"{d:>5}  {evaluation.precision[d]:>9.4f}  {evaluation.recall[d]:>6.4f}  "
                     f"{evaluation.f1[d]:>6.4f}  {evaluation.confusion[d].sum():>7}")
    lines += ["", "confusion matrix (rows: true digit, columns: predicted)",
              "     " + "".join(f"{d:>6}" for d in range(10))]
    lines += [f"{d:>5}" + "".join(f"{n:>6}" for n in row) for d, row in enumerate(evaluation.confusion)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, help="a .keras file")
    args = parser.parse_args(argv)
    try:
        model = keras.saving.load_model(args.model, safe_mode=True)
    except Exception as err:
        print(f"Could not load {args.model}: {err}", file=sys.stderr)
        return 2
    print(format_report(evaluate_model(model)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
