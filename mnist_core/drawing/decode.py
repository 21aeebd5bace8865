"""Visitors' image bytes → decoded pictures, with every size and format checked before a pixel is decoded.

Two doors share these limits: an uploaded photo (PNG or JPEG, at most MAX_PIXELS) and the drawing
canvas's value, a PNG that the browser encodes and that a tampered client can replace with anything.
A PNG's text and colour-profile chunks are dropped before Pillow reads them: Pillow would inflate
up to 64 MB of compressed text per file, and a digit needs none of it.

An upload is also bounded in memory, not only in pixels: a JPEG is decoded at a reduced scale (its DCT
allows 1/2 to 1/8) to about UPLOAD_SIDE a side, a PNG whose decoded pixels would need more than
MAX_DECODED_BYTES is refused from its header, every upload is shrunk to UPLOAD_SIDE² pixels before the
float arithmetic of `prepare`, and at most DECODES_AT_ONCE uploads are decoded at once in the server. Before,
one 65 KB 4096×4096 PNG cost 208 MB of peak memory and four at once 526 MB (bench/memory_guard.py).
"""

import io
import math
import struct
import threading
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageOps

from mnist_core.i18n import N_, _, integer, ngettext

MAX_PIXELS = 4096 * 4096  # below PIL's bomb warning (89 Mpx), so no warnings filter (global, not
                          # thread-safe) is needed: bigger headers are refused before decoding
UPLOAD_FORMATS = ("PNG", "JPEG")
UPLOAD_SIDE = 512  # an upload is read at most UPLOAD_SIDE² pixels in area: plenty for a 28×28 digit
MAX_DECODED_BYTES = 32 * 2**20  # as Pillow holds the pixels: 1 byte per pixel for grey, 4 for any colour
DECODES_AT_ONCE, DECODE_WAIT_S = 2, 30.0  # uploads decoded at once in the server; how long one waits its turn
_DECODING = threading.BoundedSemaphore(DECODES_AT_ONCE)  # the server's, on purpose: it bounds all visitors
CANVAS_SCALE = 3  # streamlit-drawable-canvas 0.13.0 sends its own size (toDataURL, multiplier 1): measured
                  # 280×280 in Chromium at devicePixelRatio 1, 2 and 3. A frontend that scaled by the
                  # pixel ratio would send up to 3× each side (phones); more is never a drawing.
COLOUR_TYPES = {0: N_("grey"), 2: "RGB", 3: N_("palette"), 4: N_("grey + alpha"), 6: "RGBA"}  # PNG's, by number
CANVAS_COLOURS = (0, 2, 4, 6)  # 8-bit only. Browsers send RGBA; a canvas never sends 16-bit or palette
# pixels, and grey or RGB convert losslessly once the size is known to be a canvas's (≤ 2.8 MB).
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_KEPT = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"eXIf"}  # pixels, palette, transparency, rotation


class UploadError(ValueError):
    """An upload or a canvas value cannot be used; the message is one sentence meant for the user."""


def load_upload(data: bytes, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Open uploaded bytes as a decoded, upright PNG or JPEG of at most UPLOAD_SIDE² pixels; any problem →
    UploadError (also when other visitors' uploads keep the decoder busy for DECODE_WAIT_S)."""
    if not _DECODING.acquire(timeout=DECODE_WAIT_S):
        raise UploadError(_("The server is busy reading other images; try again in a moment."))
    try:
        image = _checked_open(data, UPLOAD_FORMATS, _limit(max_pixels), lambda w, h: w * h > max_pixels,
                              reduce_to=UPLOAD_SIDE)
        try:
            image = ImageOps.exif_transpose(image)  # phones store photos sideways plus a rotation tag
        except Exception as err:
            raise UploadError(_("This image is damaged or incomplete.")) from err
        return _shrunk(image, UPLOAD_SIDE * UPLOAD_SIDE)
    finally:
        _DECODING.release()


def decode_canvas_png(data: bytes, width: int, height: int) -> np.ndarray:
    """The PNG a width × height canvas sent → (H, W, 4) uint8 RGBA; anything else → UploadError."""
    header = _png_header(data)
    if header is None:
        raise UploadError(_("The canvas sent something that is not a PNG image."))
    depth, colour = header[2:]
    if depth != 8 or colour not in CANVAS_COLOURS:
        kind = _(COLOUR_TYPES[colour]) if colour in COLOUR_TYPES else f"type-{colour}"
        # TRANSLATORS: {depth} is a bit depth such as 16; {kind} a PNG colour type such as "palette".
        raise UploadError(_("The canvas sent a {depth}-bit {kind} PNG; a canvas sends 8-bit RGBA pixels.").format(
            depth=depth, kind=kind))
    most_wide, most_high = CANVAS_SCALE * width, CANVAS_SCALE * height
    image = _checked_open(data, ("PNG",), _("{width}×{height} pixels for this canvas").format(
                          width=most_wide, height=most_high),
                          lambda w, h: w > most_wide or h > most_high)
    return np.asarray(image.convert("RGBA"))                                   # (H, W, 4)


def _checked_open(data: bytes, formats: tuple[str, ...], limit: str,
                  too_big: Callable[[int, int], bool], reduce_to: int | None = None) -> Image.Image:
    """Open `data` as one of `formats`; refuse a size that is `too_big` (a PNG's before Pillow reads
    it, a JPEG's from the header Pillow reads), and only then decode the pixels. With `reduce_to`, a JPEG
    is decoded at the smallest scale still that many pixels a side, and pixels that would need more than
    MAX_DECODED_BYTES are refused."""
    header = _png_header(data)
    if header is not None:
        _refuse_size(header[0], header[1], too_big, limit)
        data = _essential_png(data)
    try:
        image = Image.open(io.BytesIO(data), formats=formats)  # reads the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:  # the warning: under -W error
        raise UploadError(_("This image is far too large; the limit is {limit}.").format(limit=limit)) from err
    except Exception as err:
        raise UploadError(_("This file is not a {formats} image.").format(formats=_either(formats))) from err
    _refuse_size(image.width, image.height, too_big, limit)
    if reduce_to is not None:
        _reduce(image, reduce_to)
    try:
        image.load()
    except Exception as err:
        raise UploadError(_("This image is damaged or incomplete.")) from err
    return image


def _shrunk(image: Image.Image, most_pixels: int) -> Image.Image:
    """`image` at most `most_pixels` in area, proportions kept (a thin strip stays a strip)."""
    scale = math.sqrt(most_pixels / (image.width * image.height))
    if scale < 1:
        image.thumbnail((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    return image


def _reduce(image: Image.Image, side: int) -> None:
    """Decode a JPEG at a reduced scale (no other format can); refuse pixels beyond MAX_DECODED_BYTES."""
    if image.format == "JPEG":
        image.draft(image.mode, (side, side))
    held = image.width * image.height * (1 if len(image.getbands()) == 1 and image.mode in ("1", "L", "P") else 4)
    if held > MAX_DECODED_BYTES:
        # TRANSLATORS: {needed} and {limit} are amounts of memory in megabytes.
        raise UploadError(_("This image would need {needed} MB of memory to read, more than the {limit} MB allowed; "
                            "save it smaller, or as a JPEG.").format(needed=integer(math.ceil(held / 2**20)),
                                                                     limit=integer(MAX_DECODED_BYTES // 2**20)))


def _refuse_size(width: int, height: int, too_big: Callable[[int, int], bool], limit: str) -> None:
    if too_big(width, height):
        # TRANSLATORS: {limit} is a size such as "4096×4096 pixels".
        raise UploadError(_("This image is {width}×{height} pixels; the limit is {limit}.").format(
            width=width, height=height, limit=limit))


def _limit(max_pixels: int) -> str:
    side = math.isqrt(max_pixels)
    if side * side == max_pixels:
        return _("{width}×{height} pixels").format(width=side, height=side)
    return ngettext("{n} pixel", "{n} pixels", max_pixels).format(n=integer(max_pixels))


def _either(formats: tuple[str, ...]) -> str:
    """File formats as a sentence names them: "PNG", "PNG or JPEG"."""
    if len(formats) == 1:
        return formats[0]
    # TRANSLATORS: a choice of file formats: {formats} is "PNG" or "PNG, GIF", {last} is "JPEG".
    return _("{formats} or {last}").format(formats=", ".join(formats[:-1]), last=formats[-1])


def _png_header(data: bytes) -> tuple[int, int, int, int] | None:
    """A PNG's width, height, bit depth and colour type from its IHDR chunk; None if it is no PNG."""
    if len(data) < 33 or not data.startswith(_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    length, _chunk, width, height, depth, colour = struct.unpack(">I4sIIBB", data[8:26])
    return (width, height, depth, colour) if length == 13 and width > 0 and height > 0 else None


def _essential_png(data: bytes) -> bytes:
    """A PNG with only the chunks that carry its pixels; a chunk that runs past the end is kept as is,
    so Pillow reports the file as damaged."""
    kept, start = [data[:8]], 8
    while start + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[start:start + 8])
        end = start + 12 + length                                               # length, type, body, CRC
        if kind in _KEPT or end > len(data):
            kept.append(data[start:end])
        start = end
    kept.append(data[start:])
    return b"".join(kept)
