"""A first visit's weight and wait: the bytes a cold browser fetches for Draw, and its first verdict on slow Wi-Fi.

    python -m bench.first_visit                  # Streamlit alone, then behind deploy/nginx.conf (as the image runs)
    python -m bench.first_visit --rounds 5 --kbps 200 --latency-ms 400

Each round is a new browser context (an empty cache, no cookies) that opens /draw, draws one stroke as soon
as the canvas is there, and waits for every model's verdict. Chromium's own network emulation (CDP
`Network.emulateNetworkConditions`) sets the bandwidth and the latency; CDP's `Network.loadingFinished`
gives the bytes each HTTP response took on the wire (headers included, compressed where it was), and
`Network.webSocketFrameReceived` the websocket's payloads (as sent: Streamlit does not compress them).
A second visit in the same context (a reload, the cache warm) shows what is sent again on every visit.

Both set-ups run in the same invocation, so the proxy's figures stand against Streamlit's own measured
beside them. nginx comes from Debian (`apt-get install nginx-light libnginx-mod-http-brotli-filter`, as the
Dockerfile does, with `brotli` for deploy/precompress.sh); without it, only Streamlit alone is measured.
"""

import argparse
import base64
import os
import socket
import statistics
import threading
import time

from bench.record import Figure
from bench.stroke_latency import VERDICTS, stroke
from mnist_core import MODELS
from tests.support.harness import chromium, start_server
from tests.support.hosting import NGINX, Proxy

TARGETS = {"proxied_cold_bytes": "<= 2.5 MB", "proxied_first_verdict_p50": "<= 8 s"}


def parser() -> argparse.ArgumentParser:
    """Its options (also `python -m bench run NAME -- --help`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="cold visits per set-up (default 3)")
    parser.add_argument("--kbps", type=float, default=200, help="download bandwidth, kB/s (default 200)")
    parser.add_argument("--latency-ms", type=float, default=400, help="added round-trip latency (default 400)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the server (repeatable), e.g. "
                             "STREAMLIT_SERVER_ENABLE_WEBSOCKET_COMPRESSION=true")
    return parser


class Meter:
    """A TCP relay between the browser and `port` that counts the bytes sent towards the browser: what
    crossed the wire, HTTP and websocket alike, compressed wherever either end compressed it."""

    def __init__(self, port: int):
        self.down = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._target = port
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                browser, _ = self._listener.accept()
            except OSError:  # closed
                return
            server = socket.create_connection(("127.0.0.1", self._target))
            threading.Thread(target=self._pump, args=(browser, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, browser, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, counted: bool) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
                if counted:
                    with self._lock:
                        self.down += len(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def reset(self) -> int:
        with self._lock:
            down, self.down = self.down, 0
        return down

    def close(self) -> None:
        self._listener.close()


class Traffic:
    """Bytes on the wire for one page, from CDP's network events: HTTP responses and websocket payloads."""

    def __init__(self, page, kbps: float, latency_ms: float):
        self.http = self.websocket = 0
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        self.cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": latency_ms, "downloadThroughput": kbps * 1000,
            "uploadThroughput": kbps * 1000 / 2})
        self.pending: set[str] = set()
        self.last_change = time.monotonic()
        self.encodings: dict[str, int] = {}  # Content-Encoding → bytes on the wire
        self.timeline: dict[str, list] = {}  # request → [name, sent, finished, bytes] (for --timeline)
        self._encoding: dict[str, str] = {}
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.loadingFailed", self._failed)
        self.cdp.on("Network.webSocketFrameReceived", self._frame)

    def _sent(self, event: dict) -> None:
        self.pending.add(event["requestId"])
        self.timeline[event["requestId"]] = [event["request"]["url"].rsplit("/", 1)[-1][:40], time.monotonic(), None, 0]
        self.last_change = time.monotonic()

    def _response(self, event: dict) -> None:
        headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
        self._encoding[event["requestId"]] = headers.get("content-encoding", "none")

    def _finished(self, event: dict) -> None:
        self.http += event["encodedDataLength"]
        if event["requestId"] in self.timeline:
            self.timeline[event["requestId"]][2:] = [time.monotonic(), event["encodedDataLength"]]
        encoding = self._encoding.pop(event["requestId"], "none")
        self.encodings[encoding] = self.encodings.get(encoding, 0) + event["encodedDataLength"]
        self._failed(event)

    def _failed(self, event: dict) -> None:
        self.pending.discard(event["requestId"])
        self.last_change = time.monotonic()

    def _frame(self, event: dict) -> None:
        response = event["response"]
        data = response["payloadData"]
        self.websocket += len(base64.b64decode(data)) if response["opcode"] == 2 else len(data.encode())

    def reset(self) -> None:
        self.http = self.websocket = 0


def visit(page, url: str) -> tuple[float, float]:
    """Open Draw, draw one stroke once the canvas is there; seconds from navigation to the canvas, and
    to every model's verdict."""
    start = time.perf_counter()
    page.goto(f"{url}/draw", wait_until="commit")
    page.wait_for_selector("canvas.upper-canvas", timeout=180_000)
    canvas = time.perf_counter() - start
    page.wait_for_timeout(300)  # the canvas's handlers attach just after it appears
    stroke(page, page.locator("canvas.upper-canvas").bounding_box(), 0.5)
    page.wait_for_function(VERDICTS, arg=len(MODELS), timeout=180_000, polling="raf")
    return canvas, time.perf_counter() - start


def settled(page, traffic: "Traffic", quiet_s: float = 2.0, timeout_s: float = 300) -> None:
    """Wait until no HTTP request has been open for `quiet_s` (the websocket stays open all visit)."""
    deadline = time.monotonic() + timeout_s
    while traffic.pending or time.monotonic() - traffic.last_change < quiet_s:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(traffic.pending)} requests still open after {timeout_s:.0f} s")
        page.wait_for_timeout(200)


def measure(port: int, rounds: int, kbps: float, latency_ms: float, label: str) -> dict[str, list[float]]:
    """`rounds` cold visits (then one warm reload each) through a Meter on `port`: bytes and seconds."""
    found = {key: [] for key in ("cold", "cold_http", "cold_ws", "warm", "canvas_s", "verdict_s")}
    meter = Meter(port)
    with chromium() as browser:
        for i in range(rounds):
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            page = context.new_page()
            traffic = Traffic(page, kbps, latency_ms)
            meter.reset()
            canvas_s, verdict_s = visit(page, meter.url)
            settled(page, traffic)  # what the page fetches after the verdict (the charts' code) counts too
            found["cold"].append(meter.reset())
            found["cold_http"].append(traffic.http)
            found["cold_ws"].append(traffic.websocket)
            found["canvas_s"].append(canvas_s)
            found["verdict_s"].append(verdict_s)
            visit(page, meter.url)  # the same browser again: its cache is warm
            settled(page, traffic)
            found["warm"].append(meter.reset())
            print(f"{label} round {i}: cold {traffic_mb(found['cold'][-1])} on the wire (CDP: "
                  f"{traffic_mb(traffic.http)} of HTTP responses, {traffic_mb(traffic.websocket)} of websocket "
                  f"payloads before any compression), canvas at {canvas_s:.1f} s, verdicts at {verdict_s:.1f} s; "
                  f"a warm reload {traffic_mb(found['warm'][-1])}; HTTP bytes by encoding: "
                  + ", ".join(f"{k} {traffic_mb(v)}" for k, v in sorted(traffic.encodings.items())), flush=True)
            context.close()
    meter.close()
    return found


def mb(n: float) -> float:
    return round(n / 1e6, 3)


def traffic_mb(n: float) -> str:
    return f"{mb(n):.2f} MB"


def main(argv: list[str] | None = None) -> dict[str, Figure]:
    """Print each visit; return medians of bytes and seconds for each set-up."""
    args = parser().parse_args(argv)
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    figures = {}
    env = {**os.environ, **dict(pair.split("=", 1) for pair in args.env)}
    with start_server(env=env) as server:
        setups = [("direct", server.port, None)]
        if NGINX.exists():
            proxy = Proxy(server.port)
            setups.append(("proxied", proxy.port, proxy))
        else:
            print(f"{NGINX} is missing: apt-get install nginx-light libnginx-mod-http-brotli-filter; "
                  "measuring Streamlit alone", flush=True)
        for label, port, proxy in setups:
            try:
                found = measure(port, args.rounds, args.kbps, args.latency_ms, label)
            finally:
                if proxy:
                    proxy.close()
            median = {key: statistics.median(values) for key, values in found.items()}
            figures[f"{label}_cold_bytes"] = Figure(mb(median["cold"]), "MB", TARGETS.get(f"{label}_cold_bytes"))
            figures[f"{label}_cold_http_bytes"] = Figure(mb(median["cold_http"]), "MB")
            figures[f"{label}_cold_websocket_payload"] = Figure(mb(median["cold_ws"]), "MB")
            figures[f"{label}_warm_bytes"] = Figure(mb(median["warm"]), "MB")
            figures[f"{label}_canvas_p50"] = Figure(median["canvas_s"], "s")
            figures[f"{label}_first_verdict_p50"] = Figure(median["verdict_s"], "s",
                                                           TARGETS.get(f"{label}_first_verdict_p50"))
            figures[f"{label}_first_verdict_max"] = Figure(max(found["verdict_s"]), "s")
            print(f"{label}: first visit {traffic_mb(median['cold'])} on the wire (median of {args.rounds}), "
                  f"first verdict {median['verdict_s']:.1f} s after navigation at {args.kbps:.0f} kB/s and "
                  f"{args.latency_ms:.0f} ms; a warm reload {traffic_mb(median['warm'])}", flush=True)
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return figures


if __name__ == "__main__":
    main()
