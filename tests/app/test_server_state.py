"""No visitor can reset what the server shares. A real `clear_cache` message goes through a real AppSession,
as Streamlit's websocket handler hands it on (it parses the client's bytes into a BackMsg and calls
`runtime.handle_backmsg`, which calls the session's `handle_backmsg`); the runs train in real child
processes. The training queue, its limit, its processes, the teacher's view and the shared caches stay."""

import asyncio
import sys

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.script_data import ScriptData
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest

from tests.support import ROOT
from tests.support.runs import TINY, training_children, until
from ui import resources
from ui.resources import guard_against_visitors
from ui.runs import run_queue


@pytest.fixture
def clear_cache():
    """Sends BackMsg(clear_cache=True) from a visitor's session, as any client may."""
    loop = asyncio.new_event_loop()

    async def connect() -> AppSession:  # a session belongs to the server's event loop
        return AppSession(ScriptData(str(ROOT / "app.py"), False), MemoryUploadedFileManager("/upload"),
                          ScriptCache(), None, {})

    session = loop.run_until_complete(connect())
    yield lambda: session.handle_backmsg(BackMsg(clear_cache=True))
    session.shutdown()
    loop.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts training children in Linux's /proc")
def test_a_visitors_cache_clear_leaves_the_queue_its_processes_and_the_shared_caches(clear_cache):
    guard_against_visitors()  # as app.py does on every script run
    queue, images = run_queue(), resources.test_set()
    assert queue.limits.max_concurrent == 1
    first = queue.submit(TINY, owner="a" * 32)
    clear_cache()
    second = run_queue().submit(TINY, owner="b" * 32)
    clear_cache()
    assert {first, second} <= set(run_queue().runs())  # what the teacher's panel lists: every live run
    assert resources.test_set() is images  # not loaded again
    most_training, most_children = 0, 0
    while not (first.done and second.done):
        most_training = max(most_training, sum(run.status == "running" for run in (first, second)))
        most_children = max(most_children, len(training_children()))
        until(lambda: first.done and second.done, 0.05)
    assert (first.status, second.status) == ("finished", "finished")
    assert (most_training, most_children) == (1, 1)  # the server's limit held, with one training process
    queue.processes.close()  # the free child leaves now instead of after its idle time
    assert until(lambda: not training_children(), 10)


def test_a_streamlit_that_answers_clear_cache_elsewhere_stops_the_app_in_one_sentence(monkeypatch):
    def handle_backmsg(self, msg):  # a later Streamlit, say, that clears its caches somewhere else
        pass

    monkeypatch.setattr(AppSession, "_handle_clear_cache_request", lambda self: None)
    monkeypatch.setattr(AppSession, "handle_backmsg", handle_backmsg)
    at = AppTest.from_function(_frame).run()
    assert [e.value for e in at.error] == [
        "The app cannot start because this Streamlit answers visitors' messages differently from the pinned "
        "1.67.0; install the app's packages with `pip install -r requirements.txt`."]
    assert not at.exception and not at.markdown  # it stopped there


def _frame():
    import streamlit as st

    from ui.resources import guard_against_visitors

    guard_against_visitors()
    st.markdown("the pages")
