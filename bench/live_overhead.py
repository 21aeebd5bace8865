"""Does live reporting slow training? The Train page's path against the CLI's, same config, one run.

    python -m bench.live_overhead --repeats 3

CLI path: `train(config, on_progress=progress_bar)` in the calling thread. Page path: a `Run` from
the server's `RunQueue`, in its worker thread while another thread polls it once a second, as the page's fragment does
(heartbeat, latest report, a copy of the whole curve). Target: page ≤ 1.10 × CLI (medians).
"""

import argparse
import contextlib
import io
import statistics
import threading

from bench.record import Figure
from mnist_core import TrainConfig
from mnist_core.train import progress_bar
from mnist_core.training.device import fastest_precision
from mnist_core.training.engine import train
from mnist_core.training.scheduler import RunQueue

TARGETS = {"page_over_cli": "<= 1.10"}
CONFIG = TrainConfig(model="cnn", epochs=2, train_size=20_000, precision=fastest_precision())


def cli_seconds() -> float:
    with contextlib.redirect_stderr(io.StringIO()):  # the bar is drawn, but not onto this report
        return train(CONFIG, on_progress=progress_bar).seconds


def page_seconds() -> float:
    job = RunQueue().submit(CONFIG)
    done = threading.Event()

    def poll() -> None:  # what the page's st.fragment(run_every=1) does each second
        while not done.wait(1.0):
            job.heartbeat()
            _ = job.latest, job.status, list(job.progress)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    job.wait()
    done.set()
    return job.seconds


def parser() -> argparse.ArgumentParser:
    """Its options (also `python -m bench run NAME -- --help`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    return parser


def main(argv: list[str] | None = None) -> dict[str, Figure]:
    """Print each repeat; return the CLI's and the page's median training time and their ratio."""
    args = parser().parse_args(argv)
    cli, page = [], []
    for i in range(args.repeats):  # alternate, so that machine noise hits both alike
        cli.append(cli_seconds())
        page.append(page_seconds())
        print(f"repeat {i}: CLI {cli[-1]:.2f} s, page {page[-1]:.2f} s", flush=True)
    ratio = statistics.median(page) / statistics.median(cli)
    print(f"config: {CONFIG}")
    print(f"median training time: CLI {statistics.median(cli):.2f} s, page {statistics.median(page):.2f} s, "
          f"ratio {ratio:.3f} (target {TARGETS['page_over_cli']})")
    return {"cli_median": Figure(statistics.median(cli), "s"), "page_median": Figure(statistics.median(page), "s"),
            "page_over_cli": Figure(ratio, "", TARGETS["page_over_cli"])}


if __name__ == "__main__":
    main()
