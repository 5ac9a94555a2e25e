"""The acceptance notice states the day the dossier was received, not the day the case was filed,
and a deemed acceptance as what it is (Licensing Law Art. 32), not as a decision made in time."""

import datetime as dt

import pytest

from notices.models import Notice
from services import notices, workflow
from tests.conftest import MONDAY, stage_of
from tests.notices.conftest import pdf_text

pytestmark = pytest.mark.django_db
D = dt.date


def _after_testing(users, make_application, *, received_on, recorded_on):
    """Filed and tested from Mon 3/2; the dossier reaches the acceptance window on ``received_on``."""
    app = make_application(needs_testing=True)
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    workflow.stage_start(stage=stage_of(app, "testing"), actor=users.tester, today=MONDAY)
    workflow.stage_complete(stage=stage_of(app, "testing"), actor=users.tester, outcome="passed",
                            reference="渝械检2026-0100", today=D(2026, 3, 4))
    workflow.stage_start(stage=stage_of(app, "acceptance"), actor=users.acceptance, received_on=received_on,
                         today=received_on)
    workflow.stage_complete(stage=stage_of(app, "acceptance"), actor=users.acceptance, outcome="accepted",
                            today=recorded_on)
    return app


def test_decided_in_time_the_notice_states_the_receipt_of_the_dossier(users, make_application):
    app = _after_testing(users, make_application, received_on=D(2026, 3, 5), recorded_on=D(2026, 3, 9))
    text = pdf_text(Notice.objects.get(application=app, kind="acceptance").pdf)
    assert "本局于2026年3月5日收到你单位提交的" in text
    assert "经审查，申请资料齐全、符合法定形式，本局决定予以受理。" in text
    assert "2026年3月2日" not in text  # the filing, when testing began
    assert "视为受理" not in text


def test_a_deemed_acceptance_is_stated_as_such_as_of_the_receipt(users, make_application):
    # Received Thu 3/5; the 5 WD ended Thu 3/12; recorded Fri 3/13.
    app = _after_testing(users, make_application, received_on=D(2026, 3, 5), recorded_on=D(2026, 3, 13))
    assert app.deemed_accepted
    notice = Notice.objects.get(application=app, kind="acceptance")
    text = pdf_text(notice.pdf)
    assert "本局于2026年3月5日收到你单位提交的" in text
    assert ("本局未在收到申请资料之日起五个工作日内作出是否受理的决定，"
            "依照《中华人民共和国行政许可法》第三十二条的规定，"
            "该申请自收到申请资料之日（2026年3月5日）起视为受理。") in text
    assert "经审查" not in text and "决定予以受理" not in text
    assert "2026年3月2日" not in text
    assert notice.issued_on == D(2026, 3, 13)  # issued when recorded; accepted as of the receipt
    # A correction states the same facts: the log row, not the form, says the acceptance was deemed.
    corrected = notices.notice_correct(notice=notice, actor=users.supervisor, today=D(2026, 3, 16))
    assert "起视为受理" in pdf_text(corrected.pdf)


def test_the_preview_of_a_late_acceptance_shows_the_deemed_acceptance(users, make_application):
    app = make_application(needs_testing=True)
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    workflow.stage_start(stage=stage_of(app, "testing"), actor=users.tester, today=MONDAY)
    workflow.stage_complete(stage=stage_of(app, "testing"), actor=users.tester, outcome="passed",
                            reference="渝械检2026-0100", today=D(2026, 3, 4))
    stage = workflow.stage_start(stage=stage_of(app, "acceptance"), actor=users.acceptance,
                                 received_on=D(2026, 3, 5), today=D(2026, 3, 5))
    in_time = notices.notice_preview_text(application=app, stage=stage, action="complete",
                                          data={"outcome": "accepted"}, today=D(2026, 3, 12))
    late = notices.notice_preview_text(application=app, stage=stage, action="complete",
                                       data={"outcome": "accepted"}, today=D(2026, 3, 13))
    assert "决定予以受理" in in_time.paragraphs[0] and "视为受理" not in in_time.paragraphs[0]
    assert "起视为受理" in late.paragraphs[0] and "2026年3月5日" in late.paragraphs[0]
