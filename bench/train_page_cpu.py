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
import time

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.processes import KINDS, cpu_seconds
from bench.record import Figure
from tests.support.harness import chromium, new_page, start_server


def parser() -> argparse.ArgumentParser:
    """Its options (also `python -m bench run NAME -- --help`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--screenshot", help="a PNG of the page's learning view, taken after the measurement")
    return parser


def main(argv: list[str] | None = None) -> dict[str, Figure]:
    """Print and return the cores each kind of process used while the page showed the run, and over how long."""
    args = parser().parse_args(argv)
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    with start_server() as server:
        before, after, wall = watch(server.pid, server.url, args.seconds, args.screenshot)
    cores = {kind: (after[kind] - before[kind]) / wall for kind in KINDS}
    print(f"over {wall:.0f} s of the run, in cores: " + ", ".join(f"{kind} {cores[kind]:.2f}" for kind in KINDS))
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return {"seconds": Figure(wall, "s"), **{kind: Figure(cores[kind], "cores") for kind in KINDS}}


def watch(pid: int, url: str, seconds: float, screenshot: str | None) -> tuple[dict, dict, float]:
    """The Train page starts "Reach 99 %"; CPU seconds per kind of process once its first epoch shows and
    `seconds` later (or at the run's end), and the wall time between."""
    with chromium() as browser:
        page = new_page(browser)
        page.goto(f"{url}/train")
        page.get_by_role("button", name="Reach 99 %").click()
        page.wait_for_timeout(12_000)  # the training process warms up and prepares the preset
        page.get_by_role("button", name="Start training").click()
        page.get_by_text("Epoch 1/").first.wait_for(timeout=120_000)
        page.wait_for_timeout(1_000)  # the strip and kernels have appeared
        before, start = cpu_seconds(pid), time.perf_counter()
        ended = page.get_by_text("Your runs")  # listed once the run has ended
        with contextlib.suppress(PlaywrightTimeout):
            ended.wait_for(timeout=seconds * 1000)
        after, wall = cpu_seconds(pid), time.perf_counter() - start
        if screenshot:
            page.mouse.wheel(0, 700)
            page.wait_for_timeout(1_500)
            page.screenshot(path=screenshot)
        if not ended.is_visible():
            page.get_by_role("button", name="Stop training").click()
            page.wait_for_timeout(3_000)
    return before, after, wall


if __name__ == "__main__":
    main()
