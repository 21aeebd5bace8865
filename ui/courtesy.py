"""Tells the training engine when visitors' pages run, so that training gives way to them.

Every script run of every session, fragments included, passes through Streamlit's
`AppSession._on_scriptrunner_event` (SCRIPT_STARTED … a STOPPED or SHUTDOWN event). That method is
Streamlit's own (checked with streamlit 1.67, the pinned version); if it is missing, the app works
as before and training simply never pauses.
"""

import functools
import logging

from mnist_core.courtesy import PAGES

log = logging.getLogger(__name__)
ENDS = {"SCRIPT_STOPPED_WITH_SUCCESS", "SCRIPT_STOPPED_WITH_COMPILE_ERROR", "SCRIPT_STOPPED_FOR_RERUN",
        "FRAGMENT_STOPPED_WITH_SUCCESS", "SHUTDOWN"}


@functools.cache
def report_page_runs() -> bool:
    """Hook Streamlit's script-run events once per server; False where this Streamlit has no such hook."""
    try:
        from streamlit.runtime.app_session import AppSession
        original = AppSession._on_scriptrunner_event
    except (ImportError, AttributeError):
        log.warning("This Streamlit has no script-run events to hook: training will not give way to pages.")
        return False

    @functools.wraps(original)
    def on_event(self, sender, event, *args, **kwargs):
        name = getattr(event, "name", "")
        if name == "SCRIPT_STARTED":
            PAGES.begin(self.id)
        elif name in ENDS:
            PAGES.end(self.id)
        return original(self, sender, event, *args, **kwargs)

    AppSession._on_scriptrunner_event = on_event
    return True
