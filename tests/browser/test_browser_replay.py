"""The class benchmark's replayed drawers load the server as real browsers do (bench/drawers.py).

`bench.class_load --browsers 1` stands nine of ten drawers in for browsers by replaying what a real Chromium
sent; its figures mean something only if the server does the same work for them. The oracle is the browser's
own screen: a replayed stroke, on a session of its own, must come back with the very verdicts (model and
reading and the next two guesses, to the tenth of a percent) that Chromium showed for that stroke, and a
replayed Clear must empty it.
"""

import asyncio
import threading

from bench.drawers import ROUNDS, Recording, Replayed, record
from mnist_core import MODELS
from mnist_core.models.registry import display_name


def run_in_thread(coroutine):
    """Run an asyncio coroutine on a thread of its own (the session's sync Playwright owns this one's loop)."""
    result = {}

    def run() -> None:
        try:
            result["value"] = asyncio.run(coroutine)
        except BaseException as err:  # noqa: BLE001 - handed to the test's own thread
            result["error"] = err

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=300)
    assert not thread.is_alive(), "the browser or the replay did not finish within 300 s"
    if "error" in result:
        raise result["error"]
    return result["value"]


async def replay(url: str, recording: Recording) -> list[list[tuple[str, ...]]]:
    """Each recorded stroke replayed in a new session, followed by its Clear: the verdicts sent back for each."""
    readings = []
    async with Replayed.connect(url) as session:
        await session.send(recording.load)
        for stroke, clear in zip(recording.strokes, recording.clears, strict=True):
            await session.send(stroke)
            readings.append(session.verdicts[-len(MODELS):])
            await session.send(clear)
            assert session.verdicts == [], "a replayed Clear still sent verdicts"
    return readings


def test_a_replayed_stroke_gets_the_verdicts_the_browser_showed(app_url):
    recording = run_in_thread(record(app_url))
    assert len(recording.shown) == ROUNDS
    names = sorted(display_name(name) for name in MODELS)
    for shown in recording.shown:
        assert sorted(model for model, *_ in shown) == names  # every model's verdict was on the screen
    assert len({tuple(shown) for shown in recording.shown}) > 1, "five shapes read the same"
    assert run_in_thread(replay(app_url, recording)) == recording.shown
