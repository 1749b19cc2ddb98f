"""Flask-Babel for the web pages: which language a request is answered in.

The choice, first found wins: the request's ``lang`` (query string, form or
JSON body), the language of the conversation the request belongs to (set by
the channel in ``g.navigator_language``), then the browser's Accept-Language.
Templates use ``_()`` from Flask-Babel; the catalogs are the core's own
(``navigator.i18n.translations``), so a string is translated once for both.
"""
from __future__ import annotations

from typing import Any

from babel.support import NullTranslations
from flask import Flask, g, request
from flask_babel import Babel, Domain, get_locale

from . import i18n
from .models import LANGUAGES

DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar", "ur"})
# A language's own name where Babel's differs from what its speakers in Halton call it.
# Other spellings of a tag that browsers and people send.
_ALIASES = {"zh": "zh-Hans", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh-hans-cn": "zh-Hans", "fil": "tl"}
_BY_LOWER = {tag.lower(): tag for tag in LANGUAGES}
# Babel's name of each locale (``zh_Hans``, ``fil_PH``) back to navigator's tag.
_BY_LOCALE = {str(i18n.babel_locale(tag)): tag for tag in LANGUAGES}


def normalise_tag(value: str | None) -> str | None:
    """Return the navigator language for a BCP 47 tag such as ``fr-CA``, or None."""
    if not value or not isinstance(value, str):
        return None
    lowered = value.strip().replace("_", "-").lower()
    if lowered in _BY_LOWER:
        return _BY_LOWER[lowered]
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    primary = lowered.split("-", 1)[0]
    if primary == "zh" and ("hant" in lowered or lowered.endswith(("-tw", "-hk", "-mo"))):
        # Traditional Chinese readers are better served by English than by a script they may not read.
        return None
    return _ALIASES.get(primary) or _BY_LOWER.get(primary)


def direction(tag: str) -> str:
    """Return ``rtl`` for Arabic and Urdu, ``ltr`` for the other languages."""
    return "rtl" if tag in RTL_LANGUAGES else "ltr"


def own_name(tag: str) -> str:
    """Name a language in that language, e.g. ``français`` or ``ਪੰਜਾਬੀ``."""
    return i18n.own_name(tag)


def language_menu() -> list[dict[str, str]]:
    """List the twelve languages for a menu: tag, own name and direction."""
    return [{"tag": tag, "name": own_name(tag), "dir": direction(tag)} for tag in LANGUAGES]


def requested_language() -> str | None:
    """Return the language the request asks for with ``lang``, if any."""
    value: Any = request.args.get("lang") or request.form.get("lang")
    if value is None and request.is_json:
        body = request.get_json(silent=True)
        value = body.get("lang") if isinstance(body, dict) else None
    return normalise_tag(value) if isinstance(value, str) else None


def browser_language() -> str | None:
    """Return the best of the twelve languages from Accept-Language, if any."""
    for value, _quality in request.accept_languages:
        tag = normalise_tag(value)
        if tag is not None:
            return tag
    return None


def select_language() -> str:
    """Choose the request's language: ``lang``, the conversation's, then the browser's."""
    chosen = g.get("navigator_language")
    if chosen:
        return str(chosen)
    return requested_language() or browser_language() or DEFAULT_LANGUAGE


def current_language() -> str:
    """Return the navigator tag of the locale Flask-Babel chose for this request."""
    locale = get_locale()
    return _BY_LOCALE.get(str(locale), DEFAULT_LANGUAGE) if locale is not None else DEFAULT_LANGUAGE


class _CoreDomain(Domain):  # type: ignore[misc]
    """Flask-Babel's domain over the core's cached catalogs and catalog-folder names."""

    def get_translations(self) -> NullTranslations:
        return i18n.translations(current_language())


class _Babel(Babel):  # type: ignore[misc]
    _domain = _CoreDomain()

    @property
    def domain_instance(self) -> Domain:
        # Flask-Babel makes a new domain (and reloads catalogs) per request; one is enough.
        return self._domain


def _locale_selector() -> str:
    return str(i18n.babel_locale(select_language()))


def init_app(app: Flask) -> None:
    """Set up Flask-Babel with navigator's locale selection (once per app)."""
    if "babel" in app.extensions:
        return
    _Babel(app, locale_selector=_locale_selector)
