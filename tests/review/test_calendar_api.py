"""The public calendar endpoints (docs/calendar.md#how-working-days-are-counted)."""

import pytest
from django.test import Client

ADD = "/api/v1/calendar/add-working-days"
COUNT = "/api/v1/calendar/working-days"


@pytest.fixture
def client(db):
    return Client()


@pytest.mark.parametrize(("start", "days", "due"), [
    ("2026-09-30", 5, "2026-10-13"),   # National Day 1–7 Oct, Sat 10 Oct worked
    ("2026-02-13", 1, "2026-02-14"),   # Saturday 14 Feb 2026 is an adjusted working day
    ("2026-02-13", 2, "2026-02-24"),   # Spring Festival 15–23 Feb
    ("2026-01-30", 1, "2026-02-02"),   # an ordinary weekend
    ("2026-03-07", 0, "2026-03-07"),   # zero days: the start itself, even on a Saturday
])
def test_add_working_days(client, start, days, due):
    response = client.get(ADD, {"start": start, "days": days})
    assert response.status_code == 200
    assert response.json() == {"start": start, "days": days, "due": due, "provisional": False}


def test_working_days_counts_the_half_open_interval(client):
    response = client.get(COUNT, {"start": "2026-01-01", "end": "2026-12-31"})
    assert response.json() == {"start": "2026-01-01", "end": "2026-12-31", "working_days": 248,
                               "provisional": False}
    # Start day not counted, end day counted.
    assert client.get(COUNT, {"start": "2026-03-02", "end": "2026-03-03"}).json()["working_days"] == 1
    assert client.get(COUNT, {"start": "2026-03-02", "end": "2026-03-02"}).json()["working_days"] == 0


def test_years_without_an_official_schedule_are_provisional(client):
    body = client.get(ADD, {"start": "2026-12-28", "days": 10}).json()
    assert body["provisional"] is True
    assert client.get(COUNT, {"start": "2027-01-01", "end": "2027-01-31"}).json()["provisional"] is True


@pytest.mark.parametrize(("url", "params", "field"), [
    (ADD, {"start": "2026-02-30", "days": 3}, "start"),
    (ADD, {"start": "yesterday", "days": 3}, "start"),
    (ADD, {"days": 3}, "start"),
    (ADD, {"start": "2026-03-02", "days": -1}, "days"),
    (ADD, {"start": "2026-03-02", "days": "five"}, "days"),
    (ADD, {"start": "2026-03-02"}, "days"),
    (ADD, {"start": "2100-12-01", "days": 9000}, "days"),
    (COUNT, {"start": "2026-03-02", "end": "2026-03-01"}, "end"),
    (COUNT, {"start": "2026-03-02"}, "end"),
    (COUNT, {"start": "1900-01-01", "end": "2026-01-01"}, "start"),
])
def test_bad_input_is_400_naming_the_parameter(client, url, params, field):
    response = client.get(url, params)
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field
    assert field in body["detail"]


def test_no_login_needed_and_english_on_request(client):
    response = client.get(ADD, {"start": "2026-03-02", "days": -1}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "greater than or equal to 0" in response.json()["detail"]


def test_provisional_years_keep_their_statutory_holidays(client):
    # 2027 has no official schedule in the seed: New Year's Day (Friday 1 January) is still a day
    # off by law, and the Spring Festival days fall where the lunar calendar puts them; only the
    # weekend swaps are unknown. So 2026-12-31 + 1 WD is Monday 4 January, marked provisional.
    body = client.get(ADD, {"start": "2026-12-31", "days": 1}).json()
    assert body == {"start": "2026-12-31", "days": 1, "due": "2027-01-04", "provisional": True}
    # Chinese New Year's Eve 2027 is Friday 5 February; the festival runs to Wednesday 10 February
    # with the days made up for the weekend.
    body = client.get(ADD, {"start": "2027-02-04", "days": 1}).json()
    assert body["due"] == "2027-02-11"
