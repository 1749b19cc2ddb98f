"""The twelve catalogs: complete, in step with the code and the .mo files, and formatting per locale.

A new English string in the code fails ``test_every_source_string_is_in_every_catalog``
until ``make i18n`` has been run and the string translated in every catalog.
"""
from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.support import Translations

from navigator import i18n
from navigator.i18n import LOCALES, TRANSLATIONS_DIR, Translator, Weekday, _, ngettext
from navigator.models import LANGUAGES, Hours, Phone, Service
from navigator.render.text import format_phone, hours_lines, language_names, open_line
from navigator.render.web import COMMON_NEEDS, tel_uri

ROOT = Path(__file__).resolve().parent.parent
# Catalog folder of each language tag (Babel's own name where the tag is not one).
FOLDERS = {tag: "fr_CA" if tag == "fr" else tag.replace("-", "_") for tag in LANGUAGES}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
# A % that is not a named placeholder: positional ones cannot be reordered by translators.
UNNAMED = re.compile(r"%(?!\(\w+\)[sd])")
REVIEW_NOTE = "not yet reviewed by a native speaker"


def po_path(tag: str) -> Path:
    return TRANSLATIONS_DIR / FOLDERS[tag] / "LC_MESSAGES" / "messages.po"


def catalog(tag: str) -> Catalog:
    with po_path(tag).open("rb") as handle:
        return read_po(handle, locale=FOLDERS[tag])


def forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, (tuple, list)) else [message.string]


def ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, (tuple, list)) else [message.id]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """Extract the code's strings afresh, with the project's babel.cfg, into a temporary .pot."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "--quiet", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(pot), str(ROOT / "navigator")]
    )
    with pot.open("rb") as handle:
        return read_po(handle)


def test_every_language_has_a_catalog_the_core_loads() -> None:
    assert set(LOCALES) == set(LANGUAGES)
    for tag in LANGUAGES:
        assert po_path(tag).is_file(), tag
        if tag != "en":
            assert isinstance(i18n.translations(tag), Translations), tag


@pytest.mark.parametrize("tag", LANGUAGES)
def test_catalog_header_has_cldr_plural_forms_and_review_note(tag: str) -> None:
    cat = catalog(tag)
    expected = get_plural(Locale.parse(LOCALES[tag]))
    assert (expected.num_plurals, expected.plural_expr) == (cat.num_plurals, cat.plural_expr)
    assert REVIEW_NOTE in cat.header_comment or tag == "en"


def test_arabic_has_six_plural_forms_and_polish_three() -> None:
    assert (6, 3, 2, 1) == (catalog("ar").num_plurals, catalog("pl").num_plurals,
                            catalog("fr").num_plurals, catalog("zh-Hans").num_plurals)


@pytest.mark.parametrize("tag", LANGUAGES)
def test_catalog_has_no_untranslated_fuzzy_or_obsolete_entry(tag: str) -> None:
    cat = catalog(tag)
    problems = []
    for message in cat:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {ids(message)[0]!r}")
        if len(forms(message)) != (cat.num_plurals if message.pluralizable else 1) or not all(forms(message)):
            problems.append(f"untranslated: {ids(message)[0]!r}")
    problems.extend(f"obsolete: {key!r}" for key in cat.obsolete)
    assert [] == problems


@pytest.mark.parametrize("tag", [tag for tag in LANGUAGES if tag != "en"])
def test_translations_are_not_english_copies(tag: str) -> None:
    # Keywords residents must send as they are (MORE) and names that read the same are allowed.
    allowed = {"MORE", "%(name)s: %(phone)s", "%(label)s: %(phone)s", "Chat: %(url)s", "%(name)s, 24/7: %(phone)s",
               "Navigator", "Website", "Conversation", "Discreet mode", "Address: %(address)s",
               "Website: %(url)s", "Service %(number)s"}
    copies = [m.id for m in catalog(tag) if m.id and m.id == m.string and m.id not in allowed]
    assert [] == copies


@pytest.mark.parametrize("tag", LANGUAGES)
def test_translations_keep_the_source_placeholders(tag: str) -> None:
    wrong = []
    for message in catalog(tag):
        if not message.id:
            continue
        wanted = set().union(*(PLACEHOLDER.findall(text) for text in ids(message)))
        for text in forms(message):
            if set(PLACEHOLDER.findall(text)) != wanted or UNNAMED.search(PLACEHOLDER.sub("", text)):
                wrong.append((ids(message)[0], text))
    assert [] == wrong


@pytest.mark.parametrize("tag", LANGUAGES)
def test_babel_checkers_find_nothing_wrong(tag: str) -> None:
    # Babel's own checks: python-format placeholders and the number of plural forms.
    assert [] == [(message.id, [str(error) for error in errors]) for message, errors in catalog(tag).check()]


def test_source_strings_use_named_placeholders_only(source: Catalog) -> None:
    positional = [text for message in source if message.id for text in ids(message)
                  if UNNAMED.search(PLACEHOLDER.sub("", text))]
    assert [] == positional


@pytest.mark.parametrize("tag", LANGUAGES)
def test_every_source_string_is_in_every_catalog(tag: str, source: Catalog) -> None:
    def keys(cat: Catalog) -> set[tuple[str, ...]]:
        return {tuple(ids(message)) for message in cat if message.id}

    wanted, present = keys(source), keys(catalog(tag))
    assert (set(), set()) == (wanted - present, present - wanted), "run `make i18n` and translate"


def test_the_operator_console_is_not_extracted(source: Catalog) -> None:
    files = {path for message in source for path, _line in message.locations}
    assert files and not any("templates/operator/" in path for path in files)
    assert {"operator_live.py"} == {Path(path).name for path in files if "operator" in Path(path).name}


@pytest.mark.parametrize("tag", LANGUAGES)
def test_compiled_catalog_matches_its_po(tag: str) -> None:
    # Content, not modification times: a fresh clone gives every file the same time.
    compiled = io.BytesIO()
    write_mo(compiled, catalog(tag))
    assert compiled.getvalue() == po_path(tag).with_suffix(".mo").read_bytes(), "run `make i18n`"


def test_git_does_not_ignore_compiled_catalogs() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert not {"*.mo", "*.mo/", "translations/", "navigator/translations/"} & set(ignored)


@pytest.mark.parametrize(
    ("tag", "babel_name"),
    [("en", "en"), ("fr", "fr_CA"), ("zh-Hans", "zh_Hans"), ("tl", "fil"), ("ar", "ar"), ("pa", "pa")],
)
def test_language_tags_map_to_babel_locales(tag: str, babel_name: str) -> None:
    assert babel_name == str(i18n.babel_locale(tag))


def test_an_unknown_tag_still_gets_a_locale() -> None:
    assert "it" == str(i18n.babel_locale("it"))
    assert "en" == str(i18n.babel_locale("not a tag"))


@pytest.mark.parametrize(
    ("tag", "opens", "closes", "monday"),
    [
        ("en", "9:00 AM", "5:00 PM", "Monday"),
        ("fr", "09 h 00", "17 h 00", "lundi"),
        ("es", "9:00", "17:00", "lunes"),
        ("pt", "09:00", "17:00", "segunda-feira"),
        ("pl", "09:00", "17:00", "poniedziałek"),
        ("tl", "9:00 AM", "5:00 PM", "Lunes"),
        ("ar", "9:00 ص", "5:00 م", "الاثنين"),
        ("ur", "9:00 AM", "5:00 PM", "پیر"),
        ("hi", "9:00 am", "5:00 pm", "सोमवार"),
        ("pa", "9:00 ਪੂ.ਦੁ.", "5:00 ਬਾ.ਦੁ.", "ਸੋਮਵਾਰ"),
        ("zh-Hans", "09:00", "17:00", "星期一"),
        ("ko", "AM 9:00", "PM 5:00", "월요일"),
    ],
)
def test_times_and_days_follow_the_locale(tag: str, opens: str, closes: str, monday: str) -> None:
    tr = Translator(tag)
    assert (opens, closes, monday) == (tr.time(time(9)), tr.time(time(17)), tr.weekday(1))
    service = Service("s", "S", "O", "d", (), hours=(Hours(1, time(9), time(17)),))
    assert [f"{monday} {opens}-{closes}"] == hours_lines(service, tr)


@pytest.mark.parametrize(
    ("tag", "open_now", "tomorrow", "later"),
    [
        ("en", "Open now, until 5:00 PM", "Closed now. Opens tomorrow at 9:00 AM", "Closed now. Opens Monday at 9:00 AM"),
        ("fr", "Ouvert maintenant, jusqu'à 17 h 00", "Fermé maintenant. Ouvre demain à 09 h 00",
         "Fermé maintenant. Ouvre lundi à 09 h 00"),
        ("es", "Abierto ahora, hasta las 17:00", "Cerrado ahora. Abre mañana a las 9:00",
         "Cerrado ahora. Abre el lunes a las 9:00"),
        ("pl", "Teraz otwarte, do 17:00", "Teraz zamknięte. Otwarte jutro od 09:00",
         "Teraz zamknięte. Otwarte: poniedziałek od 09:00"),
        ("zh-Hans", "现在开放，到 17:00", "现在关闭。明天 09:00 开门", "现在关闭。星期一 09:00 开门"),
        ("ar", "مفتوح الآن، حتى 5:00 م", "مغلق الآن. يفتح غدًا الساعة 9:00 ص", "مغلق الآن. يفتح يوم الاثنين الساعة 9:00 ص"),
    ],
)
def test_open_now_closes_at_and_opens_tomorrow_in_the_locale(tag: str, open_now: str, tomorrow: str, later: str) -> None:
    tr = Translator(tag)
    service = Service("s", "S", "O", "d", ())
    # A Thursday 14:00 in Toronto (19:00 UTC); it closes at 17:00, reopens Friday or Monday at 9:00.
    now = datetime(2026, 3, 5, 19, 0, tzinfo=UTC)
    closes = datetime(2026, 3, 5, 22, 0, tzinfo=UTC)
    friday, monday = datetime(2026, 3, 6, 14, 0, tzinfo=UTC), datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    shown = [
        tr.render(open_line(service, SimpleNamespace(is_open=True, closes_at=closes, opens_at=None), now)),
        tr.render(open_line(service, SimpleNamespace(is_open=False, closes_at=None, opens_at=friday), now)),
        tr.render(open_line(service, SimpleNamespace(is_open=False, closes_at=None, opens_at=monday), now)),
    ]
    assert [open_now, tomorrow, later] == shown


@pytest.mark.parametrize(("tag", "month"), [("en", "March 2026"), ("fr", "mars 2026"), ("ko", "2026년 3월"),
                                            ("pl", "marzec 2026"), ("zh-Hans", "2026年3月")])
def test_checked_dates_name_the_month_in_the_locale(tag: str, month: str) -> None:
    assert month in Translator(tag).render(_("Information checked %(month)s", month=date(2026, 3, 14)))


@pytest.mark.parametrize(("tag", "text"), [("en", "1,000"), ("fr", "1 000"), ("es", "1.000"), ("pl", "1 000"),
                                           ("ar", "1,000"), ("hi", "1,000")])
def test_numbers_in_placeholders_use_the_locale_grouping(tag: str, text: str) -> None:
    assert text in Translator(tag).render(_("Service %(number)s", number=1000))


@pytest.mark.parametrize(
    ("tag", "n", "text"),
    [
        ("en", 1, "1 day,"), ("en", 30, "30 days,"),
        ("pl", 1, "po 1 dniu."), ("pl", 3, "po 3 dniach."), ("pl", 22, "po 22 dniach."),
        ("ar", 3, "3 أيام"), ("ar", 30, "30 يومًا"), ("ar", 1, "1 يوم"),
        ("fr", 1, "1 jour,"), ("fr", 30, "30 jours,"), ("ko", 30, "30일"),
    ],
)
def test_plural_forms_follow_the_number(tag: str, n: int, text: str) -> None:
    msg = ngettext(
        "We keep your messages for %(days)s day, then delete them. We never keep your phone number.",
        "We keep your messages for %(days)s days, then delete them. We never keep your phone number.",
        n, days=n,
    )
    assert text in Translator(tag).render(msg)


@pytest.mark.parametrize("tag", LANGUAGES)
def test_phone_numbers_stay_in_canadian_national_format_in_every_language(tag: str) -> None:
    tr = Translator(tag)
    shown = tr.render(_("Call or text %(phone)s to talk to someone now.", phone=format_phone(Phone("905-849-4541"))))
    assert "(905) 849-4541" in shown
    assert "tel:+19058494541;ext=210" == tel_uri(Phone("905.849.4541", extension="210"))


def test_weekday_placeholders_are_named_in_the_locale() -> None:
    assert "mercredi" in Translator("fr").render(_("Closed now. Opens %(day)s at %(time)s", day=Weekday(3),
                                                   time=time(9)))


@pytest.mark.parametrize("tag", LANGUAGES)
def test_common_need_buttons_are_understood_in_their_language(tag: str) -> None:
    # The web chat sends a button's translated label as the resident's message.
    from navigator import match

    tr = Translator(tag)
    misread = []
    for code, label in COMMON_NEEDS:
        found = match(tr.render(label), context={"conversation_language": tag})
        if found.language != tag or found.need_codes[:1] != (code,):
            misread.append((tr.render(label), found.language, found.need_codes))
    assert [] == misread


@pytest.mark.parametrize(("tag", "names"), [("en", "English, American Sign Language, French"),
                                            ("fr", "anglais, langue des signes américaine, français")])
def test_service_languages_are_named_in_the_locale(tag: str, names: str) -> None:
    assert names == language_names(("en", "ase", "fr"), Translator(tag))
