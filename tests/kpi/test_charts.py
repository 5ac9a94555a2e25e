"""The charts' layout: a visible title, every month of the period, legends and labels that fit."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from kpi import charts

LONG = ["受理", "注册检验", "体系核查与生产许可合并检查", "国家局审评", "体系核查", "技术审评", "行政审批",
        "生产许可受理", "生产许可现场检查", "前置服务"]
LONG_EN = ["Acceptance", "Registration testing", "Merged QMS and licence inspection", "National review (NMPA)",
           "QMS verification", "Technical review", "Administrative decision", "Licence acceptance",
           "Production-licence inspection", "Pre-submission service"]


def _legend_boxes(svg):
    """(x, y, estimated right edge) of each legend label: the text after a 10×10 swatch."""
    out = []
    for x, y, label in re.findall(r'<rect x="([\d.]+)" y="([\d.-]+)" width="10" height="10"[^>]*/>'
                                  r'<text [^>]*>([^<]*)</text>', svg):
        out.append((float(x), float(y), float(x) + 14 + charts.text_width(label, 11)))
    return out


@pytest.mark.parametrize("names", [LONG, LONG_EN])
def test_legend_labels_never_overlap(names):
    svg = charts.line_chart(title="标题", x_labels=["2026-01"], series=[(n, [1.0]) for n in names])
    boxes = _legend_boxes(svg)
    assert len(boxes) == len(names)
    for (x1, y1, r1), (x2, y2, _r2) in zip(boxes, boxes[1:], strict=False):
        if y1 == y2:
            assert r1 < x2, (x1, r1, x2)  # "体系核查与生产许可合并检查" ran into "国家局审评"
    assert all(r <= 640 for _x, _y, r in boxes)
    # The drawing is as tall as its legend: the last line is inside the view box.
    height = float(re.search(r'viewBox="0 0 640 ([\d.]+)"', svg).group(1))
    assert max(y for _x, y, _r in boxes) + 10 <= height


def test_a_chart_shows_its_title():
    svg = charts.line_chart(title="按办结月份的平均用时（工作日）", x_labels=["2026-01"], series=[("受理", [3.0])])
    assert re.search(r'<text [^>]*font-weight="600"[^>]*>按办结月份的平均用时（工作日）</text>', svg)


def test_bar_labels_are_not_cut():
    states = [("on_track", "On track", "#5cb85c")]
    svg = charts.stacked_bars(title="Open stages", rows=[("Production-licence inspection", {"on_track": 1})],
                              states=states)
    x = float(re.search(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="end" font-size="12"', svg).group(1))
    assert x - charts.text_width("Production-licence inspection", 12) >= 0  # it began at −20 ("oduction-…")


@pytest.fixture
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0), tick=False):
        yield


def test_the_trend_has_every_month_of_the_period(kpi_cases, users, _today):
    """March to June 2026: technical reviews finished in March, April and May, none in June. The
    axis has all four months; June is a gap (no point), not a zero."""
    client = Client()
    client.force_login(users.supervisor)
    page = client.get("/dashboard/?start=2026-03-01&end=2026-06-30").content.decode()
    svg = re.search(r'<svg[^>]*aria-label="按办结月份的平均用时（工作日）".*?</svg>', page, re.S).group(0)
    assert re.findall(r">(2026-\d\d)</text>", svg) == ["2026-03", "2026-04", "2026-05", "2026-06"]
    points = re.findall(r"<title>技术审评: ([\d.]+)</title>", svg)
    assert points == ["10", "9", "26.5"]  # A; C and E; B and D: three months, no invented zero
