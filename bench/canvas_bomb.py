"""The canvas memory bomb: peak RSS of decoding a tampered canvas value, the library's way and ours.

A tampered browser can send any PNG as the drawing. streamlit-drawable-canvas 0.13.0's
`CanvasResult.image_data` decodes it as `np.asarray(Image.open(io.BytesIO(base64.b64decode(...))))`
(the two lines are reproduced here: the package cannot be imported outside `streamlit run`);
ui/canvas.py reads the data URL's base64 bytes itself and hands them to `mnist_core.image_bytes.decode_canvas_png`.
Each case runs in a fresh process and reports its peak RSS (VmHWM) before and after decoding.

    python bench/canvas_bomb.py              # both ways (the library's needs ≈ 7 GB free memory)
    python bench/canvas_bomb.py --ours-only
"""

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = [("one 10000×10000 RGBA", 10000, 6, 1), ("one 20000×20000 grey", 20000, 0, 1),
         ("three 10000×10000 RGBA at once", 10000, 6, 3)]

CHILD = """
import base64, io, sys, threading
sys.path.insert(0, {root!r})
import numpy as np
from PIL import Image
from tests.test_input_hardening import data_url, png
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours-only", action="store_true", help="skip the library's way (GBs of memory)")
    args = parser.parse_args()
    ways = ["ours"] if args.ours_only else ["library", "ours"]
    print("case\tvalue sent (MB)\tway\tpeak RSS before (MB)\tafter (MB)\trise (MB)\toutcome")
    for name, side, colour, copies in CASES:
        for way in ways:
            size, before, after, outcome = measure(way, side, colour, copies)
            print(f"{name}\t{size}\t{way}\t{before:.0f}\t{after:.0f}\t{after - before:+.0f}\t{outcome}", flush=True)


if __name__ == "__main__":
    main()
