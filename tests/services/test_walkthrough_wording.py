"""Wording found in the staff walkthrough: the renewal's approval notice, the number printed on a
notice of missing items, the outcome not chosen, an extension of 0 days, the items' field name."""

import datetime as dt

import pytest

from notices import content
from review.exceptions import InvalidInput
from services import workflow
from tests.conftest import MONDAY, stage_of

FACTS = dict(reference="CQ202600001", product_name="医用电子体温计", device_class="II", category="active",
             enterprise="某某医疗器械有限公司", credit_code="91500000MA5U000000", submitted_on=MONDAY)
COMMON = dict(number="渝药监通〔2026〕1号", issued_on=MONDAY, office="某局", contact="")


def test_a_renewal_is_approved_as_such():
    renewal = content.approval(content.CaseFacts(**FACTS, application_type="renewal"), **COMMON,
                               certificate_number="渝械注准20262140001", valid_from=MONDAY,
                               valid_until=dt.date(2031, 3, 1), licence=False)
    assert renewal.title == "准予延续注册通知书"
    assert "本局决定准予延续注册" in renewal.paragraphs[0]
    first = content.approval(content.CaseFacts(**FACTS, application_type="first"), **COMMON,
                             certificate_number="渝械注准20262140001", valid_from=MONDAY,
                             valid_until=dt.date(2031, 3, 1), licence=False)
    assert first.title == "准予注册通知书" and "本局决定准予注册" in first.paragraphs[0]


def test_the_missing_items_notice_prints_the_application_number_not_an_acceptance_number():
    n = content.missing_items(content.CaseFacts(**FACTS, application_type="first"), **COMMON,
                              items=["营业执照"], note="", deadline=None)
    assert ["申请编号", "CQ202600001"] in n.facts
    assert not any(label == "受理号" for label, _ in n.facts)
    accepted = content.acceptance(content.CaseFacts(**FACTS, application_type="first"), **COMMON,
                                  lookup_url="https://example.invalid")
    assert ["受理号", "CQ202600001"] in accepted.facts


@pytest.mark.django_db
def test_no_outcome_chosen_asks_to_choose_one(users, make_application):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    with pytest.raises(InvalidInput) as err:
        workflow.stage_complete(stage=stage_of(app, "acceptance"), actor=users.acceptance, outcome="",
                                today=MONDAY)
    assert str(err.value.message) == "结论：请选择一项结论（予以受理）。"


@pytest.mark.django_db
@pytest.mark.parametrize("days", [0, -3])
def test_an_extension_of_less_than_one_day_names_the_field(users, reviewing, days):
    app = reviewing()
    with pytest.raises(InvalidInput) as err:
        workflow.stage_extend(stage=stage_of(app, "technical_review"), actor=users.supervisor, days=days,
                              reason="专家咨询")
    assert str(err.value.message) == "工作日数：请填写不小于 1 的整数。"
    assert err.value.extra == {"field": "days"}


@pytest.mark.django_db
def test_an_extension_over_the_cap_names_the_field_by_its_label(users, reviewing):
    app = reviewing()
    with pytest.raises(InvalidInput) as err:
        workflow.stage_extend(stage=stage_of(app, "technical_review"), actor=users.supervisor, days=31,
                              reason="专家咨询")
    assert str(err.value.message).startswith("工作日数：累计最多延期 30 个工作日")


@pytest.mark.django_db
def test_missing_items_without_items_names_the_field_as_labelled(users, make_application):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    with pytest.raises(InvalidInput) as err:
        workflow.stage_notify_missing_items(stage=stage_of(app, "acceptance"), actor=users.acceptance,
                                            items="  \n ", today=MONDAY)
    assert str(err.value.message) == "需补齐的材料，每行一项：请至少填写一项。"
    assert err.value.extra == {"field": "items"}


def test_registration_testing_has_no_clock_of_the_offices_to_stop(users, make_application):
    """Expert consultation, hearing and objection were offered on the testing stage: testing runs
    outside the licensing limits (Licensing Law Art. 45), so its clock is not the office's to stop."""
    from review.exceptions import NotAllowedNow
    from services.actions import available_actions

    app = make_application(needs_testing=True)
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    workflow.stage_start(stage=stage_of(app, "testing"), actor=users.tester, today=MONDAY)
    testing = stage_of(app, "testing")
    assert testing.state == "running"
    for who in (users.tester, users.supervisor):
        offered = {(action.name, getattr(target, "kind", None))
                   for action, target in available_actions(app, list(app.stages.all()), who)}
        assert ("pause", "testing") not in offered
    with pytest.raises(NotAllowedNow, match="行政许可法》第四十五条"):
        workflow.stage_pause(stage=testing, actor=users.supervisor, reason="expert", note="专家咨询",
                             today=MONDAY)
    assert stage_of(app, "testing").state == "running"
