"""preprocess: drawings and uploads become 28×28 images the way MNIST's were, checked on real digits.

The known answers: official MNIST digits are fixed points of the pipeline (it is how they were
made), their centres of mass sit at 14.0 ± 0.5 (scipy measures it), and the shipped CNN reads
official digits redrawn at any size and place on a canvas as well as it reads the originals.
"""

import io
import struct
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw
from scipy import ndimage

from mnist_core.data.sources import load_mnist
from mnist_core.drawing.check import NotADigit
from mnist_core.drawing.decode import UploadError, load_upload
from mnist_core.drawing.prepare import canvas_to_mnist, image_to_mnist, plain_resize
from mnist_core.models.shipped import MODELS_DIR, load_model_file

CANVAS = 280  # the Draw page's canvas side


@pytest.fixture(scope="module")
def digits():
    """1,000 official test digits and labels, a fixed random subset."""
    images, labels = load_mnist()[1]
    pick = np.random.default_rng(0).choice(len(images), 1000, replace=False)
    return images[pick], labels[pick]


def rgba(ink: np.ndarray, transparent: bool = False) -> np.ndarray:
    """(H, W) uint8 ink → the canvas's RGBA: white on opaque black, or white with alpha = ink."""
    out = np.empty((*ink.shape, 4), np.uint8)
    if transparent:
        out[..., :3], out[..., 3] = 255, ink
    else:
        out[..., :3], out[..., 3] = ink[..., None], 255
    return out


def posed(digit: np.ndarray, side: int, top: int, left: int) -> np.ndarray:
    """A 28×28 digit scaled to side × side (bilinear) at (top, left) on a black 280×280 canvas."""
    ink = np.zeros((CANVAS, CANVAS), np.uint8)                                 # (280, 280)
    big = Image.fromarray(digit).resize((side, side), Image.Resampling.BILINEAR)
    ink[top:top + side, left:left + side] = np.asarray(big)
    return rgba(ink)


def random_canvases(images: np.ndarray, seed: int = 1):
    """Each digit scaled 3×–10× and placed at random, fully inside the canvas."""
    rng = np.random.default_rng(seed)
    for digit in images:
        side = int(rng.integers(3 * 28, 10 * 28 + 1))
        top, left = rng.integers(0, CANVAS - side + 1, size=2)
        yield posed(digit, side, int(top), int(left))


def aligned_corr(a: np.ndarray, b: np.ndarray) -> float:
    """Correlation after the best shift by up to one pixel: like MNIST, centring moves whole pixels,
    so a centre of mass near x.5 may round either way for two renderings of the same digit."""
    shifts = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    return max(np.corrcoef(np.roll(a, s, axis=(0, 1)).ravel(), b.ravel())[0, 1] for s in shifts)


def lines(width: int) -> np.ndarray:
    """A black 280×280 canvas with a PIL-drawn "7" of the given pen width (no antialiasing)."""
    image = Image.new("L", (CANVAS, CANVAS))
    ImageDraw.Draw(image).line([(60, 50), (220, 50), (120, 240)], fill=255, width=width)
    return rgba(np.asarray(image))


# --- canvas_to_mnist --------------------------------------------------------------------------


@pytest.mark.parametrize("canvas", [
    np.zeros((CANVAS, CANVAS, 4), np.uint8),                     # transparent, as the canvas starts
    rgba(np.zeros((CANVAS, CANVAS), np.uint8)),                  # opaque black
    rgba(np.full((CANVAS, CANVAS), 4, np.uint8)),                # faint noise below the threshold
    np.zeros((1, 1, 4), np.uint8),
], ids=["transparent", "black", "faint", "1x1"])
def test_a_blank_canvas_gives_none(canvas):
    assert canvas_to_mnist(canvas) is None
    assert plain_resize(canvas) is None


def test_output_is_a_28x28_float32_image_in_unit_range(digits):
    out = canvas_to_mnist(posed(digits[0][0], 150, 20, 90))
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.min() == 0.0 and out.max() == 1.0


@pytest.mark.parametrize("bad", [
    np.zeros((28, 28, 4), np.float32), np.zeros((28, 28, 3), np.uint8), np.zeros((28, 28), np.uint8),
    np.zeros((0, 5, 4), np.uint8), [[[0, 0, 0, 0]]],
], ids=["float", "rgb", "2d", "empty", "list"])
def test_a_wrong_array_is_refused_in_one_sentence(bad):
    with pytest.raises(ValueError, match=r"^Expected an \(H, W, 4\) uint8 RGBA array, got .*\.$"):
        canvas_to_mnist(bad)


def test_official_digits_come_back_unchanged(digits):
    """MNIST's digits already are cropped, 20-px and mass-centred: the pipeline must leave them be."""
    worst = [np.abs(canvas_to_mnist(rgba(d)) - d / 255).max() for d in digits[0]]
    # 254-peaked digits are stretched to 1 (1/255); a few lose a faint 1-5/255 edge row to the threshold.
    assert np.mean(np.array(worst) <= 1.01 / 255) >= 0.97


def test_mnist_centres_of_mass_are_at_14_and_so_are_ours(digits):
    """scipy measures both: MNIST's whole-pixel centring leaves each centre in [13.5, 14.5]."""
    official = np.array([ndimage.center_of_mass(d.astype(float)) for d in digits[0]])
    assert np.allclose(official.mean(axis=0), 14.0, atol=0.05)
    assert official.min() >= 13.5 - 1e-9 and official.max() <= 14.5 + 1e-9
    ours = np.array([ndimage.center_of_mass(canvas_to_mnist(c)) for c in random_canvases(digits[0][:100])])
    assert ours.min() >= 13.5 - 1e-6 and ours.max() <= 14.5 + 1e-6


def test_the_longer_side_fills_the_20_pixel_box(digits):
    for canvas in random_canvases(digits[0][:50]):
        rows, cols = np.nonzero(canvas_to_mnist(canvas))
        assert max(np.ptp(rows), np.ptp(cols)) + 1 == 20


def test_small_in_a_corner_equals_large_in_the_middle(digits):
    """Nearly: at 3× and 8× faint fringes cross the ink threshold differently (±1 px of 20)."""
    correlations = []
    for digit in digits[0][:20]:
        small = canvas_to_mnist(posed(digit, 3 * 28, 0, CANVAS - 3 * 28))    # top-right corner
        large = canvas_to_mnist(posed(digit, 8 * 28, 28, 28))
        correlations.append(aligned_corr(small, large))
        assert np.abs(small - large).mean() < 0.05
    assert min(correlations) > 0.9 and np.mean(correlations) > 0.98


def disc(diameter: int) -> np.ndarray:
    """A white pen dot as the canvas draws it (antialiased by PIL's 4× supersampling), at the centre."""
    big = Image.new("L", (4 * CANVAS, 4 * CANVAS))
    centre, radius = 2 * CANVAS, 2 * diameter
    ImageDraw.Draw(big).ellipse([centre - radius, centre - radius, centre + radius, centre + radius], fill=255)
    return rgba(np.asarray(big.resize((CANVAS, CANVAS), Image.Resampling.BOX)))


def filled(top: int, left: int, bottom: int, right: int) -> np.ndarray:
    ink = np.zeros((CANVAS, CANVAS), np.uint8)
    ink[top:bottom, left:right] = 255
    return rgba(ink)


@pytest.mark.parametrize(("canvas", "pen", "sentence"), [
    (filled(200, 30, 201, 31), 18, r"^This is only a speck of ink \(1×1 pixels\), too small to be a digit\.$"),
    (disc(18), 18, r"^This is only a dot: it spans 19 pixels, under 2 widths of the pen \(18 pixels\), so draw a "
                   r"digit larger than that or with a thinner pen\.$"),
    (disc(40), 40, r"^This is only a dot"),                        # the widest pen the Draw page offers
    (disc(4), 4, r"^This is only a dot"),                          # the thinnest
    (filled(0, 0, CANVAS, CANVAS), 18, r"^The ink covers 100% of the square it spans: a blot, not a digit\.$"),
    (filled(40, 40, 240, 240), 18, r"^The ink covers 100% of the square"),    # a scribbled-over block
    (filled(130, 20, 150, 260), 18, r"^This is a flat strip of ink, 12 times as wide as it is tall, not a digit\.$"),
], ids=["pixel", "pen-18 dot", "pen-40 dot", "pen-4 dot", "full canvas", "block", "strip"])
def test_ink_that_cannot_be_a_digit_gets_one_sentence(canvas, pen, sentence):
    with pytest.raises(NotADigit, match=sentence):
        canvas_to_mnist(canvas, pen)
    with pytest.raises(NotADigit, match=sentence):
        plain_resize(canvas, pen)


def test_no_official_training_digit_is_refused():
    """The oracle for the thresholds: all 60,000 training digits pass as drawn on a 28×28 canvas, and
    the most extreme ones (the most ink, the widest, the narrowest) also redrawn 10× on a 280×280 canvas
    framed as MNIST frames them (20 of 28 px)."""
    images = load_mnist()[0][0]
    for digit in images:
        assert canvas_to_mnist(rgba(digit)) is not None
    ink = images > 5
    rows, cols = ink.any(axis=2), ink.any(axis=1)
    height = 28 - rows.argmax(axis=1) - rows[:, ::-1].argmax(axis=1)
    width = 28 - cols.argmax(axis=1) - cols[:, ::-1].argmax(axis=1)
    solid = ink.sum(axis=(1, 2)) / np.maximum(height, width) ** 2
    extremes = np.concatenate([np.argsort(-solid)[:100], np.argsort(height / width)[:100],
                               np.argsort(width / height)[:100]])
    for digit in images[extremes]:
        assert canvas_to_mnist(posed(digit, CANVAS, 0, 0)) is not None
        assert plain_resize(posed(digit, CANVAS, 0, 0)) is not None


def seven(canvas: int, height: int, pen: int) -> np.ndarray:
    """A "7" `height` px tall drawn with a round pen `pen` px wide on a black canvas × canvas, as the canvas
    draws strokes (antialiased by PIL's 4× supersampling)."""
    big = Image.new("L", (4 * canvas, 4 * canvas))
    top, left, width = 4 * canvas // 3, 4 * canvas // 3, 4 * height * 3 // 5
    points = [(left, top), (left + width, top), (left + width // 3, top + 4 * height)]
    ImageDraw.Draw(big).line(points, fill=255, width=4 * pen, joint="curve")
    for x, y in (points[0], points[-1]):  # the pen's round ends
        ImageDraw.Draw(big).ellipse([x - 2 * pen, y - 2 * pen, x + 2 * pen, y + 2 * pen], fill=255)
    return rgba(np.asarray(big.resize((canvas, canvas), Image.Resampling.BOX)))


@pytest.mark.parametrize(("canvas", "height", "pen"), [
    (400, 60, 18), (400, 40, 8), (400, 100, 18), (400, 300, 40), (280, 30, 6), (800, 60, 12), (300, 80, 40),
])
def test_a_small_digit_is_read_whatever_the_canvas_and_the_cnn_reads_it(trained_cnn, canvas, height, pen):
    """The issue's case first: a clear 7 about 60 px tall on the 400-px canvas was refused as a dot (under 18 % of
    the canvas). A digit is refused by its size in pen widths, never by its share of the canvas."""
    image = canvas_to_mnist(seven(canvas, height, pen), pen)
    assert image is not None and image.shape == (28, 28)
    assert trained_cnn.predict_on_batch(image[None, ..., None]).argmax() == 7


@pytest.mark.parametrize("pen", [4, 18, 40])
def test_a_tap_or_a_short_dash_is_a_dot_at_any_pen_width(pen):
    dash = np.zeros((400, 400), np.uint8)
    dash[200:200 + pen, 100:100 + round(1.5 * pen)] = 255
    for canvas in (disc(pen), rgba(dash)):
        with pytest.raises(NotADigit, match="^This is only a dot"):
            canvas_to_mnist(canvas, pen)


@pytest.mark.parametrize("width", [1, 2, 3])
def test_thin_strokes_survive(width):
    out = canvas_to_mnist(lines(width))
    assert out.max() == 1.0
    assert (out > 0.25).sum() >= 30      # both strokes of the 7 stay visible, ~20 px each


def test_transparent_and_black_backgrounds_give_the_same_digit(digits):
    ink = np.asarray(Image.fromarray(digits[0][3]).resize((200, 200), Image.Resampling.BILINEAR))
    assert np.allclose(canvas_to_mnist(rgba(ink, transparent=True)), canvas_to_mnist(rgba(ink)), atol=1e-6)


@pytest.mark.parametrize(("shape", "refused"), [((1, 500), "^This is a hairline"), ((500, 1), "^This is a hairline"),
                                               ((3, 7), None), ((1000, 40), None)])
def test_any_canvas_shape_works(shape, refused):
    """A fully inked canvas of any shape: a 1-px line is refused, a 7×3 box under half full and a
    tall stroke are digit-like, so they are read."""
    canvas = np.full((*shape, 4), 255, np.uint8)
    if refused:
        with pytest.raises(NotADigit, match=refused):
            canvas_to_mnist(canvas)
        return
    out = canvas_to_mnist(canvas)
    assert out.shape == (28, 28) and 0 < out.sum() <= 400
    assert plain_resize(canvas).shape == (28, 28)


def test_plain_resize_just_shrinks_the_whole_canvas(digits):
    digit = digits[0][0]
    assert np.allclose(plain_resize(rgba(digit)), digit / 255, atol=1e-6)   # 28×28 in: nothing to do
    out = plain_resize(posed(digit, 84, 0, 0))
    assert out[10:].max() == 0 and out[:, 10:].max() == 0                    # stays small, in its corner


# --- image_to_mnist -------------------------------------------------------------------------


def paper(digit: np.ndarray) -> np.ndarray:
    """The digit 7× as dark ink on white paper, (280, 280) uint8."""
    return 255 - posed(digit, 196, 50, 30)[..., 0]


def test_dark_ink_on_paper_equals_the_canvas_pipeline_on_its_inverse(digits):
    """Equal up to the 3×3 denoising mean, which can widen the crop by a pixel of ~190."""
    correlations = []
    for digit in digits[0][:20]:
        canvas = posed(digit, 196, 50, 30)
        photo, drawn = image_to_mnist(Image.fromarray(255 - canvas[..., 0])), canvas_to_mnist(canvas)
        correlations.append(aligned_corr(photo, drawn))
        assert np.abs(photo - drawn).mean() < 0.05
    assert min(correlations) > 0.9 and np.mean(correlations) > 0.98


def test_light_ink_on_dark_is_not_inverted(digits):
    canvas = posed(digits[0][1], 196, 50, 30)
    photo, drawn = image_to_mnist(Image.fromarray(canvas[..., 0])), canvas_to_mnist(canvas)
    assert aligned_corr(photo, drawn) > 0.98 and np.abs(photo - drawn).mean() < 0.02


def modes(gray: np.ndarray) -> dict[str, Image.Image]:
    """The same dark-on-white picture in the modes PNG and JPEG files open as."""
    ink = 255 - gray
    dark_on_clear = np.zeros((*gray.shape, 4), np.uint8)
    dark_on_clear[..., 3] = ink                                  # a transparent scan: black, alpha = ink
    light_on_clear = rgba(ink, transparent=True)                 # a canvas export: white, alpha = ink
    image = Image.fromarray(gray)
    return {"RGB": image.convert("RGB"), "CMYK": image.convert("CMYK"), "P": image.convert("P"),
            "I;16": Image.fromarray(gray.astype(np.uint16) * 257), "LA": image.convert("LA"),
            "RGBA dark": Image.fromarray(dark_on_clear), "RGBA light": Image.fromarray(light_on_clear)}


@pytest.mark.parametrize("mode", ["RGB", "CMYK", "P", "I;16", "LA", "RGBA dark", "RGBA light"])
def test_every_image_mode_gives_the_same_digit(digits, mode):
    gray = paper(digits[0][2])
    expected = image_to_mnist(Image.fromarray(gray))
    assert np.allclose(image_to_mnist(modes(gray)[mode]), expected, atol=0.02)


def shaded(gray: np.ndarray, noise: float = 0.02, seed: int = 0) -> Image.Image:
    """A phone photo's troubles: light falling off 0.95 → 0.45 across the page, noise, JPEG."""
    rng = np.random.default_rng(seed)
    light = np.linspace(0.95, 0.45, gray.shape[1])[None, :]
    pixels = gray / 255 * light + rng.normal(0, noise, gray.shape)
    buffer = io.BytesIO()
    Image.fromarray(np.uint8(np.clip(pixels, 0, 1) * 255)).convert("RGB").save(buffer, "JPEG", quality=80)
    return Image.open(buffer)


@pytest.mark.parametrize("noise", [0.02, 0.04])
def test_a_shaded_noisy_photo_gives_nearly_the_clean_digit(digits, noise):
    for seed, digit in enumerate(digits[0][:10]):
        clean = canvas_to_mnist(posed(digit, 196, 50, 30))
        assert aligned_corr(clean, image_to_mnist(shaded(paper(digit), noise, seed))) > 0.9


@pytest.mark.parametrize("size", [(1, 1), (1, 300), (300, 2), (5, 7)])
def test_tiny_images_do_not_crash(size):
    assert image_to_mnist(Image.new("L", size, 255)) is None
    dot = Image.new("L", size, 255)
    dot.putpixel((0, 0), 0)
    if size == (1, 1):  # one pixel and no paper around it: nothing says it is ink
        assert image_to_mnist(dot) is None
        return
    with pytest.raises(NotADigit, match=r"^This is only a speck of ink \([12]×[12] pixels\)"):
        image_to_mnist(dot)  # a dark dot on paper, blurred by the 3×3 mean into at most 2×2 pixels


def test_blank_paper_gives_none():
    for noise in (0.02, 0.04):
        assert image_to_mnist(shaded(np.full((480, 640), 255, np.uint8), noise)) is None
    assert image_to_mnist(Image.new("RGB", (64, 64), "white")) is None
    assert image_to_mnist(Image.new("RGBA", (64, 64))) is None


def tight_photo(digit: np.ndarray, margin: float, noise: float, seed: int, dark_on_light: bool = True) -> Image.Image:
    """A phone's tight crop of the digit written 7× as large: cropped to the ink plus `margin` of its
    size, light falling off 0.95 → 0.5 across and 1 → 0.85 down the page, noise, JPEG."""
    rng = np.random.default_rng(seed)
    ink = np.asarray(Image.fromarray(digit).resize((196, 196), Image.Resampling.BILINEAR)) / 255  # (196, 196)
    rows, cols = np.flatnonzero((ink > 0.02).any(axis=1)), np.flatnonzero((ink > 0.02).any(axis=0))
    pad = round(margin * max(np.ptp(rows), np.ptp(cols)))
    ink = np.pad(ink, pad)[rows[0]:rows[-1] + 1 + 2 * pad, cols[0]:cols[-1] + 1 + 2 * pad]     # (h, w)
    light = np.linspace(0.95, 0.5, ink.shape[1])[None, :] * np.linspace(1, 0.85, ink.shape[0])[:, None]
    surface = 1 - 0.9 * ink if dark_on_light else 0.1 + 0.85 * ink
    pixels = surface * light + rng.normal(0, noise, ink.shape)
    buffer = io.BytesIO()
    Image.fromarray(np.uint8(np.clip(pixels, 0, 1) * 255)).convert("RGB").save(buffer, "JPEG", quality=85)
    return Image.open(buffer)


@pytest.fixture(scope="module")
def bold():
    """The 100 test digits with the most ink for their size (ink pixels / longer side²), and labels."""
    images, labels = load_mnist()[1]
    ink = images > 5
    rows, cols = ink.any(axis=2), ink.any(axis=1)
    side = 28 - np.minimum(rows.argmax(axis=1) + rows[:, ::-1].argmax(axis=1),
                           cols.argmax(axis=1) + cols[:, ::-1].argmax(axis=1))
    pick = np.argsort(-ink.sum(axis=(1, 2)) / side ** 2)[:100]
    return images[pick], labels[pick]


@pytest.mark.parametrize("margin", [0.0, 0.05])
@pytest.mark.parametrize("noise", [0.02, 0.05])
def test_a_tightly_cropped_bold_digit_is_read_like_any_other(bold, margin, noise):
    """Issue 9: ink is most of such a picture (up to 75 % of these), so the paper is not the majority.
    Measured: correlation with the MNIST original ≥ 0.915 (means 0.96-0.97); before, all were blank."""
    images = bold[0][:40]
    ink_share = [(np.asarray(tight_photo(d, margin, noise, seed).convert("L")) < 128).mean()
                 for seed, d in enumerate(images)]
    assert max(ink_share) > 0.6                                   # the case: mostly ink, little paper
    correlations = [aligned_corr(canvas_to_mnist(rgba(d)), image_to_mnist(tight_photo(d, margin, noise, seed)))
                    for seed, d in enumerate(images)]
    assert min(correlations) > 0.85 and np.mean(correlations) > 0.95


def test_tight_crops_of_any_digit_and_of_light_ink_on_dark_are_read(digits):
    """Little paper (5 %) around ordinary digits, and chalk-like light ink on dark: still the digit.
    Measured: correlation ≥ 0.92, means 0.965 (dark ink) and 0.95 (light ink)."""
    images = digits[0][:40]
    for dark_on_light in (True, False):
        correlations = [aligned_corr(canvas_to_mnist(rgba(d)),
                                     image_to_mnist(tight_photo(d, 0.05, 0.03, seed, dark_on_light)))
                        for seed, d in enumerate(images)]
        assert min(correlations) > 0.85 and np.mean(correlations) > 0.93


def test_official_digits_scanned_as_28x28_pictures_are_never_refused():
    """The photo path's oracle: 1,000 training digits as dark-on-white 28×28 scans all give a digit."""
    images = load_mnist()[0][0]
    for digit in images[np.random.default_rng(2).choice(len(images), 1000, replace=False)]:
        assert image_to_mnist(Image.fromarray(255 - digit)) is not None


# --- load_upload ----------------------------------------------------------------------------


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def bilevel_png(width: int, height: int) -> bytes:
    """A valid all-black 1-bit PNG written chunk by chunk: a few kB for any number of pixels."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row, packer = bytes(1 + (width + 7) // 8), zlib.compressobj(9)            # filter byte + bits
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def noise_image():
    return Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_png_and_jpeg_open_fully_decoded(noise_image, fmt):
    image = load_upload(encoded(noise_image, fmt))
    assert image.size == (64, 64) and image.format in (fmt, None)
    assert np.asarray(image).shape == (64, 64, 3)


def test_a_sideways_phone_photo_is_turned_upright():
    exif = Image.Exif()
    exif[0x0112] = 6                                             # "rotate 90° clockwise to view"
    assert load_upload(encoded(Image.new("L", (40, 20), 255), "JPEG", exif=exif)).size == (20, 40)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_formats_are_refused(noise_image, fmt):
    with pytest.raises(UploadError, match=r"^This file is not a PNG or JPEG image\.$"):
        load_upload(encoded(noise_image, fmt))


@pytest.mark.parametrize("data", [b"", np.random.default_rng(0).bytes(5000), b"\x89PNG\r\n\x1a\n junk"],
                         ids=["empty", "random", "png-signature"])
def test_non_images_are_refused(data):
    with pytest.raises(UploadError, match=r"^This file is not a PNG or JPEG image\.$"):
        load_upload(data)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_images_are_refused(noise_image, fmt):
    data = encoded(noise_image, fmt)
    with pytest.raises(UploadError, match=r"^This image is damaged or incomplete\.$"):
        load_upload(data[:len(data) // 2])


def test_the_crafted_png_is_valid():
    assert load_upload(bilevel_png(300, 200)).size == (300, 200)


def test_an_image_over_the_limit_is_refused_before_decoding():
    data = bilevel_png(5000, 5000)                               # 25 Mpx in about 5 kB
    assert len(data) < 50_000
    with pytest.raises(UploadError, match=r"^This image is 5000×5000 pixels; the limit is 4096×4096 pixels\.$"):
        load_upload(data)
    with pytest.raises(UploadError, match=r"the limit is 1,000 pixels\.$"):
        load_upload(bilevel_png(50, 30), max_pixels=1000)


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) claims width × height pixels."""
    data = bytearray(encoded(Image.new("L", (16, 16)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def test_a_decompression_bomb_is_refused():
    for side in (10000, 20000):                                  # a PNG's header is read by hand:
        with warnings.catch_warnings():                          # Pillow never sees it, so never warns
            warnings.simplefilter("error")
            with pytest.raises(UploadError, match=f"^This image is {side}×{side} pixels; the limit is 4096×4096"):
                load_upload(bilevel_png(side, side))
    with pytest.raises(UploadError, match=r"^This image is far too large; the limit is 4096×4096 pixels\.$"):
        load_upload(jpeg_claiming(20000, 20000))                 # 400 Mpx: PIL's own guard fires first
    data = jpeg_claiming(10000, 10000)                           # 100 Mpx: PIL only warns, we refuse
    with pytest.warns(Image.DecompressionBombWarning), pytest.raises(UploadError, match=r"^This image is 10000×10000"):
        load_upload(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                           # as under `python -W error`
        with pytest.raises(UploadError, match=r"^This image is far too large"):
            load_upload(data)


# --- THE KEY TEST: does preprocessing let the network read what people draw? -------------------


@pytest.fixture(scope="module")
def cnn():
    return load_model_file(MODELS_DIR / "cnn.keras")


def accuracy(model, batch, labels: np.ndarray) -> float:
    x = np.asarray(batch, np.float32)[..., None]                               # (N, 28, 28, 1)
    return float((np.asarray(model.predict_on_batch(x)).argmax(axis=1) == labels).mean())


def test_mnist_way_keeps_the_cnns_accuracy_and_plain_resize_loses_it(digits, cnn):
    """1,000 official digits redrawn 3×–10× at random places on a 280×280 canvas.

    Measured with the shipped CNN: originals 99.2 %, MNIST way 99.1 %, plain resize 66.7 % (and
    97.9 / 97.9 / 47.8 % with a 1-epoch CNN trained without augmentation).
    """
    images, labels = digits
    canvases = list(random_canvases(images))
    original = accuracy(cnn, images / 255, labels)
    assert abs(accuracy(cnn, [canvas_to_mnist(c) for c in canvases], labels) - original) <= 0.01
    assert accuracy(cnn, [plain_resize(c) for c in canvases], labels) <= original - 0.20


def test_photos_of_the_redrawn_digits_read_as_well_as_the_originals(digits, cnn):
    """The same canvases as dark ink on shaded, noisy JPEG paper (see `shaded`), through image_to_mnist.

    Measured with the shipped CNN: originals 97.5 %, photos 97.0 % (the first 200 are harder ones).
    """
    images, labels = digits[0][:200], digits[1][:200]
    photos = [shaded(255 - c[..., 0], 0.03, seed) for seed, c in enumerate(random_canvases(images))]
    original = accuracy(cnn, images / 255, labels)
    assert accuracy(cnn, [image_to_mnist(p) for p in photos], labels) >= original - 0.02


def test_tight_crops_of_bold_digits_read_as_well_as_the_originals(bold, cnn):
    """The 100 boldest test digits as tight, noisy, shaded JPEG crops (5 % paper) through image_to_mnist.

    Measured with the shipped CNN: originals 99 %, tight crops 99 % (before: 98 of 100 came out blank)."""
    images, labels = bold
    photos = [image_to_mnist(tight_photo(d, 0.05, 0.03, seed)) for seed, d in enumerate(images)]
    assert accuracy(cnn, photos, labels) >= accuracy(cnn, images / 255, labels) - 0.03


def test_a_circle_with_a_cross_is_no_digit_yet_the_cnn_names_one_and_the_draw_page_says_why(trained_cnn):
    """The lesson's case: the check cannot refuse it (it is ink shaped like a digit), and a model must answer."""
    from ui.lesson import one_of_ten

    big = Image.new("L", (1600, 1600))
    pen = ImageDraw.Draw(big)
    pen.ellipse([400, 400, 1200, 1200], outline=255, width=72)  # 18 px on the 400-px canvas
    pen.line([(520, 520), (1080, 1080)], fill=255, width=72)
    pen.line([(1080, 520), (520, 1080)], fill=255, width=72)
    image = canvas_to_mnist(rgba(np.asarray(big.resize((400, 400), Image.Resampling.BOX))), 18)
    probabilities = {"cnn": np.asarray(trained_cnn.predict_on_batch(image[None, ..., None]))[0]}
    assert all(p.size == 10 and p.sum() == pytest.approx(1, abs=1e-4) and p.max() > 0.5 for p in probabilities.values())
    assert one_of_ten(probabilities).startswith(
        "Each network must answer one of its 10 digits: its 10 probabilities always add up to 100%.")
