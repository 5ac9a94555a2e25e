"""services.documents and services.filetypes: what a file is, and an answer stored all or nothing."""

import io
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from review.exceptions import InvalidInput, PermissionDenied
from review.models import ClockStop, SupplementDocument, TransitionLog
from services import documents, filetypes
from tests.case_fixtures import EXE, JPEG, PDF, PNG, docx_bytes, upload, zip_bytes
from tests.conftest import stage_of


def kind_of(content: bytes):
    found = filetypes.sniff(io.BytesIO(content))
    return found.key if found else None


@pytest.mark.parametrize(("content", "kind"), [
    (PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg"), (b"II*\x00rest", "tiff"), (b"MM\x00*rest", "tiff"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "ole"),
    (docx_bytes(), "docx"), (zip_bytes(), "zip"),
    (EXE, None), (b"just text", None), (b"", None), (b"PK\x03\x04 not really a zip", None),
    (b"<html><script>alert(1)</script>", None),
])
def test_sniff_by_magic_bytes(content, kind):
    assert kind_of(content) == kind


@pytest.mark.parametrize(("name", "content", "ok"), [
    ("scan.PDF", PDF, True),
    ("photo.jpeg", JPEG, True),
    ("report.docx", docx_bytes(), True),
    ("bundle.zip", docx_bytes(), True),  # an Office file is a zip too
    ("bundle.zip", zip_bytes(), True),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, True),
    ("report.pdf", EXE, False),  # a renamed program
    ("report.pdf", docx_bytes(), False),  # says PDF, is Word
    ("photo.png", PDF, False),
    ("notes.txt", b"plain", False),  # not an accepted kind at all
    ("noextension", PDF, False),
    ("evil.exe", EXE, False),
])
def test_files_check(settings, name, content, ok):
    settings.SUPPLEMENT_MAX_FILE_BYTES = 10_000
    if ok:
        [checked] = documents.files_check([upload(name, content)])
        assert checked.size == len(content)
    else:
        with pytest.raises(InvalidInput) as exc:
            documents.files_check([upload(name, content)])
        assert exc.value.extra["field"] == "files"


def test_legacy_office_types_come_from_the_extension_once_the_container_is_known():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    assert documents.files_check([upload("a.xls", ole)])[0].content_type == "application/vnd.ms-excel"
    assert documents.files_check([upload("a.doc", ole)])[0].content_type == "application/msword"


def test_too_many_files(settings):
    settings.SUPPLEMENT_MAX_FILES = 2
    with pytest.raises(InvalidInput):
        documents.files_check([upload(f"{i}.pdf", PDF) for i in range(3)])


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\a\\报告.pdf", "报告.pdf"),
    ("bad\x00name\n.pdf", "badname.pdf"),
    ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),  # 200 characters, extension kept
])
def test_clean_filename(raw, clean):
    assert documents.clean_filename(raw) == clean


class BrokenUpload(SimpleUploadedFile):
    """A client that disconnects mid-upload: the first bytes arrived, the rest never will."""

    def chunks(self, chunk_size=None):
        raise OSError("connection reset while reading the upload")


def test_a_failure_after_the_first_file_leaves_no_file_no_row_and_a_paused_stage(users, case_with_requests, uploads):
    app, _answered, open_stop, _doc = case_with_requests
    review = stage_of(app, "technical_review")
    files_before = sorted(uploads.rglob("*.*"))
    log_before = TransitionLog.objects.filter(application=app).count()
    with pytest.raises(OSError):
        documents.supplement_answer(
            clock_stop=open_stop, actor=users.enterprise, response="已补充", expected_version=review.version,
            files=[upload("first.pdf", PDF), BrokenUpload("second.pdf", PDF)])
    assert sorted(uploads.rglob("*.*")) == files_before  # the first file was written, then removed
    assert not SupplementDocument.objects.filter(clock_stop=open_stop).exists()
    assert ClockStop.objects.get(pk=open_stop.pk).ended_on is None
    assert stage_of(app, "technical_review").state == "paused"
    assert TransitionLog.objects.filter(application=app).count() == log_before


def test_a_refused_resume_writes_no_file(users, case_with_requests, uploads):
    app, _answered, open_stop, _doc = case_with_requests
    files_before = sorted(uploads.rglob("*.*"))
    with pytest.raises(PermissionDenied):
        documents.supplement_answer(clock_stop=open_stop, actor=users.officer, response="x",
                                    files=[upload("a.pdf", PDF)])
    assert sorted(uploads.rglob("*.*")) == files_before


def test_documents_are_stored_outside_any_url_with_their_hash(users, case_with_requests, uploads):
    _app, _answered, _open, doc = case_with_requests
    path = uploads / doc.file.name
    assert path.read_bytes() == PDF
    assert doc.file.name.startswith("supplements/") and doc.file.name.endswith(".pdf")
    assert "营业执照" not in doc.file.name  # stored under a random name, shown under the original
    with pytest.raises(ValueError):
        doc.file.url  # noqa: B018 - no public URL exists


def test_prune_removes_only_old_orphans(case_with_requests, uploads):
    _app, _answered, _open, doc = case_with_requests
    orphan = uploads / "supplements" / "orphan.pdf"
    orphan.write_bytes(PDF)
    young = uploads / "supplements" / "young.pdf"
    young.write_bytes(PDF)
    old = time.time() - 48 * 3600
    os.utime(orphan, (old, old))
    os.utime(uploads / doc.file.name, (old, old))
    assert documents.uploads_prune_orphans(older_than_seconds=24 * 3600) == ["supplements/orphan.pdf"]
    assert not orphan.exists() and young.exists() and (uploads / doc.file.name).exists()
