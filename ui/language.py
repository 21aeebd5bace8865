"""The visitor's language: chosen once per visit, overridable in the sidebar, set at the start of every run.

It starts from `?lang=xx` in the address (bookmarkable, like ?present=1), else from the languages the browser
asks for, else English. A choice made in the address or the sidebar stays in the address. It is this visitor's
alone: it lives in their session, and mnist_core.i18n keeps the active catalogue per thread, so a teacher who
switches to German changes no student's screen. A fragment that Streamlit reruns alone (in a thread of its
own, without app.py's first lines) finds the visitor's language through `follow`.
"""

import re
from dataclasses import dataclass

import streamlit as st
from babel import negotiate_locale
from streamlit.runtime.scriptrunner import get_script_run_ctx

from mnist_core.i18n import SOURCE, _, follow, languages, native_name, use
from ui.state import session_part

KEY = "language_switch"
WEIGHTED = re.compile(r"([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)\s*(?:;\s*q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?))?")


@dataclass
class LanguageChoice:
    """This visit's language; None until read from the address or the browser."""

    code: str | None = None
    chosen: bool = False  # picked in the address or the sidebar (not just the browser's): kept in the address


def preferred(accept_language: str, browser_locale: str | None = None) -> str:
    """The first language the app speaks among an Accept-Language header's (by weight) and the browser's locale."""
    weighted = sorted((-float(weight or 1), i, tag.lower()) for i, (tag, weight) in enumerate(WEIGHTED.findall(
        accept_language)))
    wanted = [tag for *_order, tag in weighted] + [(browser_locale or "").lower()]
    return negotiate_locale(wanted, languages(), sep="-") or SOURCE


def language_switch() -> str:
    """Speak this visitor's language from here on, and offer the sidebar's box to change it; call it first."""
    me = session_part(LanguageChoice)
    if me.code is None:
        asked = st.query_params.get("lang")
        me.chosen = asked in languages()
        me.code = asked if me.chosen else preferred(st.context.headers.get("Accept-Language", ""), st.context.locale)
    use(me.code)
    follow(_visitor_language)
    label = _("Language")  # outside the f-string: extraction reads no calls inside one
    st.sidebar.selectbox(f":material/translate: {label}", languages(), index=languages().index(me.code),
                         format_func=native_name, key=KEY, on_change=_picked)
    if me.chosen:
        st.query_params["lang"] = me.code
    elif "lang" in st.query_params:  # a language the app does not speak
        del st.query_params["lang"]
    return me.code


def _picked() -> None:
    """The sidebar's choice, taken before the run starts, so that the whole run speaks it."""
    me, picked = session_part(LanguageChoice), st.session_state[KEY]
    if picked in languages():  # a tampered browser can send any text as the box's value
        me.code, me.chosen = picked, True


def _visitor_language() -> str | None:
    """The language of the visitor whose script this thread runs; None in a thread that runs none."""
    return session_part(LanguageChoice).code if get_script_run_ctx(suppress_warning=True) else None
