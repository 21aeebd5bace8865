"""Shared AppTest helpers: the real app.py, opened on one page, with no exception allowed."""

from streamlit.testing.v1 import AppTest

from tests.support import ROOT
from ui.lesson import LESSON

APP = str(ROOT / "app.py")  # AppTest resolves relative paths from its caller


def assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def open_page(path: str, **query: str) -> AppTest:
    """Run app.py (the router and its frame) with `query` in the address, then switch to `path`."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query)
    at.run()
    if path != LESSON[0].path:  # the default page
        at.switch_page(path).run()
    assert_ok(at)
    return at
