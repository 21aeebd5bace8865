"""The class's drawers on the Draw page: in a real Chromium, or replaying what a real Chromium sent.

A class's devices draw on their own CPUs; on this 2-core machine ten Chromiums took three quarters of the
cores the server needs (bench/NOTES.md), so a benchmark with them measures the browsers. A replayed
drawer sends the server, over its own websocket session, exactly the messages a real Chromium sent for a
stroke and for Clear (the same canvas PNGs, decoded, read by every model and drawn as figures by the server
as for any visitor), and times a stroke from its message to the last verdict's arrival: the server's part
of stroke to verdict, without the drawing on the visitor's screen, which a real browser in the same run
measures.

    await drawer(context, url, …)             # a browser page: stroke, verdicts on screen, Clear, again
    recording = await record(url)             # one real Chromium draws ROUNDS strokes on the Draw page
    await replayed_drawer(recording, url, …)  # the same loop over a bare websocket
"""

import asyncio
import contextlib
import dataclasses
import time

from playwright.async_api import async_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from mnist_core import MODELS
from tests.support.harness import CHROMIUM, CHROMIUM_ARGS, VIEWPORT

VERDICTS = "n => document.querySelectorAll('[data-testid=\"stMetric\"]').length >= n"
BLANK = "() => document.querySelectorAll('[data-testid=\"stMetric\"]').length === 0"
SHOWN = """() => [...document.querySelectorAll('[data-testid="stMetric"]')].map(metric =>
    ['stMetricLabel', 'stMetricValue', 'stMetricDelta']
        .map(part => metric.querySelector(`[data-testid="${part}"]`).innerText))"""
# What the drawers draw, in turn: one stroke each, corners as fractions of the canvas (x, y): a 1, a 7, a 2, a 4
# of sorts and a 5, so that a class's strokes read as different digits with different confidences.
SHAPES = [[(0.5, 0.15), (0.5, 0.85)],
          [(0.25, 0.2), (0.75, 0.2), (0.4, 0.85)],
          [(0.25, 0.2), (0.75, 0.2), (0.25, 0.8), (0.75, 0.8)],
          [(0.3, 0.15), (0.3, 0.55), (0.75, 0.55), (0.65, 0.35), (0.65, 0.85)],
          [(0.7, 0.2), (0.3, 0.2), (0.3, 0.5), (0.7, 0.5), (0.7, 0.8), (0.3, 0.8)]]
ROUNDS = len(SHAPES)        # strokes recorded, then replayed in turn
VERDICT_ELEMENT = "metric"  # the Draw page shows each model's verdict as one st.metric
RUN_TIMEOUT_S = 60


async def stroke(page, i: int) -> None:
    """The `i`-th of the SHAPES, in turn, drawn with the mouse as a person would: one press, many small moves."""
    box = await page.locator("canvas.upper-canvas").bounding_box()
    corners = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in SHAPES[i % ROUNDS]]
    await page.mouse.move(*corners[0])
    await page.mouse.down()
    for (x0, y0), (x1, y1) in zip(corners, corners[1:]):
        for step in range(1, 9):
            await page.mouse.move(x0 + (x1 - x0) * step / 8, y0 + (y1 - y0) * step / 8)
    await page.mouse.up()


async def drawer(context, url: str, training_over: asyncio.Event, seconds: list, lost: list, name: str,
                 think: float, ready: asyncio.Event, delay: float) -> None:
    """A visitor in a browser page: from `ready` (after `delay`), `draw_once` until the training is over."""
    page = await context.new_page()
    await page.goto(f"{url}/draw")
    await page.wait_for_selector("canvas.upper-canvas", timeout=120_000)
    await ready.wait()
    await asyncio.sleep(delay)  # students who read their verdicts do not all draw at the same instant
    i = 0
    while not training_over.is_set():
        try:
            await draw_once(page, i, seconds, lost, name, think)
        except Exception:  # noqa: BLE001 - a page that never came back: counted as lost, opened again
            lost.append(i)
            await page.goto(f"{url}/draw", timeout=120_000)
        i += 1


async def draw_once(page, i: int, seconds: list, lost: list, name: str, think: float) -> None:
    """One stroke, its verdicts timed, `think` seconds looking at them, then Clear."""
    await page.wait_for_selector("canvas.upper-canvas", timeout=120_000)
    await stroke(page, i)
    start = time.perf_counter()
    try:
        await page.wait_for_function(VERDICTS, arg=len(MODELS), timeout=30_000, polling="raf")
        seconds.append(time.perf_counter() - start)
        print(f"  {name}: {seconds[-1] * 1000:.0f} ms", flush=True)
    except Exception:  # noqa: BLE001 - a verdict that never came is counted, not fatal
        lost.append(i)
    await page.wait_for_timeout(think * 1000)
    await page.get_by_role("button", name="Clear", exact=True).click(timeout=60_000)
    await page.wait_for_function(BLANK, timeout=30_000)
    await page.wait_for_timeout(300)  # the emptied canvas settles


@dataclasses.dataclass
class Recording:
    """The messages a real browser sent: on opening Draw, then per round for the stroke and for Clear."""

    load: list[bytes]
    strokes: list[list[bytes]]
    clears: list[list[bytes]]
    shown: list[list[tuple[str, ...]]]  # per stroke, each verdict on its screen: (model, reading, the next two)


async def record(url: str, rounds: int = ROUNDS) -> Recording:
    """One headless Chromium opens Draw, then `rounds` times draws a stroke, waits for the verdicts, and clears."""
    phase: list[bytes] = []
    phases, shown = {"load": phase}, []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = await (await browser.new_context(viewport=VIEWPORT)).new_page()
        page.on("websocket", lambda ws: ws.on("framesent", lambda payload: phase.append(payload)))
        await page.goto(f"{url}/draw")
        await page.wait_for_selector("canvas.upper-canvas", timeout=120_000)
        await page.wait_for_timeout(2000)  # whatever the page sends once mounted belongs to the load
        for i in range(rounds):
            phase = phases[f"stroke {i}"] = []
            await stroke(page, i)
            await page.wait_for_function(VERDICTS, arg=len(MODELS), timeout=60_000)
            shown.append([tuple(_words(text) for text in pair) for pair in await page.evaluate(SHOWN)])
            await page.wait_for_timeout(1000)  # the figures after the verdicts
            phase = phases[f"clear {i}"] = []
            await page.get_by_role("button", name="Clear", exact=True).click()
            await page.wait_for_function(BLANK, timeout=60_000)
            await page.wait_for_timeout(1500)  # the emptied canvas sends its own value
        await browser.close()
    if any(isinstance(m, str) for msgs in phases.values() for m in msgs):
        raise RuntimeError("The browser sent a text frame; Streamlit speaks binary protobufs.")
    return Recording(phases["load"], [phases[f"stroke {i}"] for i in range(rounds)],
                     [phases[f"clear {i}"] for i in range(rounds)], shown)


def _words(text: str) -> str:
    """Text with its white space folded, as a browser's innerText and a proto's string both read."""
    return " ".join(text.split())


class Replayed:
    """A visitor's websocket session without a browser: sends recorded messages, reads the verdicts sent back."""

    def __init__(self, ws):
        self.ws, self.finished, self.verdict = ws, asyncio.Event(), asyncio.Event()
        self.verdicts: list[tuple[str, ...]] = []  # (model, reading, the next two) sent back for the latest messages
        self.reader = asyncio.create_task(self._read())

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, url: str):
        """A new session on the server at `url` (http://host:port), as a browser tab opens one."""
        async with connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                           max_size=None, open_timeout=120) as ws:
            session = cls(ws)
            try:
                yield session
            finally:
                session.reader.cancel()

    async def _read(self) -> None:
        async for raw in self.ws:
            msg = ForwardMsg.FromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element" \
                    and msg.delta.new_element.WhichOneof("type") == VERDICT_ELEMENT:
                metric = msg.delta.new_element.metric
                self.verdicts.append(tuple(_words(text) for text in (metric.label, metric.body, metric.delta)))
                if len(self.verdicts) >= len(MODELS):
                    self.verdict.set()
            elif kind == "script_finished":
                self.finished.set()

    async def send(self, messages: list[bytes]) -> None:
        """Send each message once the script run the previous one started has finished (a browser may send the
        next sooner, which can interrupt a run; a replayed drawer never does)."""
        self.verdicts = []
        self.verdict.clear()
        for message in messages:
            self.finished.clear()
            await self.ws.send(message)
            await asyncio.wait_for(self.finished.wait(), RUN_TIMEOUT_S)


async def replayed_drawer(recording: Recording, url: str, training_over: asyncio.Event, seconds: list,
                          lost: list, name: str, think: float, ready: asyncio.Event, delay: float) -> None:
    """`drawer`'s loop over a bare websocket: stroke, verdicts timed, `think` s, Clear; a session that stops
    answering counts its stroke as lost and is opened again, as the browser drawer's page is."""
    i = 0
    while not training_over.is_set():
        try:
            async with Replayed.connect(url) as session:
                await session.send(recording.load)
                if not ready.is_set():  # the first session opens Draw before the class starts drawing
                    await ready.wait()
                    await asyncio.sleep(delay)
                while not training_over.is_set():
                    await _replay_once(session, recording, i, seconds, lost, name, think)
                    i += 1
        except (TimeoutError, ConnectionClosed):
            lost.append(i)
            i += 1


async def _replay_once(session: Replayed, recording: Recording, i: int, seconds: list, lost: list, name: str,
                       think: float) -> None:
    start = time.perf_counter()
    sending = asyncio.create_task(session.send(recording.strokes[i % len(recording.strokes)]))
    try:
        await asyncio.wait_for(session.verdict.wait(), 30)
        seconds.append(time.perf_counter() - start)
        print(f"  {name}: {seconds[-1] * 1000:.0f} ms", flush=True)
    except TimeoutError:
        lost.append(i)
    await sending
    await asyncio.sleep(think)
    await session.send(recording.clears[i % len(recording.clears)])
    await asyncio.sleep(0.3)  # as the browser drawers: the emptied canvas settles
