"""Look inside the models: kernels, feature maps, saliency, templates and invariance, as arrays.

Also the arithmetic the explainer pages animate (cross-correlation, pooling, output sizes), in
plain numpy so that a learner can read it. Pure Keras 3 (`keras.ops`, no TensorFlow calls), so it
runs on any backend. Saliency is by occlusion rather than gradients: hide a small patch, see how
much the digit's probability drops. That needs only forward passes, which are the same on every
backend, and its answer ("this ink mattered") is easy to explain on a page.
"""

import functools
import math
import weakref

import keras
import numpy as np
from keras import layers, ops
from PIL import Image

Named = list[tuple[str, np.ndarray]]

CLASSIC_KERNELS: dict[str, np.ndarray] = {name: np.array(k, dtype=np.float32) for name, k in {
    "Vertical edges (Sobel)": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "Horizontal edges (Sobel)": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "Outline (Laplacian)": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "Blur (box)": np.full((3, 3), 1 / 9),
    "Gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16,
    "Sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "Emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
    "Identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
}.items()}

FEATURE_LAYERS = (layers.Conv2D, layers.MaxPooling2D, layers.AveragePooling2D)
# One sub-model per model, dropped with it; keyed weakly so a freed model's id is never reused.
_SUBMODELS: "weakref.WeakKeyDictionary[keras.Model, keras.Model]" = weakref.WeakKeyDictionary()


def _predict(model: keras.Model, x: np.ndarray) -> np.ndarray | list[np.ndarray]:
    """One forward call, in inference mode: `predict` would add a data pipeline costing tens of ms."""
    out = model(x, training=False)
    return [ops.convert_to_numpy(o) for o in out] if isinstance(out, list) else ops.convert_to_numpy(out)


def _batch(images: np.ndarray) -> np.ndarray:
    return np.asarray(images, dtype=np.float32).reshape(-1, 28, 28, 1)  # (N, 28, 28, 1)


def conv_kernels(model: keras.Model) -> Named:
    """`[(name, weights (kh, kw, in, out))]` for every Conv2D layer, in model order."""
    return [(layer.name, layer.get_weights()[0]) for layer in model.layers
            if isinstance(layer, layers.Conv2D)]


def feature_maps(model: keras.Model, image: np.ndarray) -> Named:
    """`[(name, activations (H, W, C))]` for every conv and pooling layer, from one model call."""
    chosen = [layer for layer in model.layers if isinstance(layer, FEATURE_LAYERS)]
    if model not in _SUBMODELS:
        _SUBMODELS[model] = keras.Model(model.inputs[0], [layer.output for layer in chosen])
    outputs = _predict(_SUBMODELS[model], _batch(image))
    return [(layer.name, out[0]) for layer, out in zip(chosen, outputs, strict=True)]


@functools.lru_cache(maxsize=8)
def _occlusions(patch: int, stride: int, n: int = 28) -> tuple[np.ndarray, np.ndarray]:
    """Masks (P, n, n) that are 0 inside each patch position, and how often each pixel is hidden."""
    starts = sorted(set(range(0, n - patch + 1, stride)) | {n - patch})  # reach the last row too
    masks = np.ones((len(starts) ** 2, n, n), dtype=np.float32)
    for i, (r, c) in enumerate((r, c) for r in starts for c in starts):
        masks[i, r:r + patch, c:c + patch] = 0
    return masks, (1 - masks).sum(axis=0)


def saliency(model: keras.Model, image: np.ndarray, digit: int, patch: int = 5,
             stride: int = 1) -> np.ndarray:
    """Where the evidence for `digit` lies: a (28, 28) map in [0, 1], by occlusion.

    Each patch position is blacked out (0 is MNIST's background, so this erases ink), and every
    pixel scores the mean drop in P(digit) over the patches that hid it; rises count as 0. All
    occluded copies (576 for 5×5, stride 1) go through the model in one batch.
    """
    masks, hidden = _occlusions(patch, stride)
    image = np.asarray(image, dtype=np.float32)
    probs = _predict(model, _batch(np.concatenate([image[None], image * masks])))[:, digit]
    drops = np.clip(probs[0] - probs[1:], 0, None)  # (P,)
    heat = np.einsum("p,phw->hw", drops, 1 - masks) / np.maximum(hidden, 1)  # stride > patch skips pixels
    top = heat.max()
    return heat / top if top > 0 else np.zeros_like(heat)


def output_size(n: int, k: int, stride: int = 1, padding: str = "valid") -> int:
    """Output length along one axis, as Keras computes it: valid ⌊(n−k)/s⌋+1, same ⌈n/s⌉."""
    if padding == "same":
        return -(-n // stride)
    if padding == "valid":
        return max(0, (n - k) // stride + 1)
    raise ValueError(f"Padding must be 'valid' or 'same', not {padding!r}.")


def _pad(image: np.ndarray, shape: tuple[int, int], stride: int, padding: str) -> np.ndarray:
    """Zero-pad for "same" like TensorFlow: the odd pixel of padding goes to the bottom/right."""
    image = np.asarray(image, dtype=np.float32)
    if padding == "valid":
        return image
    widths = []
    for n, k in zip(image.shape, shape, strict=True):
        total = max((output_size(n, k, stride, padding) - 1) * stride + k - n, 0)  # raises if not "same"
        widths.append((total // 2, total - total // 2))
    return np.pad(image, widths)


def apply_kernel(image: np.ndarray, kernel: np.ndarray, stride: int = 1,
                 padding: str = "valid") -> np.ndarray:
    """2-D cross-correlation as in Keras Conv2D (the kernel is not flipped): (H, W) → (H', W')."""
    kernel = np.asarray(kernel, dtype=np.float32)
    padded = _pad(image, kernel.shape, stride, padding)
    windows = np.lib.stride_tricks.sliding_window_view(padded, kernel.shape)[::stride, ::stride]
    return np.einsum("ijkl,kl->ij", windows, kernel)  # (H', W')


def dot_at(image: np.ndarray, kernel: np.ndarray, row: int, col: int, stride: int = 1,
           padding: str = "valid") -> tuple[np.ndarray, float]:
    """The input patch under the window for output (row, col), and their dot product there.

    The patch includes any zero padding; `patch * kernel` gives the element-wise products.
    """
    kernel = np.asarray(kernel, dtype=np.float32)
    kh, kw = kernel.shape
    padded = _pad(image, kernel.shape, stride, padding)
    patch = padded[row * stride:row * stride + kh, col * stride:col * stride + kw]
    return patch, float(np.sum(patch * kernel))


def pool(image: np.ndarray, size: int = 2, mode: str = "max") -> np.ndarray:
    """Pooling with stride = size and no padding, like Keras MaxPooling2D: (H, W[, C]) → (H/s, W/s[, C])."""
    reduce = {"max": np.max, "average": np.mean}[mode]
    h, w = image.shape[0] // size, image.shape[1] // size  # a leftover edge row/column is dropped
    blocks = np.asarray(image)[:h * size, :w * size].reshape(h, size, w, size, *image.shape[2:])
    return reduce(blocks, axis=(1, 3))


def _first_dense(model: keras.Model) -> layers.Dense:
    dense = next((layer for layer in model.layers if isinstance(layer, layers.Dense)), None)
    if dense is None or dense.get_weights()[0].shape[0] != 28 * 28:
        raise ValueError(f"{model.name} has no Dense layer that reads the 784 pixels directly.")
    return dense


def dense_templates(model: keras.Model) -> np.ndarray:
    """The MLP's first Dense layer as images: one (28, 28) weight template per unit, (units, 28, 28)."""
    kernel = _first_dense(model).get_weights()[0]  # (784, units)
    return kernel.T.reshape(-1, 28, 28)


def template_activations(model: keras.Model, image: np.ndarray) -> np.ndarray:
    """Each template's pre-activation (weights · pixels + bias) on `image`, shape (units,).

    Before the ReLU, so that negative values still say how strongly a template argues against it.
    """
    kernel, bias = _first_dense(model).get_weights()  # (784, units), (units,)
    return np.asarray(image, dtype=np.float32).reshape(-1) @ kernel + bias


def layer_parameters(model: keras.Model) -> list[tuple[str, str, int]]:
    """`[(name, layer class, parameter count)]` for every layer, in model order."""
    return [(layer.name, type(layer).__name__, layer.count_params()) for layer in model.layers]


def transform(image: np.ndarray, shift: tuple[float, float] = (0.0, 0.0), angle: float = 0.0,
              scale: float = 1.0) -> np.ndarray:
    """Shift by (dx, dy) pixels (right, down), rotate `angle` degrees anticlockwise and scale about
    the centre, bilinearly: (28, 28) float32 in [0, 1]."""
    image = np.asarray(image, dtype=np.float32)
    dx, dy = shift
    cos = math.cos(math.radians(angle)) / scale
    sin = math.sin(math.radians(angle)) / scale
    c = image.shape[1] / 2  # the centre, in PIL's coordinates where pixel i spans [i, i + 1)
    ox, oy = c + dx, c + dy  # where the centre lands
    # PIL asks where each output pixel comes from: input = c + R(−angle) / scale · (output − o).
    coeffs = (cos, -sin, c - cos * ox + sin * oy, sin, cos, c - sin * ox - cos * oy)
    src = Image.fromarray(image)
    out = src.transform(src.size, Image.Transform.AFFINE, coeffs, Image.Resampling.BILINEAR, fillcolor=0.0)
    return np.clip(np.asarray(out, dtype=np.float32), 0, 1)


INVARIANCE_KINDS = {
    "shift_x": lambda v: {"shift": (v, 0.0)},
    "shift_y": lambda v: {"shift": (0.0, v)},
    "rotate": lambda v: {"angle": v},
    "scale": lambda v: {"scale": v},
}


def invariance_curve(models: dict[str, keras.Model], image: np.ndarray, digit: int, kind: str,
                     values: np.ndarray) -> dict[str, np.ndarray]:
    """Each model's P(digit) as `image` is shifted, rotated or scaled by each of `values`."""
    images = _batch([transform(image, **INVARIANCE_KINDS[kind](float(v))) for v in values])
    return {name: _predict(model, images)[:, digit] for name, model in models.items()}
