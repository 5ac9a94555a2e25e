"""Issuance records the certificate with its five-year expiry (for the renewal watch)."""

import datetime as dt

import pytest

from review.exceptions import InvalidInput
from review.models import Certificate
from services import workflow
from tests.conftest import MONDAY, stage_of


def _to_issuance(app, users, day):
    for kind, actor, kw in (("technical_review", users.reviewer, {"outcome": "approve", "note": "同意"}),
                            ("qms_verification", users.inspector, {"outcome": "passed", "note": "通过"}),
                            ("decision", users.approver, {"outcome": "approve", "note": "准予注册"})):
        workflow.stage_complete(stage=stage_of(app, kind), actor=actor, today=day, **kw)
    assert app.state == "issuance"


def test_issuance_records_the_certificate(users, reviewing):
    app = reviewing()
    _to_issuance(app, users, MONDAY)
    workflow.stage_complete(stage=stage_of(app, "issuance"), actor=users.approver, outcome="issued",
                            reference="渝械注准20262140001", today=MONDAY)
    cert = Certificate.objects.get(application=app)
    assert (cert.kind, cert.number, cert.enterprise) == ("registration", "渝械注准20262140001",
                                                         app.enterprise)
    assert cert.issued_on == MONDAY and cert.expires_on == dt.date(2031, 3, 1)


def test_a_duplicate_certificate_number_is_refused_and_nothing_moves(users, reviewing):
    first, second = reviewing(), reviewing()
    for app in (first, second):
        _to_issuance(app, users, MONDAY)
    workflow.stage_complete(stage=stage_of(first, "issuance"), actor=users.approver, outcome="issued",
                            reference="渝械注准20262140001", today=MONDAY)
    with pytest.raises(InvalidInput) as exc:
        workflow.stage_complete(stage=stage_of(second, "issuance"), actor=users.approver,
                                outcome="issued", reference="渝械注准20262140001", today=MONDAY)
    assert exc.value.extra["field"] == "reference"
    second.refresh_from_db()
    assert second.state == "issuance" and stage_of(second, "issuance").state == "running"
    assert Certificate.objects.count() == 1


def test_expiry_of_a_leap_day_certificate():
    assert workflow.certificate_expiry(dt.date(2028, 2, 29)) == dt.date(2033, 2, 28)
    assert workflow.certificate_expiry(dt.date(2026, 1, 1)) == dt.date(2030, 12, 31)
