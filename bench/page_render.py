"""Render time of each look-inside page once the models are cached: median seconds per page.

    python -m bench.page_render --runs 5

Runs app.py under Streamlit's AppTest, switches to each page, runs it once more to warm every cache
(models, test set, Keras graphs), then times --runs reruns. Target: ≤ 1 s per page. AppTest times the
script run on the server; it leaves out the browser drawing the charts.
"""

import argparse
import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.record import Figure

APP = Path(__file__).resolve().parent.parent / "app.py"
PAGES = ["app_pages/convolution.py", "app_pages/filters.py", "app_pages/mlp_vs_cnn.py", "app_pages/saliency.py"]
TARGETS = {"<page>": "<= 1 s"}  # every page's median


def page_seconds(path: str, runs: int) -> list[float]:
    """Seconds for each of `runs` warm reruns of one page."""
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page(path).run()
    at.run()  # warm-up: first calls trace the Keras graphs
    if at.exception:
        raise RuntimeError(f"{path} raised: {[e.value for e in at.exception]}")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return times


def parser() -> argparse.ArgumentParser:
    """Its options (also `python -m bench run NAME -- --help`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    return parser


def main(argv: list[str] | None = None) -> dict[str, Figure]:
    """Print and return each page's median rerun, named by its file (`filters`)."""
    args = parser().parse_args(argv)
    figures = {}
    for path in PAGES:
        times = page_seconds(path, args.runs)
        median = statistics.median(times)
        print(f"{path:24s} median {median:.3f} s  (min {min(times):.3f}, max {max(times):.3f}, "
              f"{args.runs} runs)  target {TARGETS['<page>']}")
        figures[Path(path).stem] = Figure(median, "s", TARGETS["<page>"])
    return figures


if __name__ == "__main__":
    main()
