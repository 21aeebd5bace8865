"""What one unit sees: its receptive field on the 28×28 input, and the test patches that excite it most.

The field follows from the layers' geometry alone. Walking from the input, every layer keeps three
numbers per axis: `jump` (input pixels between neighbouring units), `size` (the field's side) and
`first` (where unit 0's field starts, negative when padding reaches past the edge). A k×k window
with stride s and `before` pixels of padding gives jump·s, size + (k − 1)·jump, first − before·jump.
"""

from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

from mnist_core.i18n import _
from mnist_core.inside.convolution import padding_widths
from mnist_core.models.inference import SIDE, forward, submodel

WINDOWS = (layers.Conv2D, layers.MaxPooling2D, layers.AveragePooling2D)
UNITS = WINDOWS + (layers.ReLU, layers.Activation)  # layers whose units a learner can pick
ELEMENTWISE = (layers.BatchNormalization, layers.ReLU, layers.Activation, layers.Dropout, layers.InputLayer)


@dataclass(frozen=True)
class Geometry:
    """Per axis (rows, cols): input pixels between units, the field's side, and unit 0's first pixel."""

    jump: tuple[int, int] = (1, 1)
    size: tuple[int, int] = (1, 1)
    first: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Field:
    """A unit's receptive field on the input, clipped to the image: rows top..bottom, cols left..right."""

    top: int
    left: int
    bottom: int   # inclusive
    right: int    # inclusive
    side: tuple[int, int]  # the unclipped field's height and width

    @property
    def slices(self) -> tuple[slice, slice]:
        return slice(self.top, self.bottom + 1), slice(self.left, self.right + 1)


def _window(layer: layers.Layer) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    """(kernel, stride, padding before) per axis of a sliding-window layer."""
    if isinstance(layer, layers.Conv2D):
        if tuple(layer.dilation_rate) != (1, 1):
            raise ValueError(_("Layer {layer} is dilated; its field would have holes, which this view cannot "
                               "draw.").format(layer=layer.name))
        kernel = tuple(layer.kernel_size)
    else:
        kernel = tuple(layer.pool_size)
    stride, sizes = tuple(layer.strides), layer.input.shape[1:3]
    before = [padding_widths(n, k, s, layer.padding)[0] for n, k, s in zip(sizes, kernel, stride, strict=True)]
    return kernel, stride, (before[0], before[1])


def _step(geometry: Geometry, layer: layers.Layer) -> Geometry:
    """The geometry after one more layer."""
    if isinstance(layer, ELEMENTWISE):
        return geometry
    if isinstance(layer, layers.ZeroPadding2D):
        kernel, stride, before = (1, 1), (1, 1), (layer.padding[0][0], layer.padding[1][0])
    elif isinstance(layer, WINDOWS):
        kernel, stride, before = _window(layer)
    else:
        raise ValueError(_("Layer {layer} ({kind}) does not keep a feature map's geometry.").format(
            layer=layer.name, kind=type(layer).__name__))
    return Geometry(jump=tuple(j * s for j, s in zip(geometry.jump, stride, strict=True)),
                    size=tuple(r + (k - 1) * j for r, k, j in zip(geometry.size, kernel, geometry.jump, strict=True)),
                    first=tuple(f - b * j for f, b, j in zip(geometry.first, before, geometry.jump, strict=True)))


def geometry(model: keras.Model, layer_name: str) -> Geometry:
    """The geometry of `layer_name`'s units, from the model's layers up to and including it."""
    result = Geometry()
    for layer in model.layers:
        result = _step(result, layer)
        if layer.name == layer_name:
            return result
    raise ValueError(_("{model} has no layer called {layer!r}.").format(model=model.name, layer=layer_name))


def receptive_field(model: keras.Model, layer_name: str, row: int, col: int) -> Field:
    """The input pixels that unit (row, col) of `layer_name` depends on (any channel), clipped to 28×28."""
    g = geometry(model, layer_name)
    top, left = g.first[0] + row * g.jump[0], g.first[1] + col * g.jump[1]
    return Field(top=max(top, 0), left=max(left, 0), bottom=min(top + g.size[0], SIDE) - 1,
                 right=min(left + g.size[1], SIDE) - 1, side=g.size)


def unit_layers(model: keras.Model) -> list[str]:
    """Names of the layers whose units the view offers: convolutions, pooling and activations."""
    return [layer.name for layer in model.layers if isinstance(layer, UNITS) and len(layer.output.shape) == 4]


def activations(model: keras.Model, layer_name: str, images: np.ndarray, batch_size: int = 500) -> np.ndarray:
    """`layer_name`'s feature maps (N, H, W, C) for `images` (uint8 or [0, 1] floats)."""
    probe = submodel(model, ("layer", layer_name), lambda: model.get_layer(layer_name).output)
    return forward(probe, images, batch_size=batch_size)


def _merge(best_values: np.ndarray, best_indices: np.ndarray, values: np.ndarray, start: int) -> None:
    """Merge a batch's activations (B, units) into the running top k (k, units), kept sorted descending.

    Only the entries above a unit's current k-th best can enter, and after the first batches these are
    few, so they are merged by one sort of (unit, −value) instead of a partition of the whole batch.
    """
    k = len(best_values)
    rows, cols = np.nonzero(values > best_values[-1])
    units = np.unique(cols)
    if units.size == 0:
        return
    unit = np.concatenate([np.tile(units, k), cols])
    value = np.concatenate([best_values[:, units].ravel(), values[rows, cols]])
    index = np.concatenate([best_indices[:, units].ravel(), start + rows])
    order = np.lexsort((-value, unit))  # by unit, then strongest first
    rank = np.arange(order.size) - np.searchsorted(unit[order], unit[order])  # place within its unit
    kept = order[rank < k]  # exactly k per unit, units ascending
    best_values[:, units] = value[kept].reshape(units.size, k).T
    best_indices[:, units] = index[kept].reshape(units.size, k).T


def top_images(model: keras.Model, layer_name: str, images: np.ndarray, k: int = 9,
               batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """For every unit of the layer, the `k` images that excite it most: `(indices, values)`, each
    (k, H, W, C), strongest first. Runs over `images` in batches, keeping only a running top k."""
    shape = activations(model, layer_name, images[:1]).shape[1:]
    best_values = np.full((k, int(np.prod(shape))), -np.inf, dtype=np.float32)  # (k, units)
    best_indices = np.zeros(best_values.shape, dtype=np.int64)
    for start in range(0, len(images), batch_size):
        values = activations(model, layer_name, images[start:start + batch_size], batch_size)
        values = values.reshape(len(values), -1)  # (B, units)
        if start == 0 and len(values) >= k:  # everything would enter: partition the first batch instead
            keep = np.argpartition(-values, k - 1, axis=0)[:k]
            keep = np.take_along_axis(keep, np.argsort(-np.take_along_axis(values, keep, 0), axis=0), 0)
            best_values[:], best_indices[:] = np.take_along_axis(values, keep, 0), keep
        else:
            _merge(best_values, best_indices, values, start)
    return best_indices.reshape(k, *shape), best_values.reshape(k, *shape)
