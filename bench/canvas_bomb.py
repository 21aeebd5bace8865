"""The canvas memory bomb: peak RSS of decoding a tampered canvas value, the library's way and ours.

A tampered browser can send any PNG as the drawing. streamlit-drawable-canvas 0.13.0's
`CanvasResult.image_data` decodes it as `np.asarray(Image.open(io.BytesIO(base64.b64decode(...))))`
(the two lines are reproduced here: the package cannot be imported outside `streamlit run`);
ui/canvas.py reads the data URL's base64 bytes itself and hands them to `mnist_core.drawing.decode.decode_canvas_png`.
Each case runs in a fresh process and reports its peak RSS (VmHWM) before and after decoding.

    python -m bench.canvas_bomb              # both ways (the library's needs ≈ 7 GB free memory)
    python -m bench.canvas_bomb --ours-only
"""

import argparse
import subprocess
import sys

from bench.record import ROOT, Figure

CASES = {"rgba_10000": ("one 10000×10000 RGBA", 10000, 6, 1), "grey_20000": ("one 20000×20000 grey", 20000, 0, 1),
         "rgba_10000_x3": ("three 10000×10000 RGBA at once", 10000, 6, 3)}
# tests/app/test_input_hardening.py holds ours to the same rise for the first case
TARGETS = {"<case>.ours.rise": "<= 50 MB", "<case>.ours.refused": ">= 1"}

CHILD = """
import base64, io, sys, threading
sys.path.insert(0, {root!r})
import numpy as np
from PIL import Image
from tests.support.images import data_url, png
from mnist_core.drawing.decode import UploadError, decode_canvas_png

def peak_mb():
    return int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024

def library(url):  # CanvasResult.image_data, streamlit-drawable-canvas 0.13.0
    _, encoded = url.split(";base64,", 1)
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded))))

def ours(url):  # ui/canvas.py: the data URL's base64 bytes, then the core
    return decode_canvas_png(base64.b64decode(url.split(";base64,", 1)[1]), 280, 280)

def attempt(decode, url, outcome):
    try:
        decode(url)
        outcome.append("decoded")
    except UploadError as err:
        outcome.append(f"refused: {{err}}")
    except Exception as err:
        outcome.append(f"traceback: {{type(err).__name__}}")

url = data_url(png({side}, {side}, colour={colour}))
decode = {way}
attempt(decode, data_url(png(280, 280)), [])  # warm: code paths loaded
before, outcome = peak_mb(), []
threads = [threading.Thread(target=attempt, args=(decode, url, outcome)) for _ in range({copies})]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(f"{{len(url) / 1e6:.2f}}\\t{{before:.0f}}\\t{{peak_mb():.0f}}\\t{{outcome[0]}}")
"""


def measure(way: str, side: int, colour: int, copies: int) -> tuple[str, float, float, str]:
    code = CHILD.format(root=str(ROOT), side=side, colour=colour, way=way, copies=copies)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    size, before, after, outcome = out.stdout.strip().splitlines()[-1].split("\t")
    return size, float(before), float(after), outcome


def parser() -> argparse.ArgumentParser:
    """Its options (also `python -m bench run NAME -- --help`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours-only", action="store_true", help="skip the library's way (GBs of memory)")
    return parser


def main(argv: list[str] | None = None) -> dict[str, Figure]:
    """Print a table; return each case's and way's rise of peak RSS and whether it was refused."""
    args = parser().parse_args(argv)
    ways = ["ours"] if args.ours_only else ["library", "ours"]
    print("case\tvalue sent (MB)\tway\tpeak RSS before (MB)\tafter (MB)\trise (MB)\toutcome")
    figures = {}
    for key, (name, side, colour, copies) in CASES.items():
        for way in ways:
            size, before, after, outcome = measure(way, side, colour, copies)
            print(f"{name}\t{size}\t{way}\t{before:.0f}\t{after:.0f}\t{after - before:+.0f}\t{outcome}", flush=True)
            figures[f"{key}.{way}.rise"] = Figure(after - before, "MB", TARGETS.get(f"<case>.{way}.rise"))
            figures[f"{key}.{way}.refused"] = Figure(float(outcome.startswith("refused")), "",
                                                     TARGETS.get(f"<case>.{way}.refused"))
    return figures


if __name__ == "__main__":
    main()
