"""Downloads for a finished run: the model as a .keras file, its history as CSV, TensorBoard logs.

Every function returns bytes or text for a download button; nothing is left on disk.
"""

import csv
import dataclasses
import importlib.util
import io
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import keras

from mnist_core.i18n import _
from mnist_core.training.run import Progress

PROGRESS_FIELDS = tuple(f.name for f in dataclasses.fields(Progress))
# (name in TensorBoard, Progress field) per run folder; the same names let TensorBoard overlay the runs.
TRAIN_SCALARS = (("loss", "loss"), ("accuracy", "accuracy"))
VALIDATION_SCALARS = (("loss", "val_loss"), ("accuracy", "val_accuracy"))


def model_bytes(model: keras.Model) -> bytes:
    """The `.keras` file of `model`, which `keras.saving.load_model(path, safe_mode=True)` reloads."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


def model_from_bytes(data: bytes) -> keras.Model:
    """The model in `data`, a `.keras` file's bytes (as model_bytes returns), loaded in safe mode."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        path.write_bytes(data)
        return keras.saving.load_model(path, safe_mode=True)


def history_csv(history: Sequence[Progress]) -> str:
    """One row per progress report under a header of `Progress` field names; empty cells for None."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(PROGRESS_FIELDS)
    for report in history:
        # str() of a float is its shortest exact form, so the values read back unchanged
        writer.writerow(["" if value is None else value for value in dataclasses.astuple(report)])
    return text.getvalue()


def tensorboard_zip(history: Sequence[Progress], run_name: str = "run") -> bytes:
    """A zip of TensorBoard logs: `run_name/train` (loss, accuracy by step) and `run_name/validation`."""
    if not run_name or run_name in (".", "..") or Path(run_name).name != run_name or "\\" in run_name:
        raise ValueError(_("The run name must be one plain folder name, not {name}.").format(name=repr(run_name)))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        _write_scalars(root / run_name / "train", history, TRAIN_SCALARS)
        _write_scalars(root / run_name / "validation", [r for r in history if r.val_loss is not None],
                       VALIDATION_SCALARS)
        packed = io.BytesIO()
        with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(root).as_posix())
        return packed.getvalue()


def tensorboard_available() -> bool:
    """TensorBoard's event files are written with TensorFlow; other Keras backends may lack it."""
    return importlib.util.find_spec("tensorflow") is not None


def _write_scalars(folder: Path, history: Sequence[Progress], scalars: tuple[tuple[str, str], ...]) -> None:
    """Write one event file of scalar summaries, each at the report's step (batches since the start)."""
    if not history:
        return
    try:
        import tensorflow as tf  # only here: the rest of the core also runs on the JAX or torch backend
    except ImportError as exc:
        raise RuntimeError(_("TensorBoard logs need TensorFlow, which is not installed here.")) from exc
    from tensorflow.core.framework import summary_pb2

    # What tensorboard.summary.scalar attaches; tf.summary.scalar itself needs the tensorboard package.
    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"),
        data_class=summary_pb2.DATA_CLASS_SCALAR)
    writer = tf.summary.create_file_writer(str(folder))
    with writer.as_default():
        for report in history:
            for tag, name in scalars:
                tf.summary.write(tag, tf.constant(getattr(report, name), tf.float32), report.step, metadata)
    writer.close()
