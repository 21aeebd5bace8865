"""A class on one server: N visitors drawing while one trains, through the real server and real browsers.

    python -m bench.class_load --drawers 10
    python -m bench.class_load --drawers 1 3 5 10     # how many visitors this machine holds
    python -m bench.class_load --drawers 10 --think 3 # drawers who look at each verdict for 3 s
    python -m bench.class_load --drawers 10 20 --browsers 1 --think 3  # the others replay one's messages

One headless Chromium, one browser context per visitor. The trainer (the teacher) opens the Train page
and picks a preset (`--preset`, by default the quickest, "Quick look"); 20 s later the drawers open Draw;
20 s after that the trainer presses Start, and every drawer, until the run has ended, draws a stroke,
waits for all the verdicts, and clears (after `--think` seconds: none by default, a worst case; a student
reading the verdicts takes seconds; the drawers' first strokes are then spread over that time). The
browsers run on the server's own two cores, as a class's devices would not: the CPU each kind of process
used during the run is printed.
`--browsers K` keeps K drawers in Chromium and makes the others replay, over websockets of their own, the
messages a real Chromium sent for its strokes (`bench.drawers`, recorded on the same server first): the
server does for them what it does for a browser, while their drawing costs this machine next to nothing,
as a class's own devices would; their stroke to verdict is timed to the last verdict's arrival, the
browser drawers' to its appearance on screen, and both are reported.

Reported per round: stroke to verdict (median, p95, max, and strokes whose verdicts never came within
30 s), "Preparing" (from Start to the first progress on the trainer's page) and training (from there to the
run listed as ended), both as the trainer's page showed them, against the same config trained alone by
the engine in a fresh process (the CLI's path; its `seconds`, as the CLI prints them) right before and right
after each round (their mean), and for several rounds the median of those ratios. Targets (the training issue):
with 10 drawers, every verdict shown, p95 ≤ 1 s, Preparing ≤ 2 s median, the page's run within 1.25× of
the CLI's time.
"""

import argparse
import asyncio
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.async_api import async_playwright

from bench.drawers import drawer, record, replayed_drawer
from bench.processes import KINDS, cpu_seconds
from bench.record import ROOT, Figure
from mnist_core.training.config import PRESETS
from mnist_core.training.device import fastest_precision
from tests.support.harness import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, start_server

# The training issue's targets, for a class of CLASS drawers: rounds of more (how many this machine holds) carry no
# target on their strokes. Each round's figures are named round<i>.<kind>.<figure>.
CLASS = 10
TARGETS = {"<round>.<kind>.p95": "<= 1000 ms", "<round>.<kind>.never_shown": "<= 0",
           "preparing_median": "<= 2 s", "page_over_alone_median": "<= 1.25"}
ALONE = ("import sys, dataclasses; from mnist_core.training.config import PRESETS; "
         "from mnist_core.training.engine import train; "
         "c = dataclasses.replace(PRESETS[sys.argv[1]], precision=sys.argv[2]); print(train(c).seconds)")


def alone_seconds(preset: str) -> float:
    """The preset trained by the engine alone in a fresh process, as the CLI trains it."""
    done = subprocess.run([sys.executable, "-c", ALONE, preset, fastest_precision()], cwd=ROOT, check=True,
                          capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return float(done.stdout.split()[-1])


def chromium(nice: int) -> str:
    """Debian's Chromium, or a wrapper that starts it at niceness `nice` (its renderers inherit it)."""
    if not nice:
        return str(CHROMIUM)
    wrapper = Path(tempfile.gettempdir()) / f"chromium-nice-{nice}"
    wrapper.write_text(f'#!/bin/sh\nexec nice -n {nice} {CHROMIUM} "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


async def trainer(context, url: str, preset: str, training_over: asyncio.Event, ready: asyncio.Event) -> dict:
    page = await context.new_page()
    await page.goto(f"{url}/train")
    await page.get_by_role("button", name=preset).click()
    await page.wait_for_timeout(2000)
    await ready.wait()  # every drawer has its canvas
    await page.get_by_role("button", name="Start training").click()
    clicked = time.perf_counter()
    await page.get_by_text("Epoch 1/").first.wait_for(timeout=600_000)
    began = time.perf_counter()
    await page.get_by_text("Your runs").wait_for(timeout=900_000)
    training_over.set()
    return {"preparing": began - clicked, "training": time.perf_counter() - began}


async def one_round(url: str, args: argparse.Namespace, drawers: int, replayed: int, server: int) -> dict:
    preset, think = args.preset, args.think
    recording = await record(url) if replayed else None
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium(args.browser_nice), args=CHROMIUM_ARGS)
        contexts = [await browser.new_context(viewport=VIEWPORT)
                    for _ in range(drawers - replayed + 1)]
        over, ready = asyncio.Event(), asyncio.Event()
        seconds, lost = {"browser": [], "replayed": []}, {"browser": [], "replayed": []}
        train_task = asyncio.create_task(trainer(contexts[0], url, preset, over, ready))
        await asyncio.sleep(20)  # the teacher has the Train page open before the class arrives
        draw_tasks = []
        for i in range(drawers):
            kind = "replayed" if i >= drawers - replayed else "browser"
            where = recording if kind == "replayed" else contexts[1 + i]
            draw = replayed_drawer if kind == "replayed" else drawer
            draw_tasks.append(asyncio.create_task(draw(where, url, over, seconds[kind], lost[kind], f"{kind} {i}",
                                                       think, ready, (think + 0.3) * i / drawers)))
        await asyncio.sleep(20)  # the drawers open Draw and load the models first
        ready.set()
        cpu_before, wall = cpu_seconds(server), time.perf_counter()
        result = await train_task
        cpu = {kind: used - cpu_before[kind] for kind, used in cpu_seconds(server).items()}
        cpu["available"] = (os.cpu_count() or 1) * (time.perf_counter() - wall)
        await asyncio.gather(*draw_tasks)
        await browser.close()
    return {**result, "seconds": seconds, "lost": lost, "cpu": cpu}


def stroke_figures(seconds: list[float], lost: int, held: bool) -> dict[str, Figure]:
    """Verdicts, how many never came, and the median, p95 and max stroke to verdict (ms); `held` to TARGETS."""
    s = sorted(seconds) or [float("nan")]
    p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
    target = TARGETS.get if held else lambda _: None
    return {"verdicts": Figure(len(seconds)), "never_shown": Figure(lost, "", target("<round>.<kind>.never_shown")),
            "median": Figure(statistics.median(s) * 1000, "ms"),
            "p95": Figure(p95 * 1000, "ms", target("<round>.<kind>.p95")), "max": Figure(s[-1] * 1000, "ms")}


def summary(figures: dict[str, Figure]) -> str:
    f = {key: figure.value for key, figure in figures.items()}
    return (f"{f['verdicts']:.0f} verdicts, {f['never_shown']:.0f} never shown; stroke to verdict median "
            f"{f['median']:.0f} ms, p95 {f['p95']:.0f} ms, max {f['max']:.0f} ms")


def parser() -> argparse.ArgumentParser:
    """Its options (also `python -m bench run NAME -- --help`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drawers", type=int, nargs="+", default=[10])
    parser.add_argument("--think", type=float, default=0.0, help="seconds a drawer looks at the verdicts")
    parser.add_argument("--browsers", type=int, help="drawers in Chromium (default: all); the others replay "
                        "a real Chromium's messages (bench.drawers)")
    parser.add_argument("--preset", choices=list(PRESETS), default=next(iter(PRESETS)),
                        help="what the teacher trains (default: the quickest, the Train page's first)")
    parser.add_argument("--browser-nice", type=int, default=0, help="run the round's Chromium at this niceness "
                        "(19: it gets only what the server and the training process leave, as if elsewhere)")
    return parser


def main(argv: list[str] | None = None) -> dict[str, Figure]:
    """Print each round; return its figures (round<i>.…) and, over the rounds, Preparing and page / alone."""
    args = parser().parse_args(argv)
    print(f"{args.preset}: {dataclasses.replace(PRESETS[args.preset], precision=fastest_precision())}", flush=True)
    alone, figures = [alone_seconds(args.preset)], {}
    for i, n in enumerate(args.drawers, 1):
        replayed = 0 if args.browsers is None else max(0, n - max(0, args.browsers))
        with start_server() as server:
            r = asyncio.run(one_round(server.url, args, n, replayed, server.pid))
        # Again after each round: on a shared machine it drifts by tens of percent, so each round is set against
        # the mean of the engine's runs just before and just after it.
        alone.append(alone_seconds(args.preset))
        mine = {"drawers": Figure(n), "replayed": Figure(replayed), "preparing": Figure(r["preparing"], "s"),
                "training": Figure(r["training"], "s"), "alone": Figure((alone[-2] + alone[-1]) / 2, "s"),
                "page_over_alone": Figure(r["training"] / ((alone[-2] + alone[-1]) / 2))}
        niced = f", Chromium at nice {args.browser_nice}" if args.browser_nice else ""
        print(f"{n} drawers ({replayed} replayed; think {args.think:g} s{niced}): preparing {r['preparing']:.1f} s; "
              f"training as the page showed it {r['training']:.1f} s, alone by the engine just before and after "
              f"{alone[-2]:.1f} and {alone[-1]:.1f} s: {mine['page_over_alone'].value:.2f}×", flush=True)
        figures.update({f"round{i}.{key}": figure for key, figure in {**mine, **report(r, held=n <= CLASS)}.items()})
    return {**figures, **over_rounds(figures, alone)}


def over_rounds(figures: dict[str, Figure], alone: list[float]) -> dict[str, Figure]:
    """The median Preparing and page / alone over the rounds, printed when there are several."""
    ratios = [f.value for key, f in figures.items() if key.endswith(".page_over_alone")]
    preparing = [f.value for key, f in figures.items() if key.endswith(".preparing")]
    if len(ratios) > 1:
        print(f"page / alone over {len(ratios)} rounds: median {statistics.median(ratios):.2f}× "
              f"({min(ratios):.2f}–{max(ratios):.2f}×); the engine alone {min(alone):.1f}–{max(alone):.1f} s; "
              f"Preparing median {statistics.median(preparing):.1f} s", flush=True)
    return {"preparing_median": Figure(statistics.median(preparing), "s", TARGETS["preparing_median"]),
            "page_over_alone_median": Figure(statistics.median(ratios), "", TARGETS["page_over_alone_median"])}


def report(r: dict, held: bool) -> dict[str, Figure]:
    """Print stroke to verdict for each kind of drawer and for all, then the CPU each kind of process used;
    return them as figures (`browser.p95`, `all.median`, `cpu.server` …)."""
    figures = {}
    for kind, seconds in r["seconds"].items():
        if seconds or r["lost"][kind]:
            mine = stroke_figures(seconds, len(r["lost"][kind]), held)
            print(f"  {kind} drawers: {summary(mine)}", flush=True)
            figures.update({f"{kind}.{key}": figure for key, figure in mine.items()})
    every = [t for seconds in r["seconds"].values() for t in seconds]
    if every and all(r["seconds"].values()):  # both kinds drew
        mine = stroke_figures(every, sum(map(len, r["lost"].values())), held)
        print(f"  all drawers: {summary(mine)}", flush=True)
        figures.update({f"all.{key}": figure for key, figure in mine.items()})
    cpu = r["cpu"]
    print(f"  CPU from Start to the run's end, of {cpu['available']:.0f} core-seconds: " + ", ".join(
        f"{kind} {cpu[kind] / cpu['available']:.0%}" for kind in KINDS), flush=True)
    return {**figures, **{f"cpu.{kind}": Figure(100 * cpu[kind] / cpu["available"], "%") for kind in KINDS}}


if __name__ == "__main__":
    main()
