"""The terminal commands: train writes a loadable model with an honest card, evaluate reports it."""

import json
import os
import subprocess
import sys

import keras
import pytest

from mnist_core import evaluate_model


def run(*args: str) -> subprocess.CompletedProcess:
    return run_at_once(args)[0]


def run_at_once(*commands: tuple[str, ...]) -> list[subprocess.CompletedProcess]:
    """`python -m` each command, all started before any is waited for (each imports TensorFlow: ≈ 5 s)."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    started = [subprocess.Popen([sys.executable, "-m", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env) for args in commands]
    done = []
    for args, process in zip(commands, started, strict=True):
        try:
            out, err = process.communicate(timeout=300)
        finally:
            process.kill()
        done.append(subprocess.CompletedProcess([sys.executable, "-m", *args], process.returncode, out, err))
    return done


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "tiny.keras"
    done = run("mnist_core.train", "--model", "lenet5", "--epochs", "1", "--train-size", "2000",
               "--learning-rate", "0.003", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out, done


def test_train_saves_a_safe_model_and_its_card(trained):
    out, done = trained
    assert "epoch 1/1 [##############################]" in done.stderr  # the progress bar
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["command"].startswith("python -m mnist_core.train --model lenet5")
    assert card["config"]["train_size"] == 2000 and card["parameters"] == 61_706
    model = keras.saving.load_model(out, safe_mode=True)
    assert card["test_accuracy"] == pytest.approx(evaluate_model(model).accuracy)


def test_evaluate_prints_accuracy_per_class_and_confusion(trained):
    out, _ = trained
    done = run("mnist_core.evaluate", str(out))
    assert done.returncode == 0, done.stderr
    accuracy = evaluate_model(keras.saving.load_model(out)).accuracy
    assert f"accuracy {accuracy:.2%} on 10,000 test images" in done.stdout
    assert "digit  precision  recall      f1  support" in done.stdout
    assert "    9" in done.stdout and "1009" in done.stdout  # digit 9's support in the official test set
    assert "confusion matrix" in done.stdout


def test_bad_arguments_give_one_sentence_not_a_traceback(tmp_path):
    train, evaluate = run_at_once(("mnist_core.train", "--epochs", "0", "--out", str(tmp_path / "x.keras")),
                                  ("mnist_core.evaluate", str(tmp_path / "missing.keras")))
    assert train.returncode == 2 and "Epochs must be a whole number from 1 to 200, not 0." in train.stderr
    assert "Traceback" not in train.stderr
    assert evaluate.returncode == 2 and "Could not load" in evaluate.stderr and "Traceback" not in evaluate.stderr
