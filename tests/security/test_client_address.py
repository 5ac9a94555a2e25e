"""A made-up X-Forwarded-For does not make a new client (B3): the look-up limit, the API throttles
and the sign-in lockout all key on ``web.client_ip``, which reads the header only as far as
``TRUSTED_PROXY_COUNT`` reverse proxies of ours wrote it."""

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client, RequestFactory

from web.client_ip import client_ip

PASSWORD = "correct-horse-battery-9"  # noqa: S105
LOOKUP = {"reference": "CQ209900001", "credit_code": "91500000MA5U000000"}
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def _fake(i):
    return f"198.51.100.{i % 250 + 1}, 192.0.2.{i % 7}"  # what a client can write: anything


def test_rotating_forwarded_for_still_hits_the_lookup_limit(db, settings):
    settings.LOOKUP_RATE = "3/hour"
    client = Client(REMOTE_ADDR="203.0.113.7")
    api = [client.get("/api/v1/lookup/", LOOKUP, HTTP_X_FORWARDED_FOR=_fake(i)).status_code for i in range(4)]
    assert api == [404, 404, 404, 429]
    page = client.post("/portal/lookup/", LOOKUP, HTTP_X_FORWARDED_FOR=_fake(99))
    assert page.status_code == 429  # the page shares the count


def test_rotating_forwarded_for_still_hits_the_api_throttle(db, settings):
    settings.API_THROTTLE_RATES = {"anon": "5/min", "user": "600/min"}
    client = Client(REMOTE_ADDR="203.0.113.7")
    url = "/api/v1/calendar/add-working-days?start=2026-03-02&days=5"
    codes = [client.get(url, HTTP_X_FORWARDED_FOR=_fake(i)).status_code for i in range(7)]
    assert codes == [200] * 5 + [429, 429]


@pytest.mark.parametrize("url", ["/portal/login/", "/admin/login/"])
def test_rotating_forwarded_for_does_not_reset_the_lockout(users, settings, url):
    user = users.supervisor if url.startswith("/admin") else users.enterprise
    user.set_password(PASSWORD)
    user.save()
    client = Client()

    def attempt(i, password):
        return client.post(url, {"username": user.username, "password": password},
                           REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=_fake(i))

    codes = [attempt(i, f"wrong-{i}").status_code for i in range(settings.AXES_FAILURE_LIMIT + 2)]
    assert codes[-2:] == [429, 429]
    right = attempt(1000, PASSWORD)
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    assert list(AccessAttempt.objects.filter(username=user.username).values_list("ip_address", flat=True)) \
        == ["203.0.113.7"]


def test_behind_one_proxy_the_client_is_the_right_most_entry(users, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOOKUP_RATE = "2/hour"
    # Everyone arrives from the proxy; it appends the address it saw to what the client sent.
    client = Client(REMOTE_ADDR=PROXY)
    me = [client.get("/api/v1/lookup/", LOOKUP, HTTP_X_FORWARDED_FOR=f"{_fake(i)}, 203.0.113.7").status_code
          for i in range(3)]
    assert me == [404, 404, 429]  # the spoofed entries on the left change nothing
    other = client.get("/api/v1/lookup/", LOOKUP, HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.9")
    assert other.status_code == 404  # another client behind the same proxy has its own count

    users.enterprise.set_password(PASSWORD)
    users.enterprise.save()
    client.post("/portal/login/", {"username": users.enterprise.username, "password": "wrong"},
                HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert AccessAttempt.objects.get(username=users.enterprise.username).ip_address == "203.0.113.7"


@pytest.mark.parametrize("proxies, header, expected", [
    (0, "198.51.100.9", "10.0.0.2"),  # no proxy of ours: the header is the client's own words
    (1, "198.51.100.9", "198.51.100.9"),
    (1, "1.2.3.4, 198.51.100.9", "198.51.100.9"),
    (2, "1.2.3.4, 198.51.100.9, 10.0.0.7", "198.51.100.9"),
    (2, "198.51.100.9", "10.0.0.2"),  # fewer entries than proxies: nothing in it is ours
    (1, "1.2.3.4, not-an-address", "10.0.0.2"),  # never an invalid address in an address column
    (1, " 2001:db8::1 ", "2001:db8::1"),
    (1, "", "10.0.0.2"),
])
def test_client_ip(settings, proxies, header, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == expected
