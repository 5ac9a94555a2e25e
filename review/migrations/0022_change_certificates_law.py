"""Certificates recorded for change registrations were given a new five-year
validity (and watched for renewal) as if they were new certificates. Order 47 Art. 81: the change
document is used with the original certificate, whose number and expiry stay.

Each such row becomes a change document (kind ``change``): when the original certificate is on
record (the same enterprise and product, a registration certificate issued before it and not itself
from a change), the row takes the original's validity; otherwise its validity is left empty (none is
invented). Each correction is logged on the change case, chained like every log row
(review/logchain.py), with the old and new values. Reversible only by hand (noop backwards).
"""

import datetime as dt
import hashlib
import json

from django.db import migrations
from django.utils import timezone


def _row_hash(row) -> str:
    """A frozen copy of review/logchain.py's row hash as of this migration (a migration must not
    read live code: docs/architecture.md#migrations)."""
    at = row.at.astimezone(dt.UTC).isoformat(timespec="microseconds") if row.at else ""
    fields = {
        "prev": row.prev_hash, "application": row.application_id, "stage": row.stage_id,
        "action": str(row.action), "from": row.from_state, "to": row.to_state, "actor": row.actor_id,
        "at": at, "reason": row.reason, "details": row.details if row.details is not None else {},
        "for_applicant": bool(row.for_applicant), "reason_for_applicant": bool(row.reason_for_applicant),
    }
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _log(TransitionLog, app, details):
    row = TransitionLog(application_id=app.pk, stage_id=None, action="certificate_corrected",
                        from_state=app.state, to_state=app.state, actor_id=None, at=timezone.now(),
                        reason="变更注册文件与原医疗器械注册证合并使用，注册证编号和有效期不变"
                               "（《医疗器械注册与备案管理办法》第八十一条）",
                        details=details, for_applicant=False, reason_for_applicant=False)
    row.prev_hash = (TransitionLog.objects.filter(application_id=app.pk).order_by("-id")
                     .values_list("hash", flat=True).first()) or ""
    row.hash = _row_hash(row)
    row.save()


def correct_change_certificates(apps, schema_editor):
    Certificate = apps.get_model("review", "Certificate")
    TransitionLog = apps.get_model("review", "TransitionLog")
    rows = (Certificate.objects.filter(kind="registration", application__application_type="change")
            .select_related("application").order_by("pk"))
    for cert in rows:
        original = (Certificate.objects.filter(
            kind="registration", enterprise_id=cert.enterprise_id, product_name=cert.product_name,
            issued_on__lte=cert.issued_on).exclude(pk=cert.pk)
            .exclude(application__application_type="change").order_by("-issued_on", "-pk").first())
        before = {"kind": cert.kind, "valid_from": str(cert.valid_from) if cert.valid_from else None,
                  "expires_on": str(cert.expires_on) if cert.expires_on else None}
        cert.kind = "change"
        cert.valid_from = original.valid_from if original else None
        cert.expires_on = original.expires_on if original else None
        cert.save(update_fields=["kind", "valid_from", "expires_on"])
        app = cert.application
        if original is not None and app.change_of_id is None:
            app.change_of_id = original.pk
            type(app).objects.filter(pk=app.pk).update(change_of_id=original.pk)
        _log(TransitionLog, app, {
            "certificate": cert.number, "before": before,
            "after": {"kind": "change", "valid_from": str(cert.valid_from) if cert.valid_from else None,
                      "expires_on": str(cert.expires_on) if cert.expires_on else None},
            "original": original.number if original else None})


class Migration(migrations.Migration):

    dependencies = [
        ("review", "0021_law_edges_law"),
    ]

    operations = [
        migrations.RunPython(correct_change_certificates, migrations.RunPython.noop),
    ]
