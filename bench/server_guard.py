"""What one visitor's messages cost the server: memory after 20 cache clears, and per oversized message.

Starts the app as the README does (`streamlit run app.py`, MALLOC_ARENA_MAX=2) and speaks Streamlit's own
websocket protocol to it as any client may (a BackMsg per binary frame, no browser):
- clears: opens "The models" (the shipped models, the test set and their scores load), then sends
  `clear_cache` followed by a visit to that page, 20 times; reports the server's RSS and CPU seconds before
  and after. Issue 30 measured 854 → 1,216 MB and ≈ 6 s of CPU per clear before the server ignored them.
- messages: opens Draw on `connections` connections, and on each sends the canvas a value just under
  `server.maxMessageSize` (a 7.5 MB data URL), then one 80 MB frame on another; reports the server's RSS
  and peak RSS (VmHWM) rise and whether the 80 MB frame was refused. Issue 30: 8 × 24 MB raised the server
  from 1,023 to 1,566 MB; an 80 MB message cost +160 MB of peak before it was refused.

    python -m bench.server_guard
    python -m bench.server_guard --clears 5 --connections 4
    python -m bench.server_guard --tree /tmp/old   # the app in another folder (e.g. `git archive` of a commit)
"""

import argparse
import json
import os
import time
from pathlib import Path

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from bench.record import ROOT, Figure
from tests.support.harness import start_server

TARGETS = {"clears.rss_rise": "<= 20 MB", "clears.cpu_s": "<= 10 s", "huge_message.refused": ">= 1",
           "huge_message.peak_rise": "<= 20 MB"}


def status(pid: int, field: str) -> float:
    """A /proc/<pid>/status memory field (VmRSS, VmHWM) in MB."""
    text = Path(f"/proc/{pid}/status").read_text()
    return int(text.split(f"{field}:")[1].split()[0]) / 1024


def cpu_s(pid: int) -> float:
    """The process's user + system CPU seconds so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Client:
    """One websocket connection speaking BackMsg/ForwardMsg, as Streamlit's frontend does."""

    def __init__(self, port: int):
        self.socket = connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                              max_size=None, open_timeout=30).__enter__()  # closed by close()

    def send(self, **fields) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        self.socket.send(BackMsg(**fields).SerializeToString())

    def visit(self, page: str, widgets=None, timeout_s: float = 300) -> list:
        """Run `page` (with `widgets`, a WidgetStates) and return its ForwardMsgs up to script_finished."""
        from streamlit.proto.ClientState_pb2 import ClientState
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.send(rerun_script=ClientState(page_name=page, widget_states=widgets))
        got, deadline = [], time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            message = ForwardMsg.FromString(self.socket.recv(timeout=deadline - time.monotonic()))
            got.append(message)
            if message.WhichOneof("type") == "script_finished":
                return got
        raise TimeoutError(f"{page} did not finish within {timeout_s:.0f} s")

    def close(self) -> None:
        self.socket.close()


def clears(port: int, pid: int, count: int) -> dict[str, Figure]:
    client = Client(port)
    client.visit("home")
    rss, cpu = status(pid, "VmRSS"), cpu_s(pid)
    for _ in range(count):
        client.send(clear_cache=True)
        client.visit("home")
    rise, spent = status(pid, "VmRSS") - rss, cpu_s(pid) - cpu
    client.close()
    print(f"{count} clears, each followed by a visit to The models: RSS {rss:.0f} → {rss + rise:.0f} MB "
          f"({rise:+.0f}), server CPU {spent:.1f} s")
    return {"clears.rss_rise": Figure(rise, "MB", TARGETS["clears.rss_rise"]),
            "clears.cpu_s": Figure(spent, "s", TARGETS["clears.cpu_s"])}


def canvas_id(messages: list) -> str:
    return next(m.delta.new_element.bidi_component.id for m in messages if m.WhichOneof("type") == "delta"
                and m.delta.new_element.WhichOneof("type") == "bidi_component"
                and m.delta.new_element.bidi_component.id.endswith("-draw_canvas"))


def messages(port: int, pid: int, connections: int) -> dict[str, Figure]:
    from streamlit.proto.WidgetStates_pb2 import WidgetStates

    clients = [Client(port) for _ in range(connections)]
    ids = [canvas_id(client.visit("draw")) for client in clients]
    rss, peak = status(pid, "VmRSS"), status(pid, "VmHWM")
    value = json.dumps({"drawing": {"raw": {"objects": []}, "data": "data:image/png;base64," + "A" * 7_500_000}})
    for client, widget in zip(clients, ids, strict=True):
        states = WidgetStates()
        states.widgets.add(id=widget, json_value=value)
        client.visit("draw", states)
    held = status(pid, "VmRSS") - rss
    print(f"{connections} connections, each sending the canvas a {len(value) / 1e6:.1f} MB value: "
          f"RSS {rss:.0f} → {rss + held:.0f} MB ({held:+.0f}), {held / connections:.1f} MB per message")
    peak = status(pid, "VmHWM")
    huge, refused = Client(port), 0.0
    huge.visit("draw")
    try:
        huge.socket.send(b"\0" * 80_000_000)
        huge.socket.recv(timeout=30)
    except (ConnectionClosed, TimeoutError) as closed:
        refused = float(isinstance(closed, ConnectionClosed))
    peak_rise = status(pid, "VmHWM") - peak
    print(f"one 80 MB frame: {'refused, connection closed' if refused else 'not refused'}; "
          f"peak RSS {peak_rise:+.0f} MB")
    for client in clients:
        client.close()
    return {"canvas_value.rss_per_message": Figure(held / connections, "MB", None),
            "huge_message.refused": Figure(refused, "", TARGETS["huge_message.refused"]),
            "huge_message.peak_rise": Figure(peak_rise, "MB", TARGETS["huge_message.peak_rise"])}


def parser() -> argparse.ArgumentParser:
    """Its options (also `python -m bench run server_guard -- --help`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clears", type=int, default=20, help="cache clears sent, each then a page visit")
    parser.add_argument("--connections", type=int, default=8, help="connections sending a large canvas value")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the folder whose app.py is started")
    return parser


def main(argv: list[str] | None = None) -> dict[str, Figure]:
    """Start the app, run both measurements on it, stop it; return the figures."""
    args = parser().parse_args(argv)
    with start_server(cwd=args.tree, env={**os.environ, "MALLOC_ARENA_MAX": "2"}) as server:
        pid = server.process.pid
        return clears(server.port, pid, args.clears) | messages(server.port, pid, args.connections)


if __name__ == "__main__":
    main()
