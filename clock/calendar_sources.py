"""Where the official working-day schedule comes from.

Two sources feed the calendar table:

* ``official_schedule()``: the maintained ``chinesecalendar`` package (module
  ``chinese_calendar``), which transcribes every State Council notice
  (国务院办公厅关于某年部分节假日安排的通知) since 2004.
  The tests cross-check it against the notices themselves and against the ``holidays`` package.
* ``load_schedule_file()``: a small JSON or CSV file an administrator writes when the State Council
  publishes the next year's notice (late October to early December), before a package release
  carries it. The format is documented in ``fixtures/calendar/README.md``.

Both return the same shape, ``{year: {"holidays": [(date, name), ...], "workdays": [(date, name),
...], "source": str | None}}``, sorted by date, which ``WorkingCalendar.from_schedule`` accepts.
Nothing here touches the database: the ``load_calendar`` command and the migrations store it.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Iterable
from datetime import date
from os import PathLike
from pathlib import Path
from typing import Any, TypedDict

import chinese_calendar

from clock.calendar import SPAN_FIRST, SPAN_LAST, WorkingCalendar

__all__ = [
    "YearSchedule",
    "available_years",
    "load_schedule_file",
    "official_schedule",
    "package_calendar",
]


class YearSchedule(TypedDict):
    """One year's official schedule.

    ``holidays`` are days off (weekday ones are what changes counting; weekend ones inside a
    holiday span are kept for display); ``workdays`` are adjusted working days on weekends
    (调休上班). ``source`` names the notice or package the days come from.
    """

    holidays: list[tuple[date, str]]
    workdays: list[tuple[date, str]]
    source: str | None


HOLIDAY = "holiday"
WORKDAY = "workday"

# Known errors in the package, fixed here with the notice that proves them. The tests compare the
# corrected schedule with the ``holidays`` package for every year, so a new disagreement shows up.
_CORRECTIONS: dict[date, tuple[str, str]] = {
    # 国办发明电〔2005〕35号 (the 2006 notice), item 1: "12月31日（星期六）上班". chinesecalendar
    # 1.11.0 leaves 2005-12-31 a day off; the holidays package has it as a working day.
    date(2005, 12, 31): (WORKDAY, "元旦调休"),
}

# The package's names are English strings; its Holiday enum carries the Chinese one.
_CHINESE_NAMES: dict[str, str] = {h.value: h.chinese for h in chinese_calendar.Holiday}


def available_years() -> list[int]:
    """Years the installed chinesecalendar covers with an official schedule (2004..2026 in 1.11.0).

    The package validates dates against the span of its holiday table, so that span is the set of
    years it vouches for.
    """
    days = chinese_calendar.holidays.keys()
    return list(range(min(days).year, max(days).year + 1))


def _chinese(name: str | None) -> str:
    return _CHINESE_NAMES.get(name or "", name or "")


def official_schedule(years: Iterable[int] | None = None) -> dict[int, YearSchedule]:
    """The official schedule of ``years`` (default: every year the package covers).

    Days are filed under their own calendar year: the notice for year Y sometimes moves a late
    December day of Y-1 (e.g. 2018-12-29 worked, 2018-12-31 off, from the 2019 notice), and the
    package stores it that way too. Asking for a year the package does not cover is an error, not
    an empty schedule, so a missing year can never be mistaken for "no holidays".
    """
    covered = available_years()
    wanted = sorted(set(covered if years is None else years))
    missing = [year for year in wanted if year not in covered]
    if missing:
        raise ValueError(
            f"chinesecalendar {chinese_calendar.__version__} has no official schedule for "
            f"{', '.join(map(str, missing))} (it covers {covered[0]}..{covered[-1]}); load a "
            "newly published year from a file with `python manage.py load_calendar FILE`."
        )

    wanted_set = set(wanted)
    kinds: dict[date, tuple[str, str]] = {}
    for day, name in chinese_calendar.holidays.items():
        if day.year in wanted_set:
            kinds[day] = (HOLIDAY, _chinese(name))
    for day, name in chinese_calendar.workdays.items():
        if day.year in wanted_set:
            kinds[day] = (WORKDAY, f"{_chinese(name)}调休")
    for day, correction in _CORRECTIONS.items():
        if day.year in wanted_set:
            kinds[day] = correction

    source = f"chinesecalendar {chinese_calendar.__version__} (国务院办公厅节假日安排通知)"
    result: dict[int, YearSchedule] = {
        year: {"holidays": [], "workdays": [], "source": source} for year in wanted
    }
    for day in sorted(kinds):
        kind, name = kinds[day]
        result[day.year]["holidays" if kind == HOLIDAY else "workdays"].append((day, name))
    return result


@functools.cache
def package_calendar() -> WorkingCalendar:
    """A calendar built from the package alone, every covered year official.

    For scripts, benchmarks and tests that must not need a database; the application itself
    uses the calendar stored in the database, which an administrator can correct.
    """
    return WorkingCalendar.from_schedule(official_schedule())


PROVISIONAL_YEARS_AHEAD = 5  # how far past the last official year the statutory estimate reaches


@functools.cache
def provisional_holidays(first_year: int, last_year: int) -> tuple[tuple[date, str], ...]:
    """The statutory holidays of years whose official schedule is not yet published.

    Until the State Council notice is out, a year's days off are still partly known: the statutory
    holidays themselves (《全国年节及纪念日放假办法》: New Year 1 day, Spring Festival 4, Qingming 1,
    Labour Day 2, Dragon Boat 1, Mid-Autumn 1, National Day 3) and the rule that one falling on a
    weekend is made up on a working day. The ``holidays`` package computes exactly that, lunar dates
    included; the weekend swaps (调休) are unknowable and come with the notice. Deadlines in these
    years stay marked provisional.
    """
    import holidays

    if last_year < first_year:
        return ()
    days = holidays.China(years=range(first_year, last_year + 1), language="zh_CN")
    return tuple(sorted((d, str(name)) for d, name in days.items()))


# ---------------------------------------------------------------------- schedule files

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_JSON_KEYS = {"year", "source", "holidays", "workdays"}
_JSON_DAY_KEYS = {"date", "name"}
_CSV_REQUIRED = ("date", "kind", "name")
_CSV_OPTIONAL = ("source",)


def _fail(where: str, problem: str) -> ValueError:
    return ValueError(f"{where}: {problem}" if where else problem)


def _parse_date(value: Any, where: str) -> date:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value.strip()):
        raise _fail(where, f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2027-01-01.")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _fail(
            where, f"{value!r} is not a valid calendar date; check month and day."
        ) from None


def _build_year(
    year: int,
    days: list[tuple[date, str, str, str]],
    source: str | None,
    where: str,
) -> YearSchedule:
    """Validate one notice's days, given as (date, kind, name, location) rows.

    The rules catch the mistakes a person makes copying a notice by hand: a day listed twice, a
    "working day" that is already a weekday (usually a holiday typed in the wrong list), a date
    from another year (usually a typo in the year).
    """
    if not days:
        raise _fail(
            where,
            "no days are listed; copy the holidays and adjusted working days "
            "of the notice into the file.",
        )
    seen: dict[date, str] = {}
    schedule: YearSchedule = {"holidays": [], "workdays": [], "source": source}
    for day, kind, name, location in days:
        if day in seen:
            raise _fail(
                location,
                f"{day.isoformat()} is listed twice (first at {seen[day]}); "
                "keep one entry per date.",
            )
        seen[day] = location
        if day.year != year and not (day.year == year - 1 and day.month == 12):
            raise _fail(
                location,
                f"{day.isoformat()} is not in {year}: one schedule describes "
                "one year (only December days of the year before may be part "
                "of its New Year arrangement); put other years in their own "
                "schedule or fix the year.",
            )
        if kind == WORKDAY and day.weekday() < 5:
            raise _fail(
                location,
                f"adjusted working day {day.isoformat()} is a "
                f"{_WEEKDAYS[day.weekday()]}, not a Saturday or Sunday; "
                "weekdays are working days anyway. Is it a holiday listed "
                "under the wrong kind, or a wrong date?",
            )
        schedule["holidays" if kind == HOLIDAY else "workdays"].append((day, name))
    if not schedule["holidays"]:
        raise _fail(
            where,
            f"no holidays are listed for {year}; every notice has some. "
            "Is the kind column or the holidays list missing?",
        )
    schedule["holidays"].sort()
    schedule["workdays"].sort()
    return schedule


def _json_days(items: Any, kind: str, key: str, where: str) -> list[tuple[date, str, str, str]]:
    if not isinstance(items, list):
        raise _fail(
            f"{where}{key}", 'must be a list of {"date": "YYYY-MM-DD", "name": "..."} objects.'
        )
    rows = []
    for index, item in enumerate(items):
        location = f"{where}{key}[{index}]"
        if not isinstance(item, dict):
            raise _fail(location, 'must be an object like {"date": "2027-01-01", "name": "元旦"}.')
        unknown = set(item) - _JSON_DAY_KEYS
        if unknown:
            raise _fail(
                location, f"unknown field(s) {', '.join(sorted(unknown))}; allowed: date, name."
            )
        if "date" not in item:
            raise _fail(location, 'the "date" field is missing.')
        name = item.get("name", "")
        if not isinstance(name, str):
            raise _fail(f"{location}.name", "must be a text (the holiday's name).")
        rows.append((_parse_date(item["date"], f"{location}.date"), kind, name.strip(), location))
    return rows


def _json_year(obj: Any, where: str) -> tuple[int, YearSchedule]:
    if not isinstance(obj, dict):
        raise _fail(
            where or "top level",
            'must be an object {"year": ..., "holidays": [...], '
            '"workdays": [...]} or a list of such objects.',
        )
    prefix = f"{where}." if where else ""
    unknown = set(obj) - _JSON_KEYS
    if unknown:
        raise _fail(
            where or "top level",
            f"unknown field(s) {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(_JSON_KEYS))}.",
        )
    year = obj.get("year")
    if isinstance(year, bool) or not isinstance(year, int):
        raise _fail(f"{prefix}year", f"must be the year as a number, e.g. 2027; got {year!r}.")
    if not SPAN_FIRST.year <= year <= SPAN_LAST.year:
        raise _fail(f"{prefix}year", f"{year} is outside {SPAN_FIRST.year}..{SPAN_LAST.year}.")
    source = obj.get("source")
    if source is not None and not isinstance(source, str):
        raise _fail(f"{prefix}source", "must be a text naming the notice.")
    if "holidays" not in obj:
        raise _fail(where or "top level", 'the "holidays" list is missing.')
    days = _json_days(obj["holidays"], HOLIDAY, "holidays", prefix)
    days += _json_days(obj.get("workdays", []), WORKDAY, "workdays", prefix)
    return year, _build_year(year, days, (source or "").strip() or None, where or "top level")


def _load_json(text: str) -> dict[int, YearSchedule]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})."
        ) from None
    objects = data if isinstance(data, list) else [data]
    if not objects:
        raise ValueError("the list is empty; give at least one year's schedule.")
    result: dict[int, YearSchedule] = {}
    for index, obj in enumerate(objects):
        where = f"[{index}]" if isinstance(data, list) else ""
        year, schedule = _json_year(obj, where)
        if year in result:
            raise _fail(f"{where}.year", f"{year} appears twice; merge the two objects into one.")
        result[year] = schedule
    return result


def _load_csv(text: str) -> dict[int, YearSchedule]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    columns = [column.strip().lower() for column in header or []]
    if (
        not set(_CSV_REQUIRED) <= set(columns)
        or not set(columns) <= set(_CSV_REQUIRED + _CSV_OPTIONAL)
        or len(set(columns)) != len(columns)
    ):
        raise ValueError(
            f"line 1: the header must be 'date,kind,name' (optionally "
            f"',source'); got {','.join(columns)!r}."
        )
    rows: list[tuple[date, str, str, str]] = []
    source: str | None = None
    source_location = ""
    for values in reader:
        location = f"line {reader.line_num}"
        if not any(value.strip() for value in values):
            continue  # blank lines are harmless
        if len(values) != len(columns):
            raise ValueError(
                f"{location}: {len(values)} fields, the header has {len(columns)}; "
                "quote names that contain a comma."
            )
        row = {column: value.strip() for column, value in zip(columns, values, strict=True)}
        day = _parse_date(row["date"], f"{location}: date")
        kind = row["kind"].lower()
        if kind not in (HOLIDAY, WORKDAY):
            raise ValueError(
                f"{location}: kind {row['kind']!r} is unknown; write 'holiday' for "
                "a day off or 'workday' for an adjusted working day (调休上班)."
            )
        row_source = row.get("source") or None
        if row_source:
            if source is not None and row_source != source:
                raise ValueError(
                    f"{location}: source {row_source!r} differs from {source!r} on "
                    f"{source_location}; one file describes one notice."
                )
            source, source_location = row_source, location
        rows.append((day, kind, row["name"], location))
    if not rows:
        raise ValueError(
            "only a header, no days; add one line per holiday and adjusted working day."
        )
    # One CSV file is one notice: its year is the latest year in it (a New Year arrangement may
    # add December days of the year before, which _build_year allows).
    year = max(row[0].year for row in rows)
    if not SPAN_FIRST.year <= year <= SPAN_LAST.year:
        raise ValueError(f"{year} is outside {SPAN_FIRST.year}..{SPAN_LAST.year}.")
    return {year: _build_year(year, rows, source, "")}


def load_schedule_file(path: str | PathLike[str]) -> dict[int, YearSchedule]:
    """Read and strictly validate a schedule file (``.json`` or ``.csv``).

    Raises ValueError naming the file, the line or field, and what to fix: a wrong schedule
    silently moves every open deadline, so nothing doubtful is accepted. The format is documented
    in ``fixtures/calendar/README.md``; ``fixtures/calendar/sample-2027.json`` is an example.
    """
    file = Path(path)
    name = file.name
    suffix = file.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise ValueError(f"{name}: unknown file type {file.suffix!r}; use a .json or .csv file.")
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ValueError(f"{name}: cannot read the file ({exc.strerror or exc}).") from None
    try:
        text = raw.decode("utf-8-sig")  # Excel writes a BOM in "CSV UTF-8"
    except UnicodeDecodeError:
        raise ValueError(
            f"{name}: not UTF-8 text; save it as UTF-8 (in Excel: 'CSV UTF-8')."
        ) from None
    if not text.strip():
        raise ValueError(f"{name}: the file is empty.")
    try:
        return _load_json(text) if suffix == ".json" else _load_csv(text)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None
