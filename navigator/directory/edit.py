"""Validated edits of directory records, with their history as HSDS metadata rows.

An edit names the parts of one service it changes (phones, hours, eligibility,
ages, languages, service areas).  Every value is checked as the HSDS import
checks it (types and formats of the HSDS data package) and against what
navigator can use (a dialable number, a weekday, a known town).  Any error
saves nothing; otherwise every change is written in one transaction on its own
read-write connection, each recorded as a ``metadata`` row: who, when, field,
previous and new value.  The rest of navigator opens the file read-only.
"""
from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import phonenumbers
from babel import Locale, UnknownLocaleError

from ..models import LANGUAGES, MUNICIPALITIES, WIDER_AREAS
from . import interchange_spec as spec
from .build import make_id
from .interchange_check import convert
from .parse import ICAL_DAYS, LANGUAGE_NAMES, phone_type

EDITABLE = ("phones", "hours", "eligibility", "ages", "languages", "service_areas")
LANGUAGE_CODES = tuple(dict.fromkeys((*LANGUAGES, *LANGUAGE_NAMES.values())))
AREAS = (*MUNICIPALITIES, *WIDER_AREAS)
STALE_AFTER = timedelta(days=365)
_SHORT_CODE = re.compile(r"^[2-9]-?1-?1$")  # 211, 311, 811, 911 and the 2-1-1 spelling


class EditInvalid(ValueError):
    """An edit with errors, by form field (e.g. ``phones.0.number``); nothing was saved."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class UnknownService(LookupError):
    """No service has this id."""


@dataclass(frozen=True)
class Change:
    """One recorded change of one field: who, when, what it was and what it became."""

    when: str
    who: str
    action: str
    field: str
    previous: str
    new: str


def _field(table: str, name: str) -> spec.Field:
    return next(f for f in spec.table(table).fields if f.name == name)


def _checked(errors: dict[str, str], key: str, table: str, column: str, raw: Any) -> Any:
    """Convert ``raw`` as the HSDS import would; note the error under ``key``."""
    value, problem = convert(_field(table, column), raw if raw is None else str(raw).strip(), False)
    if problem:
        errors[key] = problem
    return value


def _phone_number(errors: dict[str, str], key: str, raw: str) -> str | None:
    text = raw.strip()
    if not text:
        errors[key] = "enter a phone number"
        return None
    if _SHORT_CODE.match(text):
        return text
    try:
        parsed = phonenumbers.parse(text, "CA")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or parsed.country_code != 1 or not phonenumbers.is_valid_number(parsed):
        errors[key] = f"{raw!r} is not a North American phone number (like 905-555-0123) or 211"
        return None
    digits = str(parsed.national_number)
    # The sources' own style: 905-849-4541, and 1-800-... for toll-free numbers.
    local = f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    toll_free = phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.TOLL_FREE
    return "1-" + local if toll_free else local


def _phones(errors: dict[str, str], rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for i, row in enumerate(rows):
        number = _phone_number(errors, f"phones.{i}.number", str(row.get("number") or ""))
        extension = _checked(errors, f"phones.{i}.extension", "phone", "extension", row.get("extension") or None)
        if extension is not None and (not isinstance(extension, int) or extension <= 0):
            errors[f"phones.{i}.extension"] = "an extension is a whole number"
        description = _checked(errors, f"phones.{i}.description", "phone", "description",
                               (row.get("description") or "").strip() or None)
        found.append({"number": number, "extension": extension, "description": description})
    return found


def _hours(errors: dict[str, str], rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for i, row in enumerate(rows):
        raw_days = row.get("days") or []
        days = [d.strip().upper() for d in (raw_days.split(",") if isinstance(raw_days, str) else raw_days)]
        days = [d for d in days if d]
        if not days:
            errors[f"hours.{i}.days"] = "choose at least one day"
        elif any(d not in ICAL_DAYS for d in days):
            errors[f"hours.{i}.days"] = f"days are {', '.join(ICAL_DAYS)}"
        opens = _checked(errors, f"hours.{i}.opens", "schedule", "opens_at", _clock(row.get("opens")))
        closes = _checked(errors, f"hours.{i}.closes", "schedule", "closes_at", _clock(row.get("closes")))
        if opens is None and f"hours.{i}.opens" not in errors:
            errors[f"hours.{i}.opens"] = "enter the opening time (HH:MM)"
        if closes is None and f"hours.{i}.closes" not in errors:
            errors[f"hours.{i}.closes"] = "enter the closing time (HH:MM)"
        if opens is not None and opens == closes:
            errors[f"hours.{i}.closes"] = "closes at the time it opens"
        ordered = ",".join(d for d in ICAL_DAYS if d in days)
        found.append({"byday": ordered, "opens_at": opens and opens[:5], "closes_at": closes and closes[:5]})
    return found


def _clock(raw: Any) -> str | None:
    # "9:00" is how people write nine o'clock; HSDS wants "09:00".
    text = str(raw or "").strip()
    return ("0" + text if re.match(r"^\d:\d\d", text) else text) or None


def _ages(errors: dict[str, str], form: Mapping[str, Any]) -> tuple[int | None, int | None]:
    ages: list[int | None] = []
    for name in ("minimum_age", "maximum_age"):
        value = _checked(errors, name, "service", name, form.get(name) or None)
        if value is not None and (not isinstance(value, int) or not 0 <= value <= 120):
            errors[name] = "an age is a whole number from 0 to 120"
            value = None
        ages.append(value)
    low, high = ages
    if low is not None and high is not None and low > high:
        errors["maximum_age"] = "the maximum age is below the minimum age"
    return low, high


def _choices(errors: dict[str, str], key: str, values: Any, allowed: tuple[str, ...]) -> list[str]:
    chosen = [v.strip() for v in (values.split(",") if isinstance(values, str) else values or []) if v.strip()]
    unknown = [v for v in chosen if v not in allowed]
    if unknown:
        errors[key] = f"unknown {', '.join(unknown)}; expected some of {', '.join(allowed)}"
    return list(dict.fromkeys(chosen))


def validate(form: Mapping[str, Any]) -> dict[str, Any]:
    """Return the clean values of an edit form, or raise EditInvalid with every error."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if "phones" in form:
        clean["phones"] = _phones(errors, form["phones"])
    if "hours" in form:
        clean["hours"] = _hours(errors, form["hours"])
    if "eligibility" in form:
        text = str(form["eligibility"] or "").strip()
        clean["eligibility"] = _checked(errors, "eligibility", "service", "eligibility_description", text or None)
    if "minimum_age" in form or "maximum_age" in form:
        clean["ages"] = _ages(errors, form)
    if "languages" in form:
        clean["languages"] = _choices(errors, "languages", form["languages"], LANGUAGE_CODES)
    if "service_areas" in form:
        clean["service_areas"] = _choices(errors, "service_areas", form["service_areas"], AREAS)
    if errors:
        raise EditInvalid(errors)
    return clean


# ---- reading the current values, as text for the history -------------------------------------

def _phone_text(row: Mapping[str, Any]) -> str:
    text = str(row["number"])
    if row.get("extension") is not None:
        text += f" ext. {row['extension']}"
    if row.get("description"):
        text += f" ({row['description']})"
    return text


def _current(db: sqlite3.Connection, service_id: str) -> dict[str, str]:
    row = db.execute("SELECT eligibility_description, minimum_age, maximum_age FROM service WHERE id = ?",
                     (service_id,)).fetchone()
    if row is None:
        raise UnknownService(service_id)
    phones = db.execute("SELECT number, extension, description FROM phone WHERE service_id = ? ORDER BY rowid",
                        (service_id,)).fetchall()
    hours = db.execute("SELECT byday, opens_at, closes_at FROM schedule WHERE service_id = ? AND byday IS NOT NULL"
                       " ORDER BY rowid", (service_id,)).fetchall()
    languages = [r[0] for r in db.execute("SELECT code FROM language WHERE service_id = ? ORDER BY rowid",
                                          (service_id,))]
    areas = [r[0] for r in db.execute("SELECT name FROM service_area WHERE service_id = ? ORDER BY rowid",
                                      (service_id,))]
    return {
        "phone": "; ".join(_phone_text({"number": n, "extension": e, "description": d}) for n, e, d in phones),
        "schedule": "; ".join(f"{d} {o[:5]}-{c[:5]}" for d, o, c in hours),
        "eligibility_description": row[0] or "",
        "minimum_age": "" if row[1] is None else str(int(row[1])),
        "maximum_age": "" if row[2] is None else str(int(row[2])),
        "language": ", ".join(languages),
        "service_area": ", ".join(areas),
    }


def _new_text(clean: dict[str, Any]) -> dict[str, str]:
    texts: dict[str, str] = {}
    if "phones" in clean:
        texts["phone"] = "; ".join(_phone_text(p) for p in clean["phones"])
    if "hours" in clean:
        texts["schedule"] = "; ".join(f"{h['byday']} {h['opens_at']}-{h['closes_at']}" for h in clean["hours"])
    if "eligibility" in clean:
        texts["eligibility_description"] = clean["eligibility"] or ""
    if "ages" in clean:
        low, high = clean["ages"]
        texts["minimum_age"] = "" if low is None else str(low)
        texts["maximum_age"] = "" if high is None else str(high)
    if "languages" in clean:
        texts["language"] = ", ".join(clean["languages"])
    if "service_areas" in clean:
        texts["service_area"] = ", ".join(clean["service_areas"])
    return texts


# ---- writing --------------------------------------------------------------------------------

def _connect(path: str | Path) -> sqlite3.Connection:
    db = sqlite3.connect(str(path), timeout=10, isolation_level=None)
    db.execute("PRAGMA busy_timeout=10000")
    db.execute("PRAGMA foreign_keys=ON")
    return db


def _write_rows(db: sqlite3.Connection, service_id: str, field: str, clean: dict[str, Any]) -> None:
    if field == "phone":
        db.execute("DELETE FROM phone WHERE service_id = ?", (service_id,))
        for phone in clean["phones"]:
            db.execute("INSERT INTO phone (id, service_id, number, extension, type, description) VALUES (?, ?, ?, ?, ?, ?)",
                       (str(uuid.uuid4()), service_id, phone["number"], phone["extension"],
                        phone_type(phone["description"]), phone["description"]))
    elif field == "schedule":
        # Weekly rows only: an unreadable source text kept as a description row is replaced too.
        db.execute("DELETE FROM schedule WHERE service_id = ?", (service_id,))
        for window in clean["hours"]:
            db.execute("INSERT INTO schedule (id, service_id, freq, wkst, byday, opens_at, closes_at)"
                       " VALUES (?, ?, 'WEEKLY', 'MO', ?, ?, ?)",
                       (str(uuid.uuid4()), service_id, window["byday"], window["opens_at"], window["closes_at"]))
    elif field == "eligibility_description":
        db.execute("UPDATE service SET eligibility_description = ? WHERE id = ?", (clean["eligibility"], service_id))
    elif field in ("minimum_age", "maximum_age"):
        value = clean["ages"][0 if field == "minimum_age" else 1]
        db.execute(f"UPDATE service SET {field} = ? WHERE id = ?", (value, service_id))
    elif field == "language":
        db.execute("DELETE FROM language WHERE service_id = ?", (service_id,))
        for code in clean["languages"]:
            db.execute("INSERT INTO language (id, service_id, code, name) VALUES (?, ?, ?, ?)",
                       (make_id("language", service_id, code), service_id, code, _language_name(code)))
    elif field == "service_area":
        db.execute("DELETE FROM service_area WHERE service_id = ?", (service_id,))
        for slug in clean["service_areas"]:
            db.execute("INSERT INTO service_area (id, service_id, name, description) VALUES (?, ?, ?, ?)",
                       (make_id("service_area", service_id, slug), service_id, slug, slug))


def _language_name(code: str) -> str:
    try:
        return str(Locale.parse(code.replace("-", "_")).get_display_name("en") or code)
    except (ValueError, UnknownLocaleError):
        return code


def refresh(directory: Any) -> None:
    """Drop a process's cached copy of a directory so its next read sees the edit."""
    # Services, search facts, searches and the spelling vocabulary are kept in memory.
    forget = getattr(directory, "forget", None)
    if forget is not None:
        forget()


def refresh_all(path: str | Path, also: Sequence[Any] = ()) -> None:
    """Refresh every cached view of the directory at ``path`` this process holds."""
    from .. import matcher
    from . import search

    resolved = Path(path).resolve()
    views = [*also, *(d for _, d in search._OPEN.values())]
    views += [m.directory for m in matcher._MATCHERS.values() if m.directory is not None]
    for view in views:
        if getattr(view, "path", None) == resolved:
            refresh(view)


def _record(db: sqlite3.Connection, service_id: str, who: str, today: date, action: str, field: str,
            previous: str, new: str) -> Change:
    db.execute(
        "INSERT INTO metadata (id, resource_id, resource_type, last_action_date, last_action_type, field_name,"
        " previous_value, replacement_value, updated_by) VALUES (?, ?, 'service', ?, ?, ?, ?, ?, ?)",
        (str(uuid.uuid4()), service_id, today.isoformat(), action, field, previous, new, who),
    )
    return Change(today.isoformat(), who, action, field, previous, new)


def apply(path: str | Path, service_id: str, form: Mapping[str, Any], who: str, today: date) -> list[Change]:
    """Validate and save an edit of one service in one transaction; return the changes recorded."""
    clean = validate(form)
    with closing(_connect(path)) as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            before = _current(db, service_id)
            changes = []
            for field, new in _new_text(clean).items():
                if new == before[field]:
                    continue
                _write_rows(db, service_id, field, clean)
                changes.append(_record(db, service_id, who, today, "update", field, before[field], new))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return changes


def mark_verified(path: str | Path, service_id: str, who: str, today: date) -> Change:
    """Record that someone checked the whole record today (HSDS ``assured_date``)."""
    with closing(_connect(path)) as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT assured_date FROM service WHERE id = ?", (service_id,)).fetchone()
            if row is None:
                raise UnknownService(service_id)
            db.execute("UPDATE service SET assured_date = ? WHERE id = ?", (today.isoformat(), service_id))
            change = _record(db, service_id, who, today, "verify", "assured_date", row[0] or "", today.isoformat())
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return change


def history(path: str | Path, service_id: str) -> list[Change]:
    """Return the changes recorded for a service, newest first."""
    with closing(sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT last_action_date, updated_by, last_action_type, field_name, previous_value, replacement_value"
            " FROM metadata WHERE resource_type = 'service' AND resource_id = ? ORDER BY rowid DESC",
            (service_id,),
        ).fetchall()
    return [Change(*(str(v or "") for v in row)) for row in rows]


@dataclass(frozen=True)
class Stale:
    """A record that needs a look, and why."""

    id: str
    name: str
    organization: str
    reasons: tuple[str, ...]


def stale(path: str | Path, today: date) -> list[Stale]:
    """List records not verified in 12 months, missing a phone or service area, or with past hours."""
    cutoff = (today - STALE_AFTER).isoformat()
    now = today.isoformat()
    sql = """
        SELECT s.id, s.name, COALESCE(o.name, ''),
               s.assured_date IS NULL OR s.assured_date < :cutoff,
               NOT EXISTS (SELECT 1 FROM phone p WHERE p.service_id = s.id),
               NOT EXISTS (SELECT 1 FROM service_area a WHERE a.service_id = s.id),
               EXISTS (SELECT 1 FROM schedule h WHERE h.service_id = s.id
                       AND ((h.valid_to IS NOT NULL AND h.valid_to < :now) OR (h.until IS NOT NULL AND h.until < :now)))
        FROM service s LEFT JOIN organization o ON o.id = s.organization_id ORDER BY s.name"""
    labels = ("not verified in 12 months", "no phone", "no service area", "hours in the past")
    found = []
    with closing(sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)) as db:
        for row in db.execute(sql, {"cutoff": cutoff, "now": now}):
            reasons = tuple(label for label, flag in zip(labels, row[3:], strict=True) if flag)
            if reasons:
                found.append(Stale(row[0], row[1], row[2], reasons))
    return found
