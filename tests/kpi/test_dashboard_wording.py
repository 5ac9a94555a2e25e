"""The dashboard page in Chinese: Chinese punctuation, and each on-time rate with its base."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

QUERY = "?start=2026-03-01&end=2026-06-30"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0), tick=False):
        yield


def _page(user):
    c = Client()
    c.force_login(user)
    return c.get("/dashboard/" + QUERY).content.decode()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_no_ascii_colons_in_the_download_links(kpi_cases, users):
    text = _text(_page(users.supervisor))
    assert "下载：" in text and "CSV：各环节" in text and "CSV：案件清单" in text
    assert "下载:" not in text and "CSV:" not in text
    assert "已超期和即将到期（" in text


def test_the_on_time_rates_name_the_stages_they_are_over(kpi_cases, users):
    page = _page(users.supervisor)
    row = re.search(r'<th scope="row" class="text">技术审评</th>(.*?)</tr>', page, re.S).group(1)
    cells = [_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    # Five technical reviews finished in the period (column 5), one of them after its target
    # (case D, 45 WD against 40); all five within the 60 WD statutory limit.
    assert cells[4] == "5"
    assert cells[10] == "80.0%（5 件中 1 件超时）"
    assert cells[11] == "100.0%（共 5 件）"


def test_a_limit_only_some_finished_stages_have_says_how_many(kpi_cases, users, make_application):
    """QMS verification: A's and E's (Class II) have no statutory limit (Order 47 Art. 48, 98); a
    Class III one has 30 WD (Art. 93). The statutory column says it is over that one stage, and the
    note no longer says that only testing and the national review lack a limit."""
    from services import workflow
    from tests.conftest import stage_of

    app = make_application(device_class="III", category="active", today=dt.date(2026, 3, 2))
    workflow.application_submit(application=app, actor=users.enterprise, today=dt.date(2026, 3, 2))
    workflow.stage_start(stage=stage_of(app, "qms_verification"), actor=users.inspector,
                         received_on=dt.date(2026, 3, 2), today=dt.date(2026, 3, 2))
    workflow.stage_complete(stage=stage_of(app, "qms_verification"), actor=users.inspector, outcome="passed",
                            note="通过", today=dt.date(2026, 3, 10))
    page = _page(users.supervisor)
    row = re.search(r'<th scope="row" class="text">体系核查</th>(.*?)</tr>', page, re.S).group(1)
    cells = [_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[4] == "3"  # finished in the period: A, E and the Class III one
    assert cells[8] == "30（仅 1 件有法定时限）"
    assert cells[11] == "100.0%（共 1 件）"
    note = _text(page)
    assert "注册检验和国家局审评没有本地法定时限" not in note
    assert ("第二类产品的体系核查及体系核查与生产许可合并检查（第四十八条、第九十八条；"
            "第三类为 30 个工作日，第九十三条）") in note
    # Where every finished stage has the limit, nothing is added (technical review: 5 of 5).
    row = re.search(r'<th scope="row" class="text">技术审评</th>(.*?)</tr>', page, re.S).group(1)
    cells = [_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert (cells[7], cells[8]) == ("40", "60")


def test_each_deadline_state_has_one_name(kpi_cases, users):
    """The list said 临近目标时限 where the workload chart said 预警期内到期, and past the target was
    both 超目标时限 and 已超目标时限: one name each, in Chinese and in English."""
    text = _text(_page(users.supervisor))
    for name in ("已超目标时限", "临近目标时限", "已超法定时限"):
        assert name in text
    assert "预警期内到期" not in text
    assert "超目标时限" not in text.replace("已超目标时限", "").replace("超目标时限办结", "")
    from django.utils import translation

    from kpi.figures import URGENCY_LABELS
    from kpi.selectors import STATE_LABELS, WORKLOAD_STATES

    with translation.override("en"):
        # Worst first, in the escalation order of the one status model (review.deadlines).
        assert [str(URGENCY_LABELS[k]) for k in range(4)] == [
            "Statutory limit passed", "Statutory limit near", "Past target", "Due soon"]
        assert [str(label) for _k, label, _c in WORKLOAD_STATES][:4] == [
            "Statutory limit passed", "Statutory limit near", "Past target", "Due soon"]
    with translation.override("zh-hans"):
        assert [str(STATE_LABELS[k]) for k in ("breach", "overdue", "statutory_near", "due_soon")] == [
            "已超法定时限", "已超目标时限", "临近法定时限", "临近目标时限"]
