"""Downloads of a finished run: the .keras file reloads safely, the CSV and TensorBoard logs hold the history."""

import csv
import dataclasses
import io
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest

from mnist_core.data.sources import load_mnist
from mnist_core.models.inference import to_model_input
from mnist_core.training.engine import TrainConfig, train
from mnist_core.training.export import PROGRESS_FIELDS, history_csv, model_bytes, tensorboard_zip


@pytest.fixture(scope="module")
def run():
    """Two short epochs with augmentation: the shipped model is then compiled with the wrapper's optimizer."""
    return train(TrainConfig(model="lenet5", epochs=2, train_size=2000, batch_size=64,
                             learning_rate=3e-3, augment=True))


def test_the_keras_file_reloads_in_safe_mode_and_predicts_the_same(run, tmp_path):
    path = tmp_path / "model.keras"
    path.write_bytes(model_bytes(run.model))
    reloaded = keras.saving.load_model(path, safe_mode=True)
    images = to_model_input(load_mnist()[1][0][:16])  # (16, 28, 28, 1)
    assert np.allclose(reloaded.predict(images, verbose=0), run.model.predict(images, verbose=0), atol=1e-6)


def test_the_csv_has_one_row_per_report_and_the_values_read_back(run):
    rows = list(csv.reader(io.StringIO(history_csv(run.progress))))
    assert tuple(rows[0]) == PROGRESS_FIELDS and len(rows) == len(run.progress) + 1
    for report, row in zip(run.progress, rows[1:], strict=True):
        for expected, text in zip(dataclasses.astuple(report), row, strict=True):
            if expected is None:
                assert text == ""
            else:
                assert (text == str(expected)) if isinstance(expected, bool) else type(expected)(text) == expected


def _scalars(folder: Path) -> dict[str, list[tuple[int, float]]]:
    """Read one run folder back as TensorBoard would: {tag: [(step, value), ...]}; check the plugin."""
    import tensorflow as tf
    from tensorflow.core.util import event_pb2

    (events,) = folder.glob("events.out.tfevents.*")
    found: dict[str, list[tuple[int, float]]] = {}
    for record in tf.data.TFRecordDataset(str(events)):
        event = event_pb2.Event.FromString(record.numpy())
        for value in event.summary.value:
            if value.tag not in found:  # TensorBoard reads the plugin from a tag's first value
                assert value.metadata.plugin_data.plugin_name == "scalars"
            found.setdefault(value.tag, []).append((event.step, float(tf.make_ndarray(value.tensor))))
    return found


def test_the_tensorboard_zip_holds_the_same_scalars_at_the_same_steps(run, tmp_path):
    with zipfile.ZipFile(io.BytesIO(tensorboard_zip(run.progress, run_name="lenet5"))) as archive:
        assert {name.rsplit("/", 1)[0] for name in archive.namelist()} == {"lenet5/train", "lenet5/validation"}
        archive.extractall(tmp_path)
    val = [r for r in run.progress if r.epoch_end]
    assert len(val) == 2 and all(r.val_loss is not None for r in val)

    def expected(reports, field):  # TensorBoard scalars are float32
        return [(r.step, float(np.float32(getattr(r, field)))) for r in reports]

    assert _scalars(tmp_path / "lenet5" / "train") == {
        "loss": expected(run.progress, "loss"), "accuracy": expected(run.progress, "accuracy")}
    assert _scalars(tmp_path / "lenet5" / "validation") == {
        "loss": expected(val, "val_loss"), "accuracy": expected(val, "val_accuracy")}


@pytest.mark.parametrize("name", ["", "..", "a/b", "/abs"])
def test_a_run_name_must_be_one_folder_name(name):
    with pytest.raises(ValueError, match="one plain folder name"):
        tensorboard_zip([], run_name=name)
