"""Every sentence a visitor reads, in the visitor's language: gettext catalogues kept with Babel, and numbers
written the way that language writes them (99.1% in English, 99,1 % in German and Spanish).

One process serves many visitors at once, from several threads, each in their own language, so the active
language is a ContextVar, never a process-wide switch: the app calls `use(code)` at the start of every script
run, and only that thread (that context) reads it; a thread never given one asks `follow`'s lookup. The core
marks its sentences with the same `_`.

Mark a sentence `_("…")`; a sentence with a count `ngettext("{n} page", "{n} pages", n).format(n=integer(n))`;
a sentence stored before any language is known (a module-level list) `N_("…")`, translated where it is shown
with `_(text)`. Numbers enter sentences as placeholders filled by `integer`, `number`, `percent`, `minutes`.

Catalogues are locales/<code>/LC_MESSAGES/messages.po, compiled in memory when first used (Babel's read_po,
then write_mo), so a fresh clone needs no build step and no .mo file can go stale. English is the source
language: its catalogue is the msgids themselves. Adding a language (see the README):
    python -m mnist_core.i18n extract       # babel.cfg's sources → locales/messages.pot → every messages.po
    python -m mnist_core.i18n new fr        # starts locales/fr/LC_MESSAGES/messages.po
    python -m mnist_core.i18n compile       # compiles every catalogue as the app does; lists what is missing
"""

import re
import sys
from collections.abc import Callable
from contextlib import chdir
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from gettext import GNUTranslations, NullTranslations
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

SOURCE = "en"  # the language the code is written in
ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
CATALOGUE = "LC_MESSAGES/messages.po"
TEMPLATE = "locales/messages.pot"  # pybabel's paths are relative to ROOT


@dataclass(frozen=True)
class Language:
    """A language's code ("de") and its compiled catalogue."""

    code: str
    translations: NullTranslations


ENGLISH = Language(SOURCE, NullTranslations())  # the msgids themselves
_active: ContextVar[Language | None] = ContextVar("language", default=None)


def _no_visitor() -> str | None:
    return None


_lookup: Callable[[], str | None] = _no_visitor  # see `follow`


def languages() -> list[str]:
    """The codes the app speaks: English, then every shipped catalogue's, e.g. ["en", "de", "es"]."""
    return [SOURCE] + sorted(path.parents[1].name for path in LOCALES.glob(f"*/{CATALOGUE}"))


@cache
def _language(code: str) -> Language:
    """`code`'s catalogue, compiled in memory once per process; fuzzy and empty entries fall back to English."""
    if code == SOURCE:
        return ENGLISH
    with open(LOCALES / code / CATALOGUE, "rb") as po:
        catalogue = read_po(po, locale=code)
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Language(code, GNUTranslations(compiled))


def use(code: str) -> None:
    """Speak `code` in this context (this script run's thread) from now on; other visitors are unaffected."""
    _active.set(_language(code))


def follow(lookup: Callable[[], str | None]) -> None:
    """Where a context that was never given a language finds its visitor's: Streamlit reruns a fragment alone,
    in a new thread, without the app's first lines. `lookup` returns that thread's visitor's code (None: English)."""
    global _lookup
    _lookup = lookup


def _speaking() -> Language:
    return _active.get() or _language(_lookup() or SOURCE)


def current() -> str:
    """The code of the language this context speaks."""
    return _speaking().code


def _(message: str) -> str:
    """`message` in this context's language (English, the source, when no translation is shipped)."""
    return _speaking().translations.gettext(message)


gettext = _


def ngettext(singular: str, plural: str, n: int) -> str:
    """The sentence for `n` things, with the plural form the catalogue's Plural-Forms picks for `n`."""
    return _speaking().translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it yet: translate it where it is shown, with `_`."""
    return message


def native_name(code: str) -> str:
    """A language's name in itself, as a menu writes it: English, Deutsch, Español."""
    name = Locale.parse(code).get_display_name(code)
    return name[:1].upper() + name[1:]


def _fixed(pattern: str, digits: int) -> str:
    """A CLDR number pattern ("#,##0 %") with exactly `digits` decimals ("#,##0.0 %")."""
    decimals = "." + "0" * digits if digits else ""
    return re.sub(r"([#,]*0)(\.[0#]*)?", lambda m: m[1] + decimals, pattern, count=1)


def integer(n: int) -> str:
    """A whole number with the language's thousands separator: 60,000 / 60.000."""
    return format_decimal(n, format="#,##0", locale=current())


def number(value: float, digits: int = 1) -> str:
    """A number with exactly `digits` decimals, in the language's digits and separators: 3.5 / 3,5."""
    locale = Locale.parse(current())
    return format_decimal(value, format=_fixed(locale.decimal_formats[None].pattern, digits), locale=locale)


def percent(fraction: float, digits: int = 1) -> str:
    """A fraction as a percentage with `digits` decimals, written as the language does: 99.1% / 99,1 %."""
    locale = Locale.parse(current())
    return format_percent(fraction, format=_fixed(locale.percent_formats[None].pattern, digits), locale=locale)


def minutes(n: int) -> str:
    """A duration in whole minutes, number and plural from the language's own data: 45 minutes / 45 Minuten."""
    return format_unit(n, "duration-minute", length="long", locale=current())


def _pybabel(*arguments: str) -> None:
    """Run a pybabel command from the repository's root, so that catalogues name files by relative paths."""
    with chdir(ROOT):
        CommandLineInterface().run(["pybabel", *arguments])


def _report(code: str) -> int:
    """Compile `code`'s catalogue as the app does and print what it lacks; the number of gaps (0: complete)."""
    with open(LOCALES / code / CATALOGUE, "rb") as po:
        catalogue = read_po(po, locale=code)
    _language(code)
    gaps = [m.id for m in catalogue if m.id and (m.fuzzy or not all(m.string if m.pluralizable else [m.string]))]
    print(f"{code}: {len(catalogue) - len(gaps)} of {len(catalogue)} messages translated")
    for message in gaps:
        print(f"  untranslated or fuzzy: {message!r}")
    return len(gaps)


def main(argv: list[str]) -> int:
    """The catalogue tooling: extract (and merge into every catalogue), new <code>, compile."""
    command, *arguments = argv or ["help"]
    if command == "extract":
        LOCALES.mkdir(exist_ok=True)
        _pybabel("extract", "-F", "babel.cfg", "--add-location=file", "--add-comments=TRANSLATORS:",
                 "--project=MNIST Lab", "--copyright-holder=MNIST Lab", "-o", TEMPLATE, ".")
        if len(languages()) > 1:
            _pybabel("update", "-i", TEMPLATE, "-d", "locales", "--ignore-obsolete")
        return 0
    if command == "new":
        _pybabel("init", "-i", TEMPLATE, "-d", "locales", "-l", arguments[0])
        return 0
    if command == "compile":
        return int(sum(_report(code) for code in languages()[1:]) > 0)
    raise SystemExit(f"unknown command {command!r}: use extract, new <code> or compile")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
