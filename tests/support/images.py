"""Synthetic inputs that tests (and bench/canvas_bomb.py) build: PNG bytes of any size cheaply, the data URL a
canvas sends, and seeded random drawings."""

import base64
import functools
import struct
import zlib

import numpy as np

CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # samples per pixel of each PNG colour type


@functools.cache  # bytes are immutable: the 10000² and 20000² ones are built once (≈ 1.3 s each)
def png(width: int, height: int, depth: int = 8, colour: int = 6, extra: bytes = b"") -> bytes:
    """An all-zero PNG written chunk by chunk, so a 10000×10000 one costs a few MB to make, not 400."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row, packer = bytes(1 + (width * CHANNELS[colour] * depth + 7) // 8), zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0))
    palette = chunk(b"PLTE", bytes(3)) if colour == 3 else b""
    return b"\x89PNG\r\n\x1a\n" + header + palette + extra + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def drawing(i: int) -> np.ndarray:
    """The `i`-th of a reproducible series of 28×28 drawings, floats in [0, 1)."""
    return np.random.default_rng(i).random((28, 28))
