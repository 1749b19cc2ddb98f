"""Gettext for the core: lazy messages, per-language catalogs, locale formatting.

The dialogue builds replies from lazy ``Msg`` values (``_()`` and ``ngettext()``
below, both found by ``pybabel extract`` with its default keywords); the
renderer turns them into text with a ``Translator`` for the resident's
language, as the last step.  Catalogs live in
``navigator/translations/<locale>/LC_MESSAGES/messages.mo``; a missing catalog
or message falls back to the English source string.  Placeholders are named
(``%(name)s``) so translators can reorder them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton
from babel.dates import format_time as babel_format_time
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
TIMEZONE = ZoneInfo("America/Toronto")
DEFAULT_LANGUAGE = "en"
# Babel writes these spaces inside times ("5:00 PM"); a plain space keeps SMS in GSM-7.
_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " ", "\u2009": " "})


@dataclass(frozen=True)
class Msg:
    """A resident-facing message, translated only when rendered."""

    singular: str
    plural: str | None = None
    n: int = 1
    params: tuple[tuple[str, Any], ...] = ()


class Weekday(int):
    """An ISO weekday number (1 = Monday) that renders as the day's name."""


def _(text: str, /, **params: Any) -> Msg:
    """Mark ``text`` for translation, to be rendered later in the resident's language."""
    return Msg(text, params=tuple(params.items()))


def ngettext(singular: str, plural: str, n: int, /, **params: Any) -> Msg:
    """Mark a message whose wording depends on the number ``n``."""
    return Msg(singular, plural, n, tuple(params.items()))


# Each resident language tag and the Babel (CLDR) locale its replies are formatted in.
# French is Canadian French ("17 h 00"); Tagalog is written by CLDR as Filipino (fil).
LOCALES: dict[str, str] = {
    "en": "en",
    "fr": "fr_CA",
    "ar": "ar",
    "zh-Hans": "zh_Hans",
    "pa": "pa",
    "ur": "ur",
    "es": "es",
    "pt": "pt",
    "pl": "pl",
    "tl": "fil",
    "hi": "hi",
    "ko": "ko",
}


@lru_cache(maxsize=64)
def babel_locale(lang: str) -> Locale:
    """Return the Babel locale for a language tag such as ``zh-Hans``."""
    try:
        if lang in LOCALES:
            return Locale.parse(LOCALES[lang])
        return Locale.parse(lang, sep="-")
    except (ValueError, TypeError):
        return Locale.parse(DEFAULT_LANGUAGE)


# Where Babel's own name for a locale is not what residents call their language
# ("français (Canada)" for fr_CA, "Filipino" for fil).
_OWN_NAMES = {"fr": "français", "tl": "Tagalog", "zh-Hans": "中文（简体）"}


def own_name(lang: str) -> str:
    """Name a language in that language, e.g. ``français`` or ``ਪੰਜਾਬੀ``."""
    if lang in _OWN_NAMES:
        return _OWN_NAMES[lang]
    locale = babel_locale(lang)
    return str(locale.get_display_name(locale) or lang)


@lru_cache(maxsize=32)
def translations(lang: str, directory: str = str(TRANSLATIONS_DIR)) -> NullTranslations:
    """Load the catalog for ``lang`` once; English source strings when there is none."""
    # Catalog folders may be named by the tag ("tl", "zh_Hans"), Babel's own name ("fil_PH")
    # or a regional variant ("fr_CA" for Canadian French).
    base = lang.replace("-", "_")
    names = [base, str(babel_locale(lang))]
    folder = Path(directory)
    if folder.is_dir():
        names += sorted(p.name for p in folder.iterdir() if p.name.startswith(f"{base.split('_')[0]}_"))
    return Translations.load(directory, locales=names, domain="messages")


class Translator:
    """Turn lazy messages, times and dates into text in one language."""

    def __init__(self, lang: str, directory: Path = TRANSLATIONS_DIR) -> None:
        self.lang = lang
        self.locale = babel_locale(lang)
        self._catalog = translations(lang, str(directory))

    def gettext(self, text: str, /, **params: Any) -> str:
        """Translate ``text`` and fill its named placeholders."""
        return self.render(Msg(text, params=tuple(params.items())))

    def ngettext(self, singular: str, plural: str, n: int, /, **params: Any) -> str:
        """Translate a message whose wording depends on ``n``."""
        return self.render(Msg(singular, plural, n, tuple(params.items())))

    def render(self, msg: Msg | str) -> str:
        """Return ``msg`` as text; plain strings (directory data) pass through unchanged."""
        if isinstance(msg, str):
            return msg
        if msg.plural is None:
            text = self._catalog.gettext(msg.singular)
        else:
            text = self._catalog.ngettext(msg.singular, msg.plural, msg.n)
        if not msg.params:
            return text
        values = {name: self.value(value) for name, value in msg.params}
        try:
            return text % values
        except (KeyError, ValueError, TypeError):
            # A broken translation must not silence the reply: fall back to the source.
            source = msg.singular if msg.plural is None or msg.n == 1 else msg.plural
            return source % values

    def value(self, value: Any) -> Any:
        """Format one placeholder value for this locale."""
        if isinstance(value, Msg):
            return self.render(value)
        if isinstance(value, Weekday):
            return self.weekday(value)
        if isinstance(value, datetime):
            return self.time(value.astimezone(TIMEZONE).time())
        if isinstance(value, time):
            return self.time(value)
        if isinstance(value, date):
            return self.month(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return self.number(value)
        return value

    def number(self, value: int) -> str:
        """Format a whole number with this locale's grouping, e.g. ``1,000`` or ``1 000``."""
        return _number(self.locale, value)

    def time(self, value: time) -> str:
        """Format a time of day, e.g. ``5:00 PM`` or ``17:00``."""
        return _time(self.locale, value)

    def month(self, value: date) -> str:
        """Format a month and year, e.g. ``March 2026`` or ``mars 2026``."""
        return format_skeleton("yMMMM", value, locale=self.locale).translate(_SPACES)

    def weekday(self, iso_weekday: int) -> str:
        """Name a weekday (1 = Monday) in this locale."""
        return str(self.locale.days["format"]["wide"][(iso_weekday - 1) % 7])


# Babel takes tens of microseconds a number or time; replies use a few hundred distinct ones.
@lru_cache(maxsize=4096)
def _number(locale: Locale, value: int) -> str:
    return str(format_decimal(value, locale=locale)).translate(_SPACES)


@lru_cache(maxsize=4096)
def _time(locale: Locale, value: time) -> str:
    return str(babel_format_time(value, "short", locale=locale)).translate(_SPACES)


@lru_cache(maxsize=32)
def translator(lang: str) -> Translator:
    """Return the shared translator for ``lang``."""
    return Translator(lang)
