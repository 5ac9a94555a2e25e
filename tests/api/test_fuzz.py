"""Property-based API fuzzing with schemathesis against /api/schema/ (in-process, over WSGI).

Every operation of the schema gets generated requests (valid and invalid parameters, bodies and
uploads), sent as an enterprise user and as a member of staff, each with a real API token. Path
ids are pointed at real objects most of the time, so the generated bodies reach the services
(actions, supplement answers) instead of stopping at a 404. Every response must be no 5xx, have a
documented status code and content type, and match the documented schema.

Bounded: a few examples per operation and caller (``FUZZ_EXAMPLES``) keep the whole file to
well under a minute on two cores.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.case_fixtures import token_client
from tests.factories import UserFactory

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


# Loaded at collection through the WSGI application itself: generating the schema reads code only
# (no database), so it needs no test database yet.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does, requests must not close the test's database connection (the
    test runs inside a transaction, which ``close_old_connections`` would take for a broken one)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _caller(user, case_with_requests, draft):
    """(Authorization header, real ids to aim at)."""
    app, answered, open_stop, doc = case_with_requests
    key = token_client(user)._credentials["HTTP_AUTHORIZATION"]
    return {"Authorization": key}, {"id": [app.pk, draft.pk], "stop_id": [open_stop.pk, answered.pk],
                                    "doc": [doc.pk]}


@pytest.fixture
def as_enterprise(users, case_with_requests, make_application):
    return _caller(users.enterprise, case_with_requests, make_application(product_name="模糊测试草稿"))


@pytest.fixture
def as_staff(users, case_with_requests, make_application):
    staff = UserFactory(username="fuzz-staff", is_staff=True, is_superuser=True)
    return _caller(staff, case_with_requests, make_application(product_name="模糊测试草稿"))


def _as_id(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def aim(case, ids) -> None:
    """Point generated path ids at real objects (a request under the case it belongs to), so the
    generated bodies reach the services. Ids that are not numbers, and one number in five (0
    excepted: the coverage phase's default), keep the generated value and exercise the 404s."""
    params = case.path_parameters or {}
    numbers = {k: _as_id(v) for k, v in params.items() if k != "action"}
    if not numbers or any(n is None or (n % 5 == 0 and n != 0) for n in numbers.values()):
        return
    if "stop_id" in params:
        params["id"] = ids["id"][0]
        params["stop_id"] = ids["stop_id"][numbers["stop_id"] % 2]
    elif case.path.startswith("/api/v1/documents/"):
        params["id"] = ids["doc"][0]
    else:
        params["id"] = ids["id"][numbers["id"] % 2]


FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


@schema.parametrize()
@FUZZ
def test_api_fuzz_as_enterprise(case, as_enterprise):
    headers, ids = as_enterprise
    aim(case, ids)
    case.call_and_validate(headers=headers, checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_api_fuzz_as_staff(case, as_staff):
    headers, ids = as_staff
    aim(case, ids)
    case.call_and_validate(headers=headers, checks=CHECKS)


HOSTILE = "\x00\x01\x1b\r\n\t\u2028"


def _hostile(value):
    """Every string of a generated request, with NUL and control characters in it."""
    if isinstance(value, str):
        return value[: len(value) // 2] + HOSTILE + value[len(value) // 2:]
    if isinstance(value, dict):
        return {k: _hostile(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_hostile(v) for v in value]
    return value


@schema.parametrize()
@FUZZ
def test_api_fuzz_with_nul_and_control_characters_in_every_string(case, as_staff):
    """NUL and control characters in every query, path and body string reach no
    5xx (the look-up with ``reference=CQ202600001%00`` was a 500)."""
    headers, ids = as_staff
    aim(case, ids)
    if case.query:
        case.query = _hostile(case.query)
    if isinstance(case.body, (dict, list, str)):
        case.body = _hostile(case.body)
    for name, value in (case.path_parameters or {}).items():
        if isinstance(value, str) and name != "action":
            case.path_parameters[name] = _hostile(value)
    case.call_and_validate(headers=headers, checks=[not_a_server_error, content_type_conformance])
