"""The arithmetic the Convolution page animates, in plain numpy so that a learner can read it.

Cross-correlation exactly as Keras's Conv2D computes it (the kernel is not flipped), output sizes,
"same" zero padding as TensorFlow places it, and pooling. The kernels' names are English keys, marked
with N_ and translated where they are shown.
"""

import numpy as np

from mnist_core.i18n import N_, _

CLASSIC_KERNELS: dict[str, np.ndarray] = {name: np.array(k, dtype=np.float32) for name, k in {
    N_("Vertical edges (Sobel)"): [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    N_("Horizontal edges (Sobel)"): [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    N_("Outline (Laplacian)"): [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    N_("Blur (box)"): np.full((3, 3), 1 / 9),
    N_("Gaussian blur"): np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16,
    N_("Sharpen"): [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    N_("Emboss"): [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
    N_("Identity"): [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
}.items()}


def output_size(n: int, k: int, stride: int = 1, padding: str = "valid") -> int:
    """Output length along one axis, as Keras computes it: valid ⌊(n−k)/s⌋+1, same ⌈n/s⌉."""
    if padding == "same":
        return -(-n // stride)
    if padding == "valid":
        return max(0, (n - k) // stride + 1)
    raise ValueError(_("Padding must be 'valid' or 'same', not {padding!r}.").format(padding=padding))


def padding_widths(n: int, k: int, stride: int, padding: str) -> tuple[int, int]:
    """Zeros (before, after) along one axis, as TensorFlow places them: "same" puts the odd one after."""
    if padding == "valid":
        return 0, 0
    total = max((output_size(n, k, stride, padding) - 1) * stride + k - n, 0)  # raises if not "same"
    return total // 2, total - total // 2


def _pad(image: np.ndarray, shape: tuple[int, int], stride: int, padding: str) -> np.ndarray:
    """Zero-pad like TensorFlow (see `padding_widths`)."""
    image = np.asarray(image, dtype=np.float32)
    return np.pad(image, [padding_widths(n, k, stride, padding) for n, k in zip(image.shape, shape, strict=True)])


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


def window_origin(n: int, k: int, stride: int, padding: str, row: int, col: int) -> tuple[int, int]:
    """The image pixel under the top-left of the window that makes output (row, col); negative on padding."""
    pad = padding_widths(n, k, stride, padding)[0]  # zeros above / left
    return row * stride - pad, col * stride - pad


def inked_positions(image: np.ndarray, k: int, stride: int = 1, padding: str = "valid") -> np.ndarray:
    """The output positions, numbered row by row, whose k×k window covers some ink, in order: elsewhere the
    window sees only background, every product is 0, and Play can skip it."""
    padded = _pad(image, (k, k), stride, padding)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (k, k))[::stride, ::stride]  # (H', W', k, k)
    return np.flatnonzero(windows.reshape(*windows.shape[:2], -1).any(axis=-1))


def play_step(position: int, stops: np.ndarray, steps: int) -> int:
    """Where the window goes from `position` when Play moves it `steps` stops on along `stops` (sorted
    positions), wrapping round to the first; from a position between stops, the next stop is the first step."""
    after = int(np.searchsorted(stops, position, side="right"))
    return int(stops[(after + steps - 1) % len(stops)])
