"""Digests: one e-mail per recipient and working day: first what is new since the last digest,
then everything of theirs still overdue or past the statutory limit until it is dealt with; each
case once, under its worst level (docs/operations.md#alert-levels-and-recipients).

Sending never happens inside a transaction that could roll back after the mail left: deliveries
are first *claimed* (marked sending, committed), then the message is sent, then marked sent (or
failed with the error). A worker that dies between send and mark leaves a stale claim, which is
retried after ``CLAIM_TIMEOUT``: at worst one duplicate digest, never a lost alert.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from clock.periods import renewal_window
from clock.sla import capped_by_expiry
from review.deadlines import LABELS, stage_level
from review.models import Certificate, Stage
from review.models.enums import StageKind, StageState
from review.selectors import calendar_current

from .models import LEVEL_ORDER, STILL_LATE_LEVELS, AlertLevel, Delivery, DigestDay, SendState

log = logging.getLogger(__name__)
CLAIM_TIMEOUT = dt.timedelta(minutes=15)


@dataclass
class DigestResult:
    held: bool = False
    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def _sendable(now, retry_only: bool = False) -> Q:
    """Owed deliveries: pending ones (unless only retrying), failed ones, and stale claims."""
    states = [SendState.FAILED] if retry_only else [SendState.PENDING, SendState.FAILED]
    return Q(state__in=states) | Q(state=SendState.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)


def case_link(application, *, staff: bool) -> str:
    if staff:
        path = reverse("admin:review_application_change", args=[application.pk])
    else:
        try:
            path = reverse("portal:application", args=[application.pk])
        except NoReverseMatch:
            path = "/portal/"
    return settings.SITE_URL.rstrip("/") + path


def _claim(email: str, retry_only: bool) -> list[int]:
    now = timezone.now()
    with transaction.atomic():
        ids = list(Delivery.objects.select_for_update(skip_locked=True)
                   .filter(_sendable(now, retry_only), email=email).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(state=SendState.SENDING, claimed_at=now)
    return ids


def _claim_day(email: str, today: dt.date, *, retry_only: bool) -> bool:
    """Claim this address's daily digest (the reminder part) for ``today``: True at most once per
    day, or again after a failed or stale attempt. A retry run never starts a new day's digest."""
    now = timezone.now()
    owed = Q(state=SendState.FAILED) | Q(state=SendState.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    with transaction.atomic():
        if retry_only:
            return bool(DigestDay.objects.filter(owed, email=email, day=today)
                        .update(state=SendState.SENDING, claimed_at=now))
        row, created = DigestDay.objects.select_for_update().get_or_create(
            email=email, day=today, defaults={"state": SendState.SENDING, "claimed_at": now})
        if created:
            return True
        return bool(DigestDay.objects.filter(owed, pk=row.pk).update(state=SendState.SENDING, claimed_at=now))


def _still_late(today: dt.date) -> Q:
    """Deliveries already sent whose alert is still true today: the stage still runs, its stored
    deadline is still the one alerted, and that day has passed. An extension, a pause, a finished
    stage or a closed case is "dealt with": the case leaves the digest."""
    return (
        Q(state=SendState.SENT, alert__level__in=STILL_LATE_LEVELS, alert__deadline__lt=today,
          alert__stage__state=StageState.RUNNING)
        & (Q(alert__level=AlertLevel.OVERDUE, alert__stage__target_due=F("alert__deadline"))
           | Q(alert__level=AlertLevel.BREACH, alert__stage__statutory_due=F("alert__deadline")))
    )


def _consequence(stage, application, level: str) -> str:
    """What the law makes of a statutory limit passed (or near) on this stage, said in the digest:
    an acceptance not decided in 5 WD is deemed made on the day of receipt (Licensing Law Art. 32);
    a renewal not decided by the old certificate's expiry is deemed granted (Order 47 Art. 82)."""
    if stage is None or level not in (AlertLevel.BREACH, AlertLevel.STATUTORY_NEAR):
        return ""
    passed = level == AlertLevel.BREACH
    if stage.kind in (StageKind.ACCEPTANCE, StageKind.LICENCE_ACCEPTANCE):
        return (_("deemed accepted as of the day of receipt (Administrative Licensing Law Art. 32)") if passed
                else _("if not decided by then, deemed accepted as of receipt (Administrative Licensing Law Art. 32)"))
    # Only a stage before the decision can leave a renewal undecided at expiry (the issuance follows
    # the decision, Order 47 Art. 95); a late-filed renewal has no ``decide_by`` (Art. 83).
    if (application.decide_by and stage.statutory_due == application.decide_by
            and capped_by_expiry(stage.kind)):
        return (_("the renewal is deemed granted: the old certificate has expired (Order 47 Art. 82)") if passed
                else _("if not decided by then, the renewal is deemed granted (Order 47 Art. 82)"))
    return ""


def _stage_label(alert, level: str) -> str:
    if alert.certificate:
        return f"{alert.certificate.get_kind_display()} {alert.certificate.number}"
    return stage_label(alert.stage, alert.application, level)


def stage_label(stage, application, level: str) -> str:
    label = str(stage.get_kind_display() if stage else "")
    consequence = _consequence(stage, application, level)
    if not consequence:
        return label
    return _("%(stage)s (%(consequence)s)") % {"stage": label, "consequence": consequence}


def _renewal_note(certificate, today: dt.date, cal) -> str:
    """A renewal line says both dates: the certificate's expiry and the last day to file its
    renewal (Order 47 Art. 82: six months before; Order 53 Art. 17: 90 to 30 working days
    before), and whether that day has passed. The alert's own date is the expiry."""
    w = renewal_window(certificate.kind, certificate.expires_on, cal)
    dates = {"expires": w.expires_on.isoformat(), "by": w.closes.isoformat(),
             "from": w.opens.isoformat() if w.opens else ""}
    if certificate.kind == Certificate.Kind.LICENCE:
        if w.missed(today):
            return _("valid until %(expires)s; under Order 53 Art. 17 the renewal was to be filed between "
                     "%(from)s and %(by)s (that period has passed)") % dates
        return _("valid until %(expires)s; under Order 53 Art. 17 file the renewal between %(from)s "
                 "and %(by)s") % dates
    if w.missed(today):
        return _("valid until %(expires)s; under Order 47 Art. 82 the renewal was to be filed by "
                 "%(by)s (that date has passed)") % dates
    return _("valid until %(expires)s; under Order 47 Art. 82 file the renewal by %(by)s") % dates


_STAGE_LEVELS = (AlertLevel.BREACH, AlertLevel.STATUTORY_NEAR, AlertLevel.OVERDUE, AlertLevel.DUE_SOON)


def case_level(alert, today: dt.date, cal) -> tuple[str, dt.date]:
    """The level a digest lists a stage alert under, and that level's date: the stage's level
    today (review.deadlines), whoever reads the digest. Recipients differ in which alerts they are
    sent (the assignee is not sent the statutory ones, docs/operations.md#alert-levels-and-recipients),
    never in how a case is classified: the assignee's line for a stage past its statutory limit is
    listed under 已超法定时限, as the director's is. A level the stage has left (an extension, a
    pause) keeps the alert's own."""
    level, deadline = alert.level, alert.deadline
    if alert.stage is None or level not in _STAGE_LEVELS:
        return level, deadline
    now = stage_level(alert.stage, today, cal)
    rank = {lv: i for i, lv in enumerate(LEVEL_ORDER)}
    if now in rank and rank[now] < rank[level]:
        level = now
        deadline = alert.stage.statutory_due if now in (AlertLevel.BREACH, AlertLevel.STATUTORY_NEAR) \
            else alert.stage.target_due
    return level, deadline


def holder(stage) -> str:
    """Who holds a stage: its department and assignee, e.g. "技术审评科 · 王芳", or the department
    alone while nobody is assigned."""
    if stage is None:
        return ""
    names = [str(stage.department) if stage.department_id else "",
             (stage.assignee.get_full_name() or stage.assignee.get_username()) if stage.assignee_id else
             _("not assigned")]
    return pgettext("list separator", " · ").join(n for n in names if n)


def case_worst_rows(rows: list[dict], today: dt.date, cal, *, staff: bool) -> list[dict]:
    """A line for each listed case whose worst running stage today is worse than anything this
    reader was sent about it (one query for every case listed): the case is then listed under the
    case's own level, the reader's lines named beside it. The assignee of a technical review due
    soon reads, as the director does, that the parallel verification is past its statutory limit."""
    rank = {level: i for i, level in enumerate(LEVEL_ORDER)}
    best: dict[int, int] = {}
    for row in rows:
        best[row["application_id"]] = min(best.get(row["application_id"], len(rank)), rank[row["level"]])
    first = {row["application_id"]: row for row in rows}
    stages = (Stage.objects.filter(application_id__in=list(first), state=StageState.RUNNING)
              .select_related("application", "department", "assignee").order_by("pk"))
    worst: dict[int, tuple[str, object]] = {}
    for stage in stages:
        level = stage_level(stage, today, cal)
        if level not in rank:
            continue
        known = worst.get(stage.application_id)
        if known is None or rank[level] < rank[known[0]]:
            worst[stage.application_id] = (level, stage)
    extra = []
    for app_id, (level, stage) in worst.items():
        if rank[level] >= best[app_id]:
            continue
        deadline = stage.statutory_due if level in (AlertLevel.BREACH, AlertLevel.STATUTORY_NEAR) else stage.target_due
        extra.append({
            **first[app_id], "level": level, "stage": stage_label(stage, stage.application, level),
            "holder": holder(stage) if staff else "", "deadline": deadline,
            "days_late": cal.working_days_between(deadline, today) if deadline < today else 0,
            "renewal": "", "new": False,
        })
    return extra


def _rows(deliveries, today, cal, *, new: bool) -> list[dict]:
    out = []
    for d in deliveries:
        alert = d.alert
        level, deadline = case_level(alert, today, cal)
        out.append({
            "application_id": alert.application_id,
            "reference": alert.application.reference,
            "product": alert.application.product_name,
            "level": level,
            "stage": _stage_label(alert, level),
            "holder": holder(alert.stage) if d.staff else "",
            "deadline": deadline,
            "days_late": cal.working_days_between(deadline, today) if deadline < today else 0,
            "renewal": _renewal_note(alert.certificate, today, cal) if alert.certificate else "",
            "link": case_link(alert.application, staff=d.staff),
            "new": new,
        })
    return out


def level_label(level: str) -> str:
    """A stage level in the words of every other page (review.deadlines.LABELS); the applicant's
    deadline and the renewal watch are the alerts' own."""
    return str(LABELS[level] if level in LABELS else AlertLevel(level).label)


def digest_cases(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Each case once, under its worst level: (new cases, cases still late), each a list of level
    groups. A case with anything new belongs to the first part; its other stages are named beside."""
    rank = {level: i for i, level in enumerate(LEVEL_ORDER)}
    by_case: dict[int, list[dict]] = {}
    for row in rows:
        by_case.setdefault(row["application_id"], []).append(row)
    parts: dict[bool, dict[str, list]] = {True: {}, False: {}}
    for case_rows in by_case.values():
        case_rows.sort(key=lambda r: (rank[r["level"]], r["deadline"]))
        worst = dict(case_rows[0])
        seen = {worst["stage"]}
        also = []
        for r in case_rows[1:]:
            if r["stage"] not in seen:
                seen.add(r["stage"])
                also.append(_("%(stage)s: %(level)s") % {"stage": r["stage"], "level": level_label(r["level"])})
        worst["also"] = pgettext("list separator", "; ").join(also)
        is_new = any(r["new"] for r in case_rows)
        parts[is_new].setdefault(worst["level"], []).append(worst)

    def groups(part):
        return [{"label": level_label(level), "level": level,
                 "heading": _("%(level)s (%(n)d)") % {"level": level_label(level), "n": len(part[level])},
                 "rows": sorted(part[level], key=lambda r: (r["deadline"], r["reference"]))}
                for level in LEVEL_ORDER if level in part]

    return groups(parts[True]), groups(parts[False])


def _addressee(deliveries: list[Delivery]) -> str:
    """Whom the digest greets: the staff member by name; an enterprise by its name, as its case
    e-mails do (its contact address has no user)."""
    first = deliveries[0]
    if first.staff:
        return first.user.get_full_name() if first.user else ""
    names = dict.fromkeys(d.alert.application.enterprise.name for d in deliveries)
    return pgettext("list separator", ", ").join(names)


def _render(new: list[Delivery], still: list[Delivery], today: dt.date):
    cal = calendar_current()
    rows = _rows(new, today, cal, new=True) + _rows(still, today, cal, new=False)
    rows += case_worst_rows([r for r in rows if r["level"] in _STAGE_LEVELS], today, cal,
                            staff=(new + still)[0].staff)
    new_groups, still_groups = digest_cases(rows)
    count = sum(len(g["rows"]) for g in new_groups + still_groups)
    name = _addressee(new + still)
    context = {"new_groups": new_groups, "still_groups": still_groups, "today": today, "count": count,
               "greeting": _("%(name)s:") % {"name": name} if name else "",
               "staff": (new + still)[0].staff}
    subject = ngettext(
        "[Review tracker] %(day)s: %(n)d case needs attention",
        "[Review tracker] %(day)s: %(n)d cases need attention", count) % {"n": count, "day": today}
    text = render_to_string("notifications/digest.txt", context)
    html = render_to_string("notifications/digest.html", context)
    return subject, text, html, count


_RELATED = ("user", "alert__application__enterprise", "alert__stage__department", "alert__stage__assignee",
            "alert__certificate")


def digest_send_to(email: str, *, today: dt.date | None = None, retry_only: bool = False) -> bool:
    """Send one address its digest: what is new since the last one, then (once per day) what is
    still late. Returns True if a message left; raises if the server refused (after marking the
    deliveries and the day failed), so a Celery task can retry with back-off."""
    today = today or timezone.localdate()
    ids = _claim(email, retry_only)
    day_claimed = _claim_day(email, today, retry_only=retry_only)
    if not ids and not day_claimed:
        return False
    new = list(Delivery.objects.filter(pk__in=ids).select_related(*_RELATED).order_by("alert__deadline"))
    still = []
    if day_claimed:
        still = list(Delivery.objects.filter(_still_late(today), email=email)
                     .exclude(alert_id__in=[d.alert_id for d in new])
                     .select_related(*_RELATED).order_by("alert__deadline"))
    day = DigestDay.objects.filter(email=email, day=today) if day_claimed else DigestDay.objects.none()
    if not new and not still:
        day.update(state=SendState.SENT, cases=0, sent_at=timezone.now(), last_error="")
        return False
    first = (new or still)[0]
    with translation.override(first.language or settings.LANGUAGE_CODE):
        subject, text, html, count = _render(new, still, today)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [email])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        Delivery.objects.filter(pk__in=ids).update(
            state=SendState.FAILED, attempts=F("attempts") + 1, last_error=error)
        day.update(state=SendState.FAILED, attempts=F("attempts") + 1, last_error=error)
        log.warning("digest to %s failed: %s", email, exc)
        raise
    now = timezone.now()
    Delivery.objects.filter(pk__in=ids).update(
        state=SendState.SENT, sent_at=now, attempts=F("attempts") + 1, last_error="")
    day.update(state=SendState.SENT, sent_at=now, cases=count, attempts=F("attempts") + 1, last_error="")
    return True


def digest_addresses(*, today: dt.date | None = None, retry_only: bool = False) -> list[str]:
    """Addresses owed a digest: new or failed deliveries; on the daily run also everyone with
    something still late and no digest sent today; on a retry run the failed days."""
    today = today or timezone.localdate()
    now = timezone.now()
    emails = set(Delivery.objects.filter(_sendable(now, retry_only)).values_list("email", flat=True))
    if retry_only:
        emails |= set(DigestDay.objects.filter(day=today, state=SendState.FAILED).values_list("email", flat=True))
    else:
        done = DigestDay.objects.filter(day=today, state=SendState.SENT).values("email")
        emails |= set(Delivery.objects.filter(_still_late(today)).exclude(email__in=done)
                      .values_list("email", flat=True).distinct())
    return sorted(emails)


def digests_send(*, today: dt.date | None = None, force: bool = False,
                 retry_only: bool = False) -> DigestResult:
    """Send every digest owed, on working days only
    (docs/operations.md#alert-levels-and-recipients). ``retry_only``: just the failed ones (the
    15-minute sweep's retry between two mornings)."""
    today = today or timezone.localdate()
    result = DigestResult()
    if not force and not calendar_current().is_working_day(today):
        result.held = True
        return result
    for email in digest_addresses(today=today, retry_only=retry_only):
        try:
            if digest_send_to(email, today=today, retry_only=retry_only):
                result.sent.append(email)
        except Exception as exc:  # recorded on the deliveries; the next run retries
            result.failed[email] = f"{type(exc).__name__}: {exc}"
    return result
