"""What an uploaded file really is, from its first bytes (magic numbers), not from its name.

Pure Python, no ORM and no libmagic: the few formats an applicant may send (PDF, scans, Office
documents, zip archives) are recognised by their signatures; Office Open XML and OpenDocument
files are zip archives recognised by the entries inside. An archive is never extracted, only
its directory read.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class FileKind:
    key: str
    content_type: str
    extensions: frozenset[str]


KINDS = {k.key: k for k in (
    FileKind("pdf", "application/pdf", frozenset({"pdf"})),
    FileKind("jpeg", "image/jpeg", frozenset({"jpg", "jpeg"})),
    FileKind("png", "image/png", frozenset({"png"})),
    FileKind("tiff", "image/tiff", frozenset({"tif", "tiff"})),
    FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             frozenset({"docx"})),
    FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             frozenset({"xlsx"})),
    FileKind("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
             frozenset({"pptx"})),
    FileKind("odt", "application/vnd.oasis.opendocument.text", frozenset({"odt"})),
    FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", frozenset({"ods"})),
    FileKind("odp", "application/vnd.oasis.opendocument.presentation", frozenset({"odp"})),
    # Legacy Office (Word 97-2003 and kin) share one container format (OLE2 compound file).
    FileKind("ole", "application/x-ole-storage", frozenset({"doc", "xls", "ppt"})),
    FileKind("zip", "application/zip", frozenset({"zip"})),
)}
ALLOWED_EXTENSIONS = sorted(ext for k in KINDS.values() for ext in k.extensions)
# The legacy Office content type by extension: the container alone does not tell them apart.
_OLE_TYPES = {"doc": "application/msword", "xls": "application/vnd.ms-excel",
              "ppt": "application/vnd.ms-powerpoint"}
_OOXML_DIRS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
_ODF_TYPES = {KINDS[k].content_type: k for k in ("odt", "ods", "odp")}

HEAD_BYTES = 1024


def sniff(stream: BinaryIO) -> FileKind | None:
    """The kind of file ``stream`` holds, or None when it is none of the accepted kinds.

    Reads the first bytes (and, for zip archives, the central directory); leaves the stream at 0.
    """
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return KINDS["pdf"]
    if head.startswith(b"\xff\xd8\xff"):
        return KINDS["jpeg"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return KINDS["png"]
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return KINDS["tiff"]
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return KINDS["ole"]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            return _zip_kind(stream)
        finally:
            stream.seek(0)
    return None


def _zip_kind(stream: BinaryIO) -> FileKind | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 100:
                    declared = archive.read("mimetype").decode("ascii", "replace").strip()
                    if declared in _ODF_TYPES:
                        return KINDS[_ODF_TYPES[declared]]
            if "[Content_Types].xml" in names:
                for prefix, key in _OOXML_DIRS.items():
                    if any(n.startswith(prefix) for n in names):
                        return KINDS[key]
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None  # says zip on the first line but is not a readable archive
    return KINDS["zip"]


def content_type_for(kind: FileKind, extension: str) -> str:
    """The content type to store and serve: the detected kind's, refined by the extension only
    where the bytes cannot tell (legacy Office)."""
    if kind.key == "ole":
        return _OLE_TYPES[extension]
    return kind.content_type


def matches(kind: FileKind, extension: str) -> bool:
    """The name's extension is one this kind of content may carry (a .docx is also a zip, but a
    renamed .exe is nothing we accept)."""
    return extension in kind.extensions or (extension == "zip" and kind.key in {
        "docx", "xlsx", "pptx", "odt", "ods", "odp"})
