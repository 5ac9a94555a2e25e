"""Every dashboard table, and the filtered case list, as Excel (openpyxl) or CSV.

A table is ``(name, title, headers, rows)``; the same tables feed the page, the downloads and the
``kpi_report`` command, so the three never disagree.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

TABLE_NAMES = ("stages", "cases", "trend", "workload", "urgent", "applicant", "case_list")


def _pct(v):
    return "" if v is None else v


def tables(data: dict, *, include_lists: bool = True) -> list[tuple[str, str, list[str], list[list]]]:
    out = [(
        "stages", _("Stage kinds"),
        [_("Stage"), _("Open now"), _("Past target now"), _("Past statutory limit now"),
         _("Waiting for the applicant"), _("Finished in the period"), _("Average working days"),
         _("90th percentile working days"), _("Target (WD)"), _("Statutory limit (WD)"),
         _("Plan baseline (WD)"), _("On time against the target (%)"),
         _("On time against the statutory limit (%)"), _("Finished late (target)"),
         _("Finished late (statutory limit)")],
        [[r.label, r.open_now, r.past_target, r.past_statutory, r.applicant_waiting, r.done,
          _pct(r.avg_days), _pct(r.p90_days), r.target, r.statutory, r.baseline, _pct(r.on_target),
          _pct(r.on_statutory), r.late_target, r.late_statutory] for r in data["stages"]],
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
         [_("Lishui reference figure (WD)"), f"{c.lishui_reference} ({c.lishui_source})"]],
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
             _("Target date"), _("Statutory date")],
            [[s.application.reference, s.application.product_name, s.get_kind_display(),
              str(s.department or ""), str(s.assignee or ""), str(data["urgency_labels"][s.urgency]),
              s.target_due, s.statutory_due] for s in data["urgent"]],
        ))
    return out


def case_list_table(applications) -> tuple[str, str, list[str], object]:
    headers = [_("Reference"), _("Product"), _("Enterprise"), _("District"), _("device class"),
               _("category"), _("application type"), _("pathway"), _("State"), _("policy pack"),
               _("submitted on"), _("accepted on"), _("closed on")]
    rows = (applications.select_related(None).values_list(
        "reference", "product_name", "enterprise__name", "enterprise__district", "device_class", "category",
        "application_type", "pathway", "state", "policy_pack__name", "submitted_on", "accepted_on", "closed_on",
    ).iterator(chunk_size=2000))
    return "case_list", _("Cases"), headers, rows


def write_xlsx(all_tables, stream) -> None:
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    for name, title, headers, rows in all_tables:
        ws = wb.create_sheet(title=name[:31])
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
            ws.append(list(row))
    wb.save(stream)


def write_csv(table, stream) -> None:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""
    _name, _title, headers, rows = table
    stream.write("\ufeff")
    writer = csv.writer(stream)
    writer.writerow([str(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])


def csv_bytes(table) -> bytes:
    buf = io.StringIO()
    write_csv(table, buf)
    return buf.getvalue().encode("utf-8")
