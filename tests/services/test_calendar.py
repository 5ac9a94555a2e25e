"""Working-day calendar: the official schedules, the counting rule, provisional years, files.

Pure tests: no database. The expected 2025 and 2026 days are typed from the State Council notices,
not derived from the packages, so a wrong package release fails here.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import holidays as holidays_pkg
import pytest

from clock.calendar import (
    SPAN_FIRST,
    SPAN_LAST,
    WorkingCalendar,
    naive_add_working_days,
    naive_working_days_between,
)
from clock.calendar_sources import (
    available_years,
    load_schedule_file,
    official_schedule,
    package_calendar,
)

D = date
SAMPLE_2027 = Path(__file__).resolve().parents[2] / "fixtures" / "calendar" / "sample-2027.json"

# 国务院办公厅关于2026年部分节假日安排的通知: 元旦 Jan 1-3, work Jan 4 (Sun); 春节 Feb 15-23,
# work Feb 14 (Sat) and Feb 28 (Sat); 清明 Apr 4-6; 劳动节 May 1-5, work May 9 (Sat);
# 端午 Jun 19-21; 中秋 Sep 25-27; 国庆 Oct 1-7, work Sep 20 (Sun) and Oct 10 (Sat).
NOTICE_2026_WORKDAYS = {D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9),
                        D(2026, 9, 20), D(2026, 10, 10)}  # fmt: skip
NOTICE_2026_WEEKDAY_HOLIDAYS = {
    D(2026, 1, 1), D(2026, 1, 2),
    D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19), D(2026, 2, 20), D(2026, 2, 23),
    D(2026, 4, 6),
    D(2026, 5, 1), D(2026, 5, 4), D(2026, 5, 5),
    D(2026, 6, 19),
    D(2026, 9, 25),
    D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 5), D(2026, 10, 6), D(2026, 10, 7),
}  # fmt: skip

# 国办发明电〔2024〕12号 (2025): 元旦 Jan 1; 春节 Jan 28-Feb 4, work Jan 26 (Sun) and Feb 8 (Sat);
# 清明 Apr 4-6; 劳动节 May 1-5, work Apr 27 (Sun); 端午 May 31-Jun 2; 国庆中秋 Oct 1-8, work Sep 28
# (Sun) and Oct 11 (Sat).
NOTICE_2025_WORKDAYS = {D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28),
                        D(2025, 10, 11)}  # fmt: skip
NOTICE_2025_WEEKDAY_HOLIDAYS = {
    D(2025, 1, 1),
    D(2025, 1, 28), D(2025, 1, 29), D(2025, 1, 30), D(2025, 1, 31), D(2025, 2, 3), D(2025, 2, 4),
    D(2025, 4, 4),
    D(2025, 5, 1), D(2025, 5, 2), D(2025, 5, 5),
    D(2025, 6, 2),
    D(2025, 10, 1), D(2025, 10, 2), D(2025, 10, 3), D(2025, 10, 6), D(2025, 10, 7), D(2025, 10, 8),
}  # fmt: skip


def days_of(year: int) -> list[date]:
    first, last = D(year, 1, 1), D(year, 12, 31)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return package_calendar()


# ---------------------------------------------------------------------- official schedules


@pytest.mark.parametrize(
    ("year", "workdays", "weekday_holidays"),
    [
        (2025, NOTICE_2025_WORKDAYS, NOTICE_2025_WEEKDAY_HOLIDAYS),
        (2026, NOTICE_2026_WORKDAYS, NOTICE_2026_WEEKDAY_HOLIDAYS),
    ],
)
def test_official_schedule_matches_the_state_council_notice(year, workdays, weekday_holidays):
    entry = official_schedule([2025, 2026])[year]

    assert {d for d, _ in entry["workdays"]} == workdays
    assert {d for d, _ in entry["holidays"] if d.weekday() < 5} == weekday_holidays
    # Weekend holidays may be listed too, but every listed day belongs to the year.
    assert all(d.year == year for d, _ in entry["holidays"] + entry["workdays"])


def test_official_schedule_names_are_chinese():
    entry = official_schedule([2026])[2026]
    names = dict(entry["holidays"]) | dict(entry["workdays"])

    assert names[D(2026, 2, 16)] == "春节"
    assert names[D(2026, 10, 1)] == "国庆节"
    assert names[D(2026, 2, 14)] == "春节调休"
    assert entry["source"].startswith("chinesecalendar")


def test_official_schedule_refuses_uncovered_years():
    assert available_years() == list(range(2004, 2027))
    with pytest.raises(ValueError, match="no official schedule for 2027.*load_calendar"):
        official_schedule([2026, 2027])


def test_late_december_days_of_a_new_year_notice_stay_in_their_own_year():
    # The 2019 notice: 2018-12-30..2019-01-01 off, 2018-12-29 (Sat) worked.
    entry = official_schedule([2018])[2018]
    assert D(2018, 12, 29) in {d for d, _ in entry["workdays"]}
    assert D(2018, 12, 31) in {d for d, _ in entry["holidays"]}


def test_package_error_for_2005_12_31_is_corrected(cal):
    # 国办发明电〔2005〕35号 (the 2006 notice) item 1: 12月31日（星期六）上班.
    assert cal.is_working_day(D(2005, 12, 31))


@pytest.mark.parametrize("year", [2025, 2026])
def test_holidays_package_agrees_day_by_day(cal, year):
    other = holidays_pkg.China(years=year)
    disagreements = [
        d
        for d in days_of(year)
        if cal.is_working_day(d)
        != ((d.weekday() < 5 and d not in other) or d in other.weekend_workdays)
    ]
    assert disagreements == []


def test_holidays_package_agrees_for_every_covered_year(cal):
    # Not required by the product, but it is how the 2005-12-31 error was found: any new
    # disagreement after a package upgrade should be investigated against the notice.
    other = holidays_pkg.China(years=available_years())
    disagreements = [
        d
        for year in available_years()
        for d in days_of(year)
        if cal.is_working_day(d)
        != ((d.weekday() < 5 and d not in other) or d in other.weekend_workdays)
    ]
    assert disagreements == []


def test_year_totals(cal):
    # 2025 and 2026 both have 261 weekdays; 261 - 18 + 5 and 261 - 19 + 6 working days.
    assert cal.working_days_between(D(2024, 12, 31), D(2025, 12, 31)) == 248
    assert cal.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 248


# ---------------------------------------------------------------------- counting rule


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Friday + 1 working day is the next Monday: the start day is never counted.
        (D(2026, 1, 30), 1, D(2026, 2, 2)),
        # Spring Festival 2026: Saturday Feb 14 is an adjusted working day ...
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        # ... and after it, Feb 15-23 are off: next working day is Tuesday Feb 24.
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        # National Day 2026: Oct 1-7 off; Oct 8, 9, Sat 10 (adjusted), 12, 13.
        (D(2026, 9, 30), 5, D(2026, 10, 13)),
        # Labour Day 2026: May 1-5 off; May 6, 7, 8, Sat 9 (adjusted), 11, 12, 13, 14, 15, 18.
        (D(2026, 4, 30), 10, D(2026, 5, 18)),
        # New Year 2026: Jan 1-3 off, Sunday Jan 4 worked.
        (D(2025, 12, 31), 1, D(2026, 1, 4)),
        # Spring Festival 2025: Sunday Jan 26 worked, Jan 28-Feb 4 off.
        (D(2025, 1, 24), 3, D(2025, 2, 5)),
        # National Day 2025: Oct 1-8 off.
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        # A start on a day off: counting begins with the next working day.
        (D(2026, 2, 16), 1, D(2026, 2, 24)),
        # days == 0 returns the start unchanged, even on a holiday.
        (D(2026, 2, 16), 0, D(2026, 2, 16)),
        (D(2026, 1, 30), 0, D(2026, 1, 30)),
        # Negative: the n-th working day before the start.
        (D(2026, 2, 24), -1, D(2026, 2, 14)),
        (D(2026, 2, 24), -2, D(2026, 2, 13)),
        (D(2026, 10, 8), -1, D(2026, 9, 30)),
        (D(2026, 2, 16), -1, D(2026, 2, 14)),
    ],
)
def test_add_working_days_by_hand(cal, start, days, expected):
    assert cal.add_working_days(start, days) == expected


def test_sixty_working_days_of_acceptance_ends_on_the_sixtieth_working_day_after(cal):
    # Order 47 Art. 92/99: accepted 2026-01-05, technical review due 60 WD later.
    accepted = D(2026, 1, 5)
    due = cal.add_working_days(accepted, 60)

    assert cal.working_days_between(accepted, due) == 60
    assert cal.working_days_between(accepted, due - timedelta(days=1)) == 59
    assert cal.is_working_day(due)
    # Jan 6..Feb 13 is 29 weekdays + Feb 14 (Sat, adjusted) = 30; Feb 24..Feb 27 = 34; Feb 28
    # (Sat, adjusted) = 35; Mar 2..Apr 3 = 60.
    assert due == D(2026, 4, 3)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 2, 13), D(2026, 2, 24), 2),  # Feb 14 (Sat, adjusted) and Feb 24
        (D(2026, 2, 24), D(2026, 2, 13), -2),
        (D(2026, 2, 16), D(2026, 2, 16), 0),
        (D(2026, 1, 30), D(2026, 2, 2), 1),  # (Fri, Mon]: only Monday
        (D(2026, 9, 30), D(2026, 10, 7), 0),  # the whole National Day holiday
        (D(2026, 9, 30), D(2026, 10, 10), 3),  # Oct 8, 9 and Saturday Oct 10
    ],
)
def test_working_days_between_by_hand(cal, start, end, expected):
    assert cal.working_days_between(start, end) == expected


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 1, 2), False),  # Friday, New Year holiday
        (D(2026, 1, 3), False),  # Saturday, holiday
        (D(2026, 1, 4), True),  # Sunday, adjusted working day
        (D(2026, 1, 5), True),  # ordinary Monday
        (D(2026, 1, 10), False),  # ordinary Saturday
        (D(2026, 2, 28), True),  # Saturday, adjusted working day
    ],
)
def test_is_working_day(cal, day, working):
    assert cal.is_working_day(day) is working


def test_random_starts_agree_with_the_naive_loop(cal):
    rng = random.Random(20261124)
    low, high = D(2004, 1, 1).toordinal(), D(2026, 12, 31).toordinal()
    for _ in range(3000):
        start = D.fromordinal(rng.randint(low, high))
        n = rng.randint(0, 250)
        due = cal.add_working_days(start, n)

        assert due == naive_add_working_days(cal, start, n), (start, n)
        assert cal.working_days_between(start, due) == n, (start, n)
        if n > 0:
            assert cal.is_working_day(due), (start, n)
            assert due > start


def test_negative_days_are_the_inverse(cal):
    rng = random.Random(47)
    low, high = D(2004, 1, 1).toordinal(), D(2026, 12, 31).toordinal()
    for _ in range(3000):
        start = D.fromordinal(rng.randint(low, high))
        n = rng.randint(1, 250)
        back = cal.add_working_days(start, -n)

        assert back == naive_add_working_days(cal, start, -n), (start, n)
        assert back < start and cal.is_working_day(back), (start, n)
        # (back, start] holds n - 1 working days before start, plus start if it works.
        assert cal.working_days_between(back, start) == n - 1 + cal.is_working_day(start)
        # Going forward then back lands on start if it is a working day, else the one before it.
        expected = start if cal.is_working_day(start) else cal.add_working_days(start, -1)
        assert cal.add_working_days(cal.add_working_days(start, n), -n) == expected


def test_working_days_between_agrees_with_the_naive_loop(cal):
    rng = random.Random(99)
    low, high = D(2004, 1, 1).toordinal(), D(2026, 12, 31).toordinal()
    for _ in range(500):
        a = D.fromordinal(rng.randint(low, high))
        b = a + timedelta(days=rng.randint(-400, 400))
        assert cal.working_days_between(a, b) == naive_working_days_between(cal, a, b), (a, b)


def test_outside_the_span_is_an_error(cal):
    assert cal.first_day == SPAN_FIRST and cal.last_day == SPAN_LAST
    with pytest.raises(ValueError, match="1989-12-31 is outside the working-day calendar"):
        cal.add_working_days(D(1989, 12, 31), 1)
    with pytest.raises(ValueError, match="outside"):
        cal.is_working_day(D(2101, 1, 1))
    with pytest.raises(ValueError, match="outside"):
        cal.working_days_between(D(2026, 1, 1), D(2101, 1, 1))
    with pytest.raises(ValueError, match="beyond the calendar's last day 2100-12-31"):
        cal.add_working_days(D(2100, 12, 1), 60)
    with pytest.raises(ValueError, match="before the calendar's first day"):
        cal.add_working_days(D(1990, 1, 5), -10)


def test_edges_of_the_span(cal):
    # 1990-01-01 is a Monday (provisional year, so an ordinary working day); 2100-12-31 a Friday.
    assert cal.is_working_day(D(1990, 1, 1))
    assert cal.add_working_days(D(1990, 1, 2), -1) == D(1990, 1, 1)
    assert cal.working_days_between(D(1990, 1, 1), D(1990, 1, 2)) == 1
    assert cal.add_working_days(D(1990, 1, 1), 0) == D(1990, 1, 1)
    with pytest.raises(ValueError, match="before the calendar's first day"):
        cal.add_working_days(D(1990, 1, 1), -1)
    assert cal.is_working_day(D(2100, 12, 31))
    assert cal.add_working_days(D(2100, 12, 30), 1) == D(2100, 12, 31)
    with pytest.raises(ValueError, match="beyond"):
        cal.add_working_days(D(2100, 12, 31), 1)


def test_span_grows_to_cover_the_given_days():
    far = WorkingCalendar(holidays=frozenset({D(2105, 3, 2)}))
    assert far.last_day == D(2105, 12, 31)
    assert not far.is_working_day(D(2105, 3, 2))


def test_a_day_cannot_be_both_holiday_and_workday():
    with pytest.raises(ValueError, match="both a holiday and an adjusted working day"):
        WorkingCalendar(holidays=frozenset({D(2026, 1, 4)}), workdays=frozenset({D(2026, 1, 4)}))


def test_datetimes_are_refused():
    from datetime import datetime

    with pytest.raises(TypeError, match="datetime.date"):
        WorkingCalendar(holidays=frozenset({datetime(2026, 1, 1, 8, 0)}))


def test_calendar_is_immutable_and_hashable(cal):
    with pytest.raises(AttributeError):
        cal.holidays = frozenset()  # type: ignore[misc]
    assert cal == WorkingCalendar.from_schedule(official_schedule())
    assert hash(cal) == hash(WorkingCalendar.from_schedule(official_schedule()))
    assert "official=2004..2026" in repr(cal)


# ---------------------------------------------------------------------- provisional years


@pytest.fixture(scope="module")
def cal_2025_2026() -> WorkingCalendar:
    return WorkingCalendar.from_schedule(official_schedule([2025, 2026]))


def test_unloaded_year_is_provisional_weekends_only(cal_2025_2026):
    cal = cal_2025_2026
    assert cal.official_years == {2025, 2026}
    assert not cal.is_provisional(D(2026, 12, 31))
    assert cal.is_provisional(D(2027, 1, 1))
    assert cal.is_provisional(D(2024, 6, 1))

    # 2027-01-01 is a Friday; without its schedule it counts as a working day.
    assert cal.is_working_day(D(2027, 1, 1))
    assert not cal.is_working_day(D(2027, 1, 2))  # Saturday
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert cal.working_days_between(D(2026, 12, 31), D(2027, 12, 31)) == 261  # all weekdays

    assert cal.provisional_between(D(2026, 12, 1), D(2027, 1, 10))
    assert cal.provisional_between(D(2027, 1, 10), D(2026, 12, 1))
    assert not cal.provisional_between(D(2025, 1, 1), D(2026, 12, 31))


def test_provisional_year_keeps_holidays_given_for_it():
    cal = WorkingCalendar(
        holidays=frozenset({D(2027, 1, 1)}),
        official_years=frozenset({2026}),
    )
    assert cal.is_provisional(D(2027, 1, 1))
    assert not cal.is_working_day(D(2027, 1, 1))
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_empty_calendar_is_provisional_everywhere():
    cal = WorkingCalendar.empty()
    assert cal.official_years == frozenset()
    assert cal.is_provisional(D(2026, 1, 1))
    assert cal.is_working_day(D(2026, 1, 1))  # no holidays known
    assert cal.add_working_days(D(2026, 1, 30), 1) == D(2026, 2, 2)


def test_loading_a_year_makes_it_official_and_moves_deadlines(cal_2025_2026):
    loaded = load_schedule_file(SAMPLE_2027)
    cal = WorkingCalendar.from_schedule(official_schedule([2025, 2026]) | loaded)

    assert not cal.is_provisional(D(2027, 2, 8))
    assert not cal.is_working_day(D(2027, 2, 8))
    assert cal.is_working_day(D(2027, 1, 31))  # Sunday, adjusted in the sample
    # A deadline that crossed the made-up Spring Festival moves.
    assert cal_2025_2026.add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 5)
    assert cal.add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 15)  # Feb 5-13 off, 14 Sunday


# ---------------------------------------------------------------------- schedule files

GOOD_JSON = """{
  "year": 2027,
  "source": "test notice",
  "holidays": [{"date": "2027-01-01", "name": "元旦"}, {"date": "2027-02-08", "name": "春节"}],
  "workdays": [{"date": "2027-02-20", "name": "春节调休"}]
}"""


def write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_load_good_json(tmp_path):
    result = load_schedule_file(write(tmp_path, "2027.json", GOOD_JSON))

    assert result == {
        2027: {
            "holidays": [(D(2027, 1, 1), "元旦"), (D(2027, 2, 8), "春节")],
            "workdays": [(D(2027, 2, 20), "春节调休")],
            "source": "test notice",
        }
    }


def test_load_json_list_of_years_and_december_of_the_year_before(tmp_path):
    content = """[
      {"year": 2027, "holidays": [{"date": "2027-01-01", "name": "元旦"}]},
      {"year": 2028, "source": "n2028",
       "holidays": [{"date": "2027-12-31", "name": "元旦"}, {"date": "2028-01-03"}],
       "workdays": [{"date": "2027-12-25", "name": "元旦调休"}]}
    ]"""
    result = load_schedule_file(write(tmp_path, "years.json", content))

    assert set(result) == {2027, 2028}
    assert result[2027]["source"] is None
    assert result[2028]["holidays"] == [(D(2027, 12, 31), "元旦"), (D(2028, 1, 3), "")]
    assert result[2028]["workdays"] == [(D(2027, 12, 25), "元旦调休")]


def test_load_sample_fixture_is_labelled_as_an_example():
    result = load_schedule_file(SAMPLE_2027)
    assert "NOT OFFICIAL" in result[2027]["source"]
    assert all(d.weekday() >= 5 for d, _ in result[2027]["workdays"])


def test_load_good_csv_with_bom_and_source(tmp_path):
    content = (
        "date,kind,name,source\n"
        "2027-01-01,holiday,元旦,国务院办公厅关于2027年部分节假日安排的通知\n"
        "2027-02-08,holiday,春节,\n"
        "\n"
        "2027-02-20,workday,春节调休,国务院办公厅关于2027年部分节假日安排的通知\n"
    )
    result = load_schedule_file(write(tmp_path, "2027.csv", b"\xef\xbb\xbf" + content.encode()))

    assert result == {
        2027: {
            "holidays": [(D(2027, 1, 1), "元旦"), (D(2027, 2, 8), "春节")],
            "workdays": [(D(2027, 2, 20), "春节调休")],
            "source": "国务院办公厅关于2027年部分节假日安排的通知",
        }
    }


def test_load_csv_without_source_column(tmp_path):
    content = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-31,WORKDAY,春节调休\n"
    result = load_schedule_file(write(tmp_path, "2027.csv", content))
    assert result[2027]["source"] is None
    assert result[2027]["workdays"] == [(D(2027, 1, 31), "春节调休")]


NEW_YEAR = '[{"date": "2027-01-01"}]'


def _json(holidays: str, workdays: str = "[]", year: str = "2027") -> str:
    return f'{{"year": {year}, "holidays": {holidays}, "workdays": {workdays}}}'


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.json", "", r"x\.json: the file is empty"),
        ("x.json", "  \n", "the file is empty"),
        ("x.csv", "", r"x\.csv: the file is empty"),
        ("x.json", "[]", "the list is empty"),
        ("x.json", '{"year": 2027,', r"line 1 column .*not valid JSON"),
        ("x.json", _json('[{"date": "2027/01/01"}]'), r"holidays\[0\]\.date: .*YYYY-MM-DD"),
        ("x.json", _json('[{"date": "2027-02-30"}]'), r"holidays\[0\]\.date: .*not a valid"),
        ("x.json", _json('[{"date": 20270101}]'), r"holidays\[0\]\.date: .*YYYY-MM-DD"),
        (
            "x.json",
            _json('[{"date": "2027-01-01"}]', '[{"date": "2027-02-09", "name": "x"}]'),
            r"workdays\[0\]: adjusted working day 2027-02-09 is a Tuesday, not a Saturday",
        ),
        (
            "x.json",
            _json('[{"date": "2027-01-01"}, {"date": "2027-01-01"}]'),
            r"holidays\[1\]: 2027-01-01 is listed twice \(first at holidays\[0\]\)",
        ),
        (
            "x.json",
            _json('[{"date": "2027-01-02"}]', '[{"date": "2027-01-02"}]'),
            "2027-01-02 is listed twice",
        ),
        (
            "x.json",
            _json('[{"date": "2027-01-01"}, {"date": "2028-01-01"}]'),
            r"holidays\[1\]: 2028-01-01 is not in 2027: one schedule describes one year",
        ),
        (
            "x.json",
            _json('[{"date": "2027-01-01"}, {"date": "2026-11-30"}]'),
            "2026-11-30 is not in 2027",
        ),
        ("x.json", _json('[{"date": "2027-01-01"}]', year='"2027"'), "year: must be the year"),
        ("x.json", '{"holidays": []}', "year: must be the year"),
        ("x.json", '{"year": 2027, "workdays": []}', 'the "holidays" list is missing'),
        ("x.json", _json("[]"), "no days are listed"),
        (
            "x.json",
            _json("[]", '[{"date": "2027-01-31"}]'),
            "no holidays are listed for 2027",
        ),
        (
            "x.json",
            '{"year": 2027, "holiday": [{"date": "2027-01-01"}]}',
            "unknown field.*holiday; allowed",
        ),
        ("x.json", _json('[{"date": "2027-01-01", "nmae": "x"}]'), r"holidays\[0\]: unknown"),
        ("x.json", _json('{"date": "2027-01-01"}'), "holidays: must be a list"),
        (
            "x.json",
            f"[{_json(NEW_YEAR)}, {_json(NEW_YEAR)}]",
            r"\[1\]\.year: 2027 appears twice",
        ),
        ("x.csv", "date,kind,name\n", "only a header, no days"),
        ("x.csv", "day,type,name\n2027-01-01,holiday,元旦\n", "line 1: the header must be"),
        (
            "x.csv",
            "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holyday,元旦\n",
            r"x\.csv: line 3: kind 'holyday' is unknown; write 'holiday'",
        ),
        ("x.csv", "date,kind,name\n01/01/2027,holiday,元旦\n", "line 2: date: .*YYYY-MM-DD"),
        (
            "x.csv",
            "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-10,workday,春节调休\n",
            "line 3: adjusted working day 2027-02-10 is a Wednesday",
        ),
        (
            "x.csv",
            "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-01,holiday,元旦\n",
            r"line 3: 2027-01-01 is listed twice \(first at line 2\)",
        ),
        (
            "x.csv",
            "date,kind,name\n2027-01-01,holiday,元旦\n2028-01-03,holiday,元旦\n",
            "line 2: 2027-01-01 is not in 2028",
        ),
        ("x.csv", "date,kind,name\n2027-01-01,holiday\n", "line 2: 2 fields, the header has 3"),
        (
            "x.csv",
            "date,kind,name,source\n2027-01-01,holiday,元旦,A\n2027-01-02,holiday,元旦,B\n",
            "line 3: source 'B' differs from 'A' on line 2",
        ),
        ("x.txt", "date,kind,name\n", r"unknown file type '\.txt'; use a \.json or \.csv"),
    ],
)
def test_load_bad_file_names_the_problem(tmp_path, name, content, message):
    path = write(tmp_path, name, content)
    with pytest.raises(ValueError, match=message):
        load_schedule_file(path)


def test_load_non_utf8_csv_says_how_to_fix(tmp_path):
    path = write(tmp_path, "gbk.csv", "date,kind,name\n2027-01-01,holiday,元旦\n".encode("gbk"))
    with pytest.raises(ValueError, match="not UTF-8 text; save it as UTF-8"):
        load_schedule_file(path)


def test_load_missing_file(tmp_path):
    with pytest.raises(ValueError, match="cannot read the file"):
        load_schedule_file(tmp_path / "absent.json")


def test_the_digest_names_the_schedule():
    """The same schedule gives the same digest (what the API detail's cache key carries,
    docs/api.md#the-detail-cache); a holiday or an official year more gives another."""
    holiday, workday = date(2026, 2, 16), date(2026, 1, 4)

    def calendar(holidays=(holiday,), workdays=(workday,), years=(2026,)):
        return WorkingCalendar(holidays=frozenset(holidays), workdays=frozenset(workdays),
                               official_years=frozenset(years))

    assert calendar().digest == calendar().digest
    assert calendar(holidays=(holiday, date(2026, 2, 17))).digest != calendar().digest
    assert calendar(years=(2026, 2027)).digest != calendar().digest
    # A holiday is not a working day moved: the two lists are told apart.
    assert calendar(holidays=(workday,), workdays=()).digest != calendar(holidays=(), workdays=(workday,)).digest
