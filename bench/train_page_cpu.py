"""What watching a run costs: the CPU of the Train page's browser, the server and the training process.

    python -m bench.train_page_cpu --seconds 20

The real server and headless Chromium at 1280×720: the "Reach 99 %" preset (the CNN: 32 kernels on the
page) is started from the page, and once its first epoch shows, the CPU each kind of process uses over
`--seconds`, or until the run ends if sooner, is printed in cores (1.0 = one core busy). The page redraws
its progress, curves, strip of test digits and kernels once a second; what its browser takes, the run
cannot have on a shared machine.
"""

import argparse
import contextlib
import os
import sys
import time

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from bench.class_load import cpu_seconds
from bench.memory import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, start_server, stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--screenshot", help="a PNG of the page's learning view, taken after the measurement")
    args = parser.parse_args()
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    port = free_port()
    server = start_server(sys.executable, ROOT, {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, port)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
            page.goto(f"http://127.0.0.1:{port}/train")
            page.get_by_role("button", name="Reach 99 %").click()
            page.wait_for_timeout(12_000)  # the training process warms up and prepares the preset
            page.get_by_role("button", name="Start training").click()
            page.get_by_text("Epoch 1/").first.wait_for(timeout=120_000)
            page.wait_for_timeout(1_000)  # the strip and kernels have appeared
            before, start = cpu_seconds(server.pid), time.perf_counter()
            ended = page.get_by_text("Your runs")  # listed once the run has ended
            with contextlib.suppress(PlaywrightTimeout):
                ended.wait_for(timeout=args.seconds * 1000)
            after, wall = cpu_seconds(server.pid), time.perf_counter() - start
            if args.screenshot:
                page.mouse.wheel(0, 700)
                page.wait_for_timeout(1_500)
                page.screenshot(path=args.screenshot)
            if not ended.is_visible():
                page.get_by_role("button", name="Stop training").click()
                page.wait_for_timeout(3_000)
            browser.close()
    finally:
        stop(server)
    print(f"over {wall:.0f} s of the run, in cores: " + ", ".join(
        f"{kind} {(after[kind] - before[kind]) / wall:.2f}" for kind in ("browsers", "server", "training", "other")))
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
