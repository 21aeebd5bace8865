"""Peak memory of reading uploads: one 4096×4096 image, and four at once, from bytes to the 28×28 digit.

Each case runs in a fresh process (`python -c`) that reports its peak RSS (VmHWM) before and after reading
the upload the way the Draw page does (`image_to_mnist(load_upload(data))`). A 65 KB 4096×4096 PNG used to
cost 208 MB of peak memory and four at once 526 MB (issue 30); uploads are now decoded at most
DECODES_AT_ONCE at a time, JPEGs at a reduced scale, and every picture shrunk before its float arithmetic.

    python -m bench.decode_memory
"""

import argparse
import os
import subprocess
import sys

from bench.record import ROOT, Figure

CASES = {"png_grey_4096": ("one 4096×4096 grey PNG", "png(4096, 4096, colour=0)", 1),
         "png_grey_4096_x4": ("four 4096×4096 grey PNGs at once", "png(4096, 4096, colour=0)", 4),
         "png_rgba_4096": ("one 4096×4096 RGBA PNG (refused: 64 MB decoded)", "png(4096, 4096)", 1),
         "jpeg_4000x3000": ("one 4000×3000 JPEG photo", "photo(4000, 3000)", 1),
         "jpeg_4000x3000_x4": ("four 4000×3000 JPEG photos at once", "photo(4000, 3000)", 4)}
# tests/app/test_input_hardening.py holds the four-PNG case to its target, in its own process
TARGETS = {"png_grey_4096.rise": "<= 60 MB", "png_grey_4096_x4.rise": "<= 100 MB"}

CHILD = """
import io, sys, threading
sys.path.insert(0, {root!r})
import numpy as np
from PIL import Image
from tests.support.images import png
from mnist_core.drawing.check import NotADigit
from mnist_core.drawing.decode import UploadError, load_upload
from mnist_core.drawing.prepare import image_to_mnist

def peak_mb():
    return int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024

def photo(width, height):  # a dark stroke on light, noisy paper, as a phone would save it
    pixels = np.random.default_rng(0).integers(200, 256, (height, width), np.uint8)
    pixels[height // 4: 3 * height // 4, width // 2 - width // 40: width // 2 + width // 40] = 20
    out = io.BytesIO()
    Image.fromarray(pixels).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()

def read(data, outcome):
    try:
        image_to_mnist(load_upload(data))
        outcome.append("read")
    except (UploadError, NotADigit) as err:
        outcome.append(f"refused: {{err}}")

data = {make}
read(png(64, 64, colour=0), [])  # warm: code paths loaded
before, outcome = peak_mb(), []
threads = [threading.Thread(target=read, args=(data, outcome)) for _ in range({copies})]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(f"{{len(data) / 1e3:.0f}}\\t{{before:.0f}}\\t{{peak_mb():.0f}}\\t{{outcome[0]}}")
"""


def measure(make: str, copies: int) -> tuple[float, float, float, str]:
    """(upload KB, peak RSS before MB, after MB, the first outcome) in a fresh process with the server's
    two malloc arenas (MALLOC_ARENA_MAX=2, as docs/hosting.md asks)."""
    code = CHILD.format(root=str(ROOT), make=make, copies=copies)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "MALLOC_ARENA_MAX": "2"})
    size, before, after, outcome = out.stdout.strip().splitlines()[-1].split("\t")
    return float(size), float(before), float(after), outcome


def parser() -> argparse.ArgumentParser:
    """Its options (none; also `python -m bench run decode_memory -- --help`)."""
    return argparse.ArgumentParser(description=__doc__.splitlines()[0])


def main(argv: list[str] | None = None) -> dict[str, Figure]:
    """Print a table; return each case's rise of peak RSS."""
    parser().parse_args(argv)
    print("case\tupload (KB)\tpeak RSS before (MB)\tafter (MB)\trise (MB)\toutcome")
    figures = {}
    for key, (name, make, copies) in CASES.items():
        size, before, after, outcome = measure(make, copies)
        print(f"{name}\t{size:.0f}\t{before:.0f}\t{after:.0f}\t{after - before:+.0f}\t{outcome}", flush=True)
        figures[f"{key}.rise"] = Figure(after - before, "MB", TARGETS.get(f"{key}.rise"))
    return figures


if __name__ == "__main__":
    main()
