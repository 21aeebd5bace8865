"""From pressing Stop to the run listed as ended, on the real Train page in a real browser.

    python -m bench.stop_latency --repeats 5

Each round opens the Train page, picks a preset (`--preset`; by default the longest, so that Stop comes
mid-run: "Quick look" now trains in about 2.5 s here), waits `--choose` seconds (a visitor
choosing settings; the server meanwhile warms up a training process), presses Start and times
"Preparing" (until the page shows the first epoch), lets it train 2 s, presses Stop, and times until
the page lists the run among "Your runs" (which happens once it has ended). Targets: the stop shows in
the run table within 1 s (the hardening issue); Preparing ≤ 2 s median (the training issue).
"""

import argparse
import statistics
import time

from bench.record import Figure
from mnist_core.training.config import PRESETS
from tests.support.harness import chromium, new_page, start_server

TARGETS = {"stop_max": "<= 1000 ms", "preparing_median": "<= 2 s"}


def one_stop(page, url: str, preset: str, choose_s: float) -> tuple[float, float]:
    """(seconds Preparing, seconds from Stop to the run listed as ended)."""
    page.goto(f"{url}/train")
    page.get_by_role("button", name=preset).click()
    page.wait_for_timeout(choose_s * 1000)
    page.get_by_role("button", name="Start training").click()
    clicked = time.perf_counter()
    page.get_by_text("Epoch 1/").first.wait_for(timeout=300_000)
    preparing = time.perf_counter() - clicked
    page.wait_for_timeout(2000)
    page.get_by_role("button", name="Stop training").click()
    start = time.perf_counter()
    page.get_by_text("Your runs").wait_for(timeout=120_000)
    return preparing, time.perf_counter() - start


def parser() -> argparse.ArgumentParser:
    """Its options (also `python -m bench run NAME -- --help`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--choose", type=float, default=10, help="seconds on the Train page before Start")
    parser.add_argument("--preset", choices=list(PRESETS), default=list(PRESETS)[-1])
    return parser


def main(argv: list[str] | None = None) -> dict[str, Figure]:
    """Print each round; return Stop's median and max and Preparing's median and max."""
    args = parser().parse_args(argv)
    preparing, seconds = [], []
    with start_server() as server, chromium() as browser:
        for i in range(args.repeats):  # a fresh visitor each time, so "Your runs" is new each time
            page = new_page(browser)
            prepared, stopped = one_stop(page, server.url, args.preset, args.choose)
            preparing.append(prepared)
            seconds.append(stopped)
            print(f"round {i}: preparing {prepared:.1f} s, stop {stopped * 1000:.0f} ms", flush=True)
            page.context.close()
    print(f"Stop to the run listed as ended, {len(seconds)} rounds: median {statistics.median(seconds) * 1000:.0f} ms, "
          f"max {max(seconds) * 1000:.0f} ms (target {TARGETS['stop_max']}); Preparing median "
          f"{statistics.median(preparing):.1f} s, max {max(preparing):.1f} s (target {TARGETS['preparing_median']})")
    return {"stop_median": Figure(statistics.median(seconds) * 1000, "ms"),
            "stop_max": Figure(max(seconds) * 1000, "ms", TARGETS["stop_max"]),
            "preparing_median": Figure(statistics.median(preparing), "s", TARGETS["preparing_median"]),
            "preparing_max": Figure(max(preparing), "s")}


if __name__ == "__main__":
    main()
