"""Every classroom's language, against known answers: plural forms, numbers written per language, one language
per visitor while many are served at once, catalogues that hold every marked sentence with its placeholders,
and no unmarked sentence in any page or app-layer module (TRANSLATED_MODULES: every one, found on disk).
"""

import ast
import re
import threading
from collections.abc import Callable, Iterator
from contextvars import copy_context

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from mnist_core import i18n
from mnist_core.i18n import _, integer, minutes, ngettext, number, percent, use
from tests.support import ROOT
from tests.support.apptest import open_page
from ui.lesson import LESSON

TRANSLATED_MODULES = ["app.py", *sorted(p.relative_to(ROOT).as_posix() for folder in ("app_pages", "ui")
                                        for p in (ROOT / folder).glob("*.py"))]
CATALOGUES = i18n.languages()[1:]
DISPLAY = {"title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "button",
           "toggle", "selectbox", "slider", "metric", "expander", "tabs", "radio", "checkbox", "text_input",
           "number_input", "select_slider", "segmented_control", "multiselect", "download_button", "file_uploader",
           "write", "toast", "popover", "link_button", "pills", "teacher_notes"}
TEXT_KEYWORDS = {"label", "body", "help", "caption", "placeholder", "options", "show", "notice", "questions"}
MARKS = {"_", "gettext", "ngettext", "N_"}
ICON = re.compile(r":material/\w+:")
WORDS = re.compile(r"[^\W\d_]{2,}")
PLACEHOLDER = re.compile(r"(?<!\{)\{(\w*)[^{}]*\}|%\((\w+)\)")
PAGES = ("In all **{duration}** over {pages} page.", "In all **{duration}** over {pages} pages.")


def said(code: str, say: Callable[[], str]) -> str:
    """What `say` returns speaking `code`, in a context of its own (the test's own context is left in English)."""
    def run() -> str:
        use(code)
        return say()
    return copy_context().run(run)


@pytest.mark.parametrize("code, one, many", [
    ("en", "In all **{duration}** over {pages} page.", "In all **{duration}** over {pages} pages."),
    ("de", "Insgesamt **{duration}**, verteilt auf {pages} Seite.",
     "Insgesamt **{duration}**, verteilt auf {pages} Seiten."),
    ("es", "En total, **{duration}** en {pages} página.", "En total, **{duration}** en {pages} páginas."),
])
def test_plural_forms_follow_the_catalogues_rules(code, one, many):
    assert [said(code, lambda n=n: ngettext(*PAGES, n)) for n in (1, 2, 0, 21)] == [one, many, many, many]


@pytest.mark.parametrize("code, written", [
    ("en", ["99.1%", "99.0%", "50%", "60,000", "1,234.57", "45 minutes", "1 minute"]),
    ("de", ["99,1\xa0%", "99,0\xa0%", "50\xa0%", "60.000", "1.234,57", "45 Minuten", "1 Minute"]),
    # CLDR would leave Spanish 4-digit numbers ungrouped (minimumGroupingDigits 2); Babel 2.18 groups them
    ("es", ["99,1\xa0%", "99,0\xa0%", "50\xa0%", "60.000", "1.234,57", "45 minutos", "1 minuto"]),
])
def test_numbers_are_written_the_languages_way(code, written):
    def write() -> list[str]:
        return [percent(0.991), percent(0.99), percent(0.5, 0), integer(60_000), number(1234.567, 2), minutes(45),
                minutes(1)]
    assert said(code, write) == written


@pytest.mark.parametrize("value", [0.991, 0.99, 0.12345, 1.0, 0.0])
def test_english_numbers_are_what_the_app_wrote_before(value):
    assert (percent(value), integer(round(value * 1e6))) == (f"{value:.1%}", f"{round(value * 1e6):,}")


def test_each_visitor_thread_speaks_its_own_language_at_the_same_time():
    both_set = threading.Barrier(3)
    heard = {}

    def visitor(code: str) -> None:
        use(code)
        both_set.wait(timeout=10)  # every thread has chosen before any reads
        heard[code] = (_("Teacher's notes"), percent(0.991))

    threads = [threading.Thread(target=visitor, args=(code,)) for code in ("en", "de", "es")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert heard == {"en": ("Teacher's notes", "99.1%"), "de": ("Hinweise für die Lehrkraft", "99,1\xa0%"),
                     "es": ("Notas para el profesorado", "99,1\xa0%")}
    assert _("Teacher's notes") == "Teacher's notes"  # this thread was never given one


def test_a_context_never_given_a_language_asks_whose_thread_it_is(monkeypatch):
    """Streamlit reruns a fragment alone in a new thread; the app's lookup finds that visitor's language."""
    monkeypatch.setattr(i18n, "_lookup", i18n._lookup)  # restored after the test
    i18n.follow(lambda: "de")
    assert copy_context().run(lambda: _("Language")) == "Sprache"
    assert said("es", lambda: _("Language")) == "Idioma"  # a language set for the run comes first


def extracted() -> dict[str, tuple[str, ...]]:
    """Every marked message in the files babel.cfg names, as the extract command finds them: msgid → its forms."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {}
    for _file, _line, message, _comments, _context in extract_from_dir(ROOT, method_map, options_map):
        forms = (message,) if isinstance(message, str) else tuple(message)
        found[forms[0]] = forms
    return found


def placeholders(*texts: str) -> set[str]:
    return {brace or percent_name for text in texts for brace, percent_name in PLACEHOLDER.findall(text)}


def test_german_and_spanish_are_shipped_and_the_lesson_is_marked():
    assert CATALOGUES == ["de", "es"]
    assert {"Lesson plan", "Teacher's notes", "Language", PAGES[0]} <= set(extracted())


@pytest.mark.parametrize("code", CATALOGUES)
def test_every_catalogue_translates_every_marked_sentence_with_the_same_placeholders(code):
    with open(ROOT / "locales" / code / i18n.CATALOGUE, "rb") as po:
        catalogue = read_po(po, locale=code)
    assert [problem for msgid, forms in extracted().items() if (problem := _problem(catalogue, msgid, forms))] == []


def _problem(catalogue, msgid: str, forms: tuple[str, ...]) -> str | None:
    """What is wrong with `catalogue`'s translation of `msgid` (None: nothing)."""
    entry = catalogue.get(msgid)
    if entry is None:
        return f"no entry for {msgid!r}: run `python -m mnist_core.i18n extract` and translate it"
    strings = (entry.string,) if isinstance(entry.string, str) else entry.string
    if entry.fuzzy:
        return f"{msgid!r} is fuzzy: check its translation and remove the flag"
    if len(strings) != (catalogue.num_plurals if len(forms) > 1 else 1) or not all(strings):
        return f"{msgid!r} is untranslated, or lacks a plural form"
    wrong = [string for string in strings if placeholders(string) != placeholders(*forms)]
    return f"{msgid!r}: placeholders differ in {wrong}" if wrong else None


def unmarked(source: str) -> list[str]:
    """Text in `source` a visitor would read in English whatever their language: literals passed to a display
    call (or to a text keyword such as help=), numbers formatted the English way there, and translation calls
    inside f-strings (Python 3.11's tokenizer hides them from extraction)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            found += [f"line {mark.lineno}: {ast.unparse(mark)} inside an f-string is never extracted"
                      for mark in ast.walk(node) if isinstance(mark, ast.Call) and _called(mark) in MARKS]
        if isinstance(node, ast.Call) and _called(node) in DISPLAY:
            values = [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
            if any(k.arg == "format_func" for k in node.keywords):  # its options are values, not text
                values = [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS - {"options"}] + node.args[:1]
            else:
                values += node.args
            found += [f"line {text.lineno}: {ast.unparse(text)}" for value in values for text in _texts(value)]
    return found


def _called(call: ast.Call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)


def _texts(node: ast.AST) -> Iterator[ast.AST]:
    """Literal words and English-formatted numbers in `node`, through lists, f-strings, + and if-else (not calls)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and WORDS.search(ICON.sub("", node.value)):
        yield node
    elif isinstance(node, ast.FormattedValue) and node.format_spec and re.search(r"[%,]", ast.unparse(node)):
        yield node
    elif isinstance(node, ast.JoinedStr | ast.List | ast.Tuple | ast.BinOp | ast.IfExp | ast.Dict):
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.Call | ast.expr_context | ast.operator):
                yield from _texts(child)


@pytest.mark.parametrize("source, count", [
    ('st.title("Hello")', 1), ('st.title(_("Hello"))', 0), ('st.sidebar.toggle("On", help="Bigger text")', 2),
    ('st.markdown(f"In all {n} minutes")', 2), ('st.metric(_("Accuracy"), f"{acc:.1%}")', 1),
    ('st.markdown(f"**{_(\'Show.\')}**")', 1), ('st.selectbox(_("Model"), ["mlp", "cnn"], format_func=name)', 0),
    ('st.radio(_("Pick"), ["Yes", "No"])', 2), ('st.expander(f":material/school: {label}")', 0),
])
def test_the_unmarked_text_check_finds_known_cases(source, count):
    assert len(unmarked(source)) == count, unmarked(source)


@pytest.mark.parametrize("module", TRANSLATED_MODULES)
def test_converted_modules_mark_every_sentence_a_visitor_reads(module):
    assert unmarked((ROOT / module).read_text(encoding="utf-8")) == []


def test_the_lesson_page_speaks_the_address_language_and_the_sidebar_changes_it():
    at = open_page(LESSON[0].path, lang="de")
    assert at.title[0].value == "45 Minuten Unterricht: Wie ein neuronales Netz Handschrift liest"
    assert list(at.dataframe[0].value.columns) == ["Minuten", "Seite", "Merksatz"]
    assert list(at.dataframe[0].value["Seite"][:2]) == ["Stundenverlauf", "Die Modelle"]
    at.selectbox(key="language_switch").set_value("es").run()
    assert at.title[0].value.startswith("Una clase de 45 minutos")
    assert at.query_params["lang"] == "es"
    english = open_page(LESSON[0].path)
    assert english.title[0].value == "A 45-minute lesson: how a neural network reads handwriting"
    assert "lang" not in english.query_params
