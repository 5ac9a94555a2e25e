"""The forecast on real cases built through the workflow: refresh, the case's forecast, the API
field, the words in both languages, and the backtest that cannot see the future."""

import datetime as dt

import pytest
from django.utils import translation

from forecast.models import Refresh, StageDistribution
from forecast.selectors import case_forecast, forecast_words
from forecast.services import backtest, forecasts_on, refresh
from services import workflow
from tests.case_fixtures import token_client
from tests.conftest import stage_of

D = dt.date


@pytest.fixture(autouse=True)
def _small_basis(settings):
    settings.FORECAST_MIN_BASIS = 3


def _done(app, kind, actor, day, outcome, **kw):
    workflow.stage_complete(stage=stage_of(app, kind), actor=actor, today=day, outcome=outcome,
                            note=kw.pop("note", "同意"), **kw)


@pytest.fixture
def history(users, reviewing):
    """Three Class II first registrations accepted Mon 2026-03-02, done by 2026-04-10; one still
    in review; the technical reviews took 10, 15 and 20 working days."""
    finished = []
    for i, review_done in enumerate((D(2026, 3, 16), D(2026, 3, 23), D(2026, 3, 30))):
        app = reviewing(product_name=f"H{i}")
        _done(app, "qms_verification", users.inspector, D(2026, 3, 13), "passed")
        _done(app, "technical_review", users.reviewer, review_done, "approve")
        _done(app, "decision", users.approver, D(2026, 4, 2), "approve", note="准予注册")
        _done(app, "issuance", users.approver, D(2026, 4, 9), "issued", reference=f"渝械注准2026201000{i}")
        finished.append(app)
    open_case = reviewing(product_name="Open", on=D(2026, 4, 1))
    return finished, open_case


def test_refresh_stores_one_version_with_its_day(history):
    run = refresh(as_of=D(2026, 4, 15), trigger="test")
    review = StageDistribution.objects.get(refresh=run, kind="technical_review", level=0)
    assert (review.finished, review.median_days) == (3, 15)
    assert review.running == 1  # the open case's review: censored, not finished
    again = refresh(as_of=D(2026, 4, 15))
    assert again.version == run.version + 1
    assert list(Refresh.objects.values_list("version", flat=True)) == [again.version]


def test_an_open_case_gets_dates_from_the_history_conditioned_on_its_days(history):
    _finished, open_case = history
    refresh(as_of=D(2026, 4, 15))
    f = case_forecast(open_case, today=D(2026, 4, 15))
    assert f is not None and f.basis_cases == 3
    assert f.as_of == D(2026, 4, 15) and f.p50 <= f.p90
    # Its review has used 9 working days (Wed 04-01 to Wed 04-15, Qingming Mon 04-06 off), so of
    # the history (10, 15, 20) the 10-day review says "about one more day" at most: the median is
    # drawn from 10, 15 and 20, conditioned on 9 used.
    assert f.office_days_p50 >= 5 + 5  # review at least 5 more, then decision and issuance


def test_a_case_of_a_kind_with_no_history_gets_none_and_the_api_says_null(history, users, make_application):
    refresh(as_of=D(2026, 4, 15))
    renewal = make_application(application_type="renewal")
    workflow.application_submit(application=renewal, actor=users.enterprise, today=D(2026, 4, 1))
    assert case_forecast(renewal, today=D(2026, 4, 15)) is None or renewal.state == "acceptance"
    body = token_client(users.enterprise).get(f"/api/v1/applications/{renewal.pk}/").json()
    assert "forecast" in body


def test_the_api_detail_carries_the_forecast(history, users):
    _finished, open_case = history
    refresh()
    body = token_client(users.enterprise).get(f"/api/v1/applications/{open_case.pk}/").json()
    assert set(body["forecast"]) == {"p50", "p90", "office_days_p50", "applicant_days_p50", "basis_cases", "as_of"}
    assert body["forecast"]["basis_cases"] == 3


def test_without_a_refresh_there_is_no_forecast_and_the_api_says_null(history, users):
    _finished, open_case = history
    assert case_forecast(open_case) is None
    body = token_client(users.enterprise).get(f"/api/v1/applications/{open_case.pk}/").json()
    assert body["forecast"] is None


def test_the_words_in_both_languages(history):
    _finished, open_case = history
    refresh(as_of=D(2026, 4, 15))
    f = case_forecast(open_case, today=D(2026, 4, 15))
    with translation.override("zh-hans"):
        zh = forecast_words(f)
        assert zh.startswith(f"预计办结：约 {f.p50.isoformat()}（五成把握）；{f.p90.isoformat()} 前（九成把握）")
        assert "依据本局近 3 件同类申请" in zh
        assert "本局已办结的同类申请太少" in forecast_words(None)
    with translation.override("en"):
        assert forecast_words(f).startswith(f"Expected completion: about {f.p50.isoformat()} (50% likely)")
        assert "too few similar applications" in forecast_words(None)


def test_the_backtest_reads_nothing_later_than_its_day(history, users, reviewing):
    """Forecasts on 2026-04-15, then the future changes completely (the open case finishes, its
    review with a supplement; a new case is accepted and finished): the same forecasts."""
    _finished, open_case = history
    as_of = D(2026, 4, 15)
    before, targets_before, _ = forecasts_on(as_of)
    assert open_case.pk in before
    workflow.stage_request_supplement(stage=stage_of(open_case, "technical_review"), actor=users.reviewer,
                                      items="检验报告", today=D(2026, 4, 20))
    workflow.stage_answer(stage=stage_of(open_case, "technical_review"), actor=users.enterprise,
                          response="已补正", document_count=1, today=D(2026, 6, 1))
    _done(open_case, "qms_verification", users.inspector, D(2026, 6, 2), "passed")
    _done(open_case, "technical_review", users.reviewer, D(2026, 6, 10), "approve")
    later = reviewing(product_name="Later", on=D(2026, 5, 4))
    _done(later, "qms_verification", users.inspector, D(2026, 5, 6), "passed")
    _done(later, "technical_review", users.reviewer, D(2026, 5, 7), "approve")
    after, targets_after, _ = forecasts_on(as_of)
    assert after == before and targets_after == targets_before
    result = backtest(as_of, today=D(2026, 12, 1))
    assert result.as_json()["as_of"] == "2026-04-15"
    assert set(result.as_json()) == {"as_of", "cases", "p50_coverage", "p90_coverage", "mae_wd", "target_sum_mae_wd"}


def test_a_request_made_before_the_day_and_answered_after_it_is_read_as_open(history, users, reviewing):
    """The supplement asked on 04-08 is known on 04-15 (and when in the review it came, which
    chooses the stages it is compared with); its answer on 05-20 is not: the same forecast
    before and after the answer is recorded."""
    asked = reviewing(product_name="Asked", on=D(2026, 4, 1))
    review = stage_of(asked, "technical_review")
    workflow.stage_request_supplement(stage=review, actor=users.reviewer, items="检验报告", today=D(2026, 4, 8))
    as_of = D(2026, 4, 15)
    before, _t, _ = forecasts_on(as_of)
    assert asked.pk in before
    workflow.stage_answer(stage=stage_of(asked, "technical_review"), actor=users.enterprise, response="已补正",
                          document_count=1, today=D(2026, 5, 20))
    after, _t, _ = forecasts_on(as_of)
    assert after[asked.pk] == before[asked.pk]


def test_the_history_is_chosen_by_start_day_so_long_stages_are_not_over_counted(history):
    """Two years on from 2026-03-11, the three reviews started 2026-03-02 (before the window) and
    finished 03-16 to 03-30 (inside it) are not read: stages from before the window that finish in
    it are the long ones (the short ones finished before it), and would slow the curve."""
    from forecast.history import HISTORY_DAYS, history_facts

    as_of = D(2026, 3, 11) + dt.timedelta(days=HISTORY_DAYS)
    assert not [f for f in history_facts(as_of) if f.kind == "technical_review" and f.started == D(2026, 3, 2)]
    assert [f for f in history_facts(D(2026, 4, 15)) if f.kind == "technical_review" and f.done]


def test_the_acceptance_email_carries_the_forecast_never_as_a_promise(history, reviewing):
    from notifications.models import OutboundEmail

    refresh()
    app = reviewing(product_name="Mail")
    accepted = OutboundEmail.objects.filter(application=app, event="advance").first()
    assert accepted is not None
    assert "预计办结" in accepted.body or "Expected completion" in accepted.body
    assert "并非承诺" in accepted.body or "not a promise" in accepted.body
    # Other events carry no forecast.
    submitted = OutboundEmail.objects.filter(application=app, event="submit").first()
    assert submitted is None or ("预计办结" not in submitted.body and "Expected completion" not in submitted.body)


def test_the_admin_recomputes_on_demand(history, django_user_model, client):
    admin = django_user_model.objects.create_superuser("fc-admin", "fc@example.gov.cn", "x-pass-2026")
    first = refresh()
    client.force_login(admin)
    response = client.post("/admin/forecast/refresh/", {"action": "refresh_now", "_selected_action": [first.pk]},
                           follow=True)
    assert response.status_code == 200
    assert list(Refresh.objects.values_list("version", flat=True)) == [first.version + 1]
    assert Refresh.objects.get().trigger == "admin:fc-admin"
    assert "办结预测已重新计算" in response.content.decode() or "Forecasts recomputed" in response.content.decode()


def test_the_public_lookup_says_there_is_too_little_history_instead_of_guessing(history, client):
    _finished, open_case = history
    credit = open_case.enterprise.credit_code
    page = client.post("/portal/lookup/", {"reference": open_case.reference, "credit_code": credit}).content.decode()
    assert "本局已办结的同类申请太少" in page or "too few similar applications" in page  # no refresh yet
    refresh()
    page = client.post("/portal/lookup/", {"reference": open_case.reference, "credit_code": credit}).content.decode()
    assert "预计办结：约" in page or "Expected completion: about" in page


def test_the_commands_refresh_and_backtest_with_json_last(history):
    import json
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("forecast_refresh", stdout=out)
    assert "forecast refresh v1" in out.getvalue()
    out = StringIO()
    call_command("forecast_backtest", as_of="2026-04-15", json=True, stdout=out)
    last = json.loads(out.getvalue().strip().splitlines()[-1])
    assert list(last) == ["as_of", "cases", "p50_coverage", "p90_coverage", "mae_wd", "target_sum_mae_wd"]
    # The one case open on 04-15 is open still, long past its p90: a miss of both dates; no error
    # can be measured for it (it has no end).
    assert last == {"as_of": "2026-04-15", "cases": 1, "p50_coverage": 0.0, "p90_coverage": 0.0, "mae_wd": None,
                    "target_sum_mae_wd": None}
    with pytest.raises(CommandError, match="--as-of"):
        call_command("forecast_backtest", as_of="15/04/2026")
