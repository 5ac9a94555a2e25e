"""The applicant's answer to a supplement request: documents stored and the clock restarted at once.

``supplement_answer`` checks every file first (size, count, extension, and what the bytes really
are), then in ONE transaction resumes the stage through ``services.workflow.stage_resume`` (which
checks state, permission and staleness under the case lock and gives the fresh after-supplement
budget, Order 47 Art. 92), stores the files and their rows, and logs what arrived for the
reviewer. If anything fails, nothing remains: the rows roll back and the files already written
are deleted. (A rollback of an *outer* transaction after this one returned cannot be seen from
here; ``uploads_prune_orphans`` / ``manage.py prune_uploads`` removes such leftovers.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
import unicodedata
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from notifications.emails import answer_received_queue
from review import permissions as perms
from review.exceptions import InvalidInput, NotAllowedNow
from review.models import Application, ClockStop, SupplementDocument
from review.models.documents import SupplementStorage
from review.models.enums import APPLICANT_SIDE_REASONS, LogAction
from services import filetypes, workflow

storage = SupplementStorage()


@dataclass(frozen=True)
class CheckedFile:
    upload: object  # django.core.files.uploadedfile.UploadedFile
    name: str
    extension: str
    content_type: str
    size: int


def clean_filename(name: str) -> str:
    """The last path component, without control characters, at most 200 characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 199 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else base[:200]
    return base


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def files_check(files) -> list[CheckedFile]:
    """Refuse, before anything is written, a file that is too big, empty, of a kind we do not
    accept, or whose bytes are not what its name says."""
    files = list(files or [])
    limit, most = settings.SUPPLEMENT_MAX_FILE_BYTES, settings.SUPPLEMENT_MAX_FILES
    if not files:
        raise InvalidInput(_("Files: attach the documents that answer the request (PDF, images, "
                             "Office documents or zip)."), {"field": "files"})
    if len(files) > most:
        raise InvalidInput(_("Files: at most %(n)d files in one answer; put the rest in a zip archive.")
                           % {"n": most}, {"field": "files"})
    checked = []
    allowed = ", ".join(filetypes.ALLOWED_EXTENSIONS)
    for upload in files:
        name = clean_filename(getattr(upload, "name", ""))
        ext = _extension(name)
        shown = name or _("(no name)")
        if ext not in filetypes.ALLOWED_EXTENSIONS:
            raise InvalidInput(_("Files: “%(name)s” is not an accepted kind of file; send one of %(allowed)s.")
                               % {"name": shown, "allowed": allowed}, {"field": "files"})
        size = upload.size or 0
        if size == 0:
            raise InvalidInput(_("Files: “%(name)s” is empty.") % {"name": shown}, {"field": "files"})
        if size > limit:
            raise InvalidInput(
                _("Files: “%(name)s” is %(size).1f MB; each file may be at most %(limit).0f MB.")
                % {"name": shown, "size": size / 1048576, "limit": limit / 1048576}, {"field": "files"})
        kind = filetypes.sniff(upload)
        if kind is None or not filetypes.matches(kind, ext):
            raise InvalidInput(
                _("Files: the content of “%(name)s” is not a .%(ext)s file; send the original document.")
                % {"name": shown, "ext": ext}, {"field": "files"})
        checked.append(CheckedFile(upload, name, ext, filetypes.content_type_for(kind, ext), size))
    return checked


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def supplement_answer(*, clock_stop: ClockStop, actor, response: str, files, today: dt.date | None = None,
                      expected_version: int | None = None) -> list[SupplementDocument]:
    """Answer a supplement, missing-items or rectification request with documents: the applicant
    on the portal or the API, or staff recording an answer handed in at the counter with its
    scanned documents (logged with ``counter``).

    ``expected_version`` is the version of the stage the applicant's form was rendered with.
    """
    checked = files_check(files)
    saved: list[str] = []
    try:
        with transaction.atomic():
            # Lock the case first: the request read below cannot be answered by anyone else now.
            app = Application.objects.select_for_update().get(pk=clock_stop.stage.application_id)
            stop = ClockStop.objects.select_related("stage").get(pk=clock_stop.pk)
            if stop.reason not in APPLICANT_SIDE_REASONS:
                raise NotAllowedNow(_("This clock stop is not waiting for the applicant."))
            if stop.ended_on is not None:
                raise NotAllowedNow(_("This request was already answered on %(d)s.") % {"d": stop.ended_on}
                                    if stop.answered else _("This request is closed; it can no longer be answered."))
            stage = stop.stage
            stage.application = app
            workflow.stage_answer(stage=stage, actor=actor, response=response, today=today,
                                  document_count=len(checked), expected_version=expected_version)
            stop.refresh_from_db(fields=["response", "ended_on", "ended_by", "answered"])  # as the answer left it
            documents = []
            for f in checked:
                digest = _sha256(f.upload)
                name = storage.save(f"supplements/{app.pk}/{stop.pk}/{uuid.uuid4().hex}.{f.extension}", f.upload)
                saved.append(name)
                documents.append(SupplementDocument.objects.create(
                    clock_stop=stop, file=name, original_name=f.name, content_type=f.content_type,
                    size=f.size, sha256=digest, uploaded_by=actor,
                ))
            # Tells the reviewer what arrived (the resume above logged the answer and new deadlines).
            workflow.log(
                app, stage=stage, action=LogAction.DOCUMENTS, actor=actor,
                from_state=stage.state, to_state=stage.state, reason=stop.response,
                details={"clock_stop": stop.pk, "counter": not perms.is_owner(app, actor), "documents": [
                    {"id": d.pk, "name": d.original_name, "size": d.size, "sha256": d.sha256,
                     "content_type": d.content_type} for d in documents]},
            )
            # The reviewer hears of the answer and its documents (outbox, sent after commit).
            stage.refresh_from_db(fields=["target_due", "statutory_due"])
            answer_received_queue(app, stage, stop, documents)
    except BaseException:
        for name in saved:
            storage.delete(name)
        raise
    return documents


def uploads_prune_orphans(*, older_than_seconds: int = 24 * 3600) -> list[str]:
    """Delete stored files no document row points to (left by an outer rollback); returns them.

    Young files are left alone: they may belong to an answer whose transaction is still open.
    """
    root = storage.location
    if not os.path.isdir(root):
        return []
    known = set(SupplementDocument.objects.values_list("file", flat=True))
    cutoff = time.time() - older_than_seconds
    removed = []
    for folder, _dirs, names in os.walk(root):
        for filename in names:
            path = os.path.join(folder, filename)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if rel not in known and os.path.getmtime(path) < cutoff:
                storage.delete(rel)
                removed.append(rel)
    return removed
