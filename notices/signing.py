"""Signing issued documents (PAdES, pyHanko) and checking a signature.

The office signs with its own key and certificate: ``NOTICE_SIGNING_KEY`` and
``NOTICE_SIGNING_CERT`` (PEM files), the key's passphrase in ``NOTICE_SIGNING_PASSPHRASE``, the
certificates above it in ``NOTICE_SIGNING_CHAIN`` (optional). Production settings refuse to start
without the first two. Outside production, with none configured, a local demo certificate
authority is made once under ``var/demo-ca/`` (``demo_ca_ensure``): its names say 演示 (demo) and
that it has no legal effect, and its key never leaves the machine that made it.

What is trusted when checking: the chain's root when a chain is configured, else the signing
certificate itself (pinned). Nothing is fetched from the network (no OCSP, no CRL): the check
answers "did this office's key sign these bytes, unchanged", which is what the verification
page promises; revocation is the office's to publish.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

# X.509 names hold at most 64 bytes (21 Chinese characters) each.
DEMO_LABEL = "演示签章证书（无法律效力）"
DEMO_CA_LABEL = "演示证书颁发机构（无法律效力）"
FIELD_NAME = "OfficeSignature"
_lock = threading.Lock()


@dataclass(frozen=True)
class Keys:
    key: Path
    cert: Path
    chain: tuple[Path, ...]
    passphrase: bytes | None
    demo: bool


def configured() -> Keys:
    """The key material the settings name; outside production, the demo CA's when none is named."""
    key, cert = settings.NOTICE_SIGNING_KEY, settings.NOTICE_SIGNING_CERT
    passphrase = settings.NOTICE_SIGNING_PASSPHRASE or None
    chain = tuple(Path(p) for p in settings.NOTICE_SIGNING_CHAIN if p)
    if key and cert:
        return Keys(Path(key), Path(cert), chain, passphrase.encode() if passphrase else None, demo=False)
    if settings.PRODUCTION:  # production settings already refuse this; never sign with a demo key there
        raise RuntimeError("NOTICE_SIGNING_KEY and NOTICE_SIGNING_CERT are required in production")
    folder = demo_ca_ensure()
    return Keys(folder / "signing-key.pem", folder / "signing-cert.pem", (folder / "ca-cert.pem",), None, demo=True)


def demo_ca_ensure(folder: Path | None = None) -> Path:
    """Make the local demo CA and its signing certificate once (idempotent); returns the folder.

    Written to a temporary folder and renamed, so two processes starting at once never read a
    half-written key."""
    folder = Path(folder or settings.NOTICE_SIGNING_DEMO_DIR)
    if (folder / "signing-cert.pem").is_file():
        return folder
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.NOTICE_OFFICE_NAME),
                          x509.NameAttribute(NameOID.COMMON_NAME, common)])

    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = name(DEMO_CA_LABEL)
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now)
          .not_valid_after(now + dt.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder().subject_name(name(DEMO_LABEL))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.with_name(f".{folder.name}-{os.getpid()}-{threading.get_ident()}")
    staging.mkdir(mode=0o700, exist_ok=True)
    (staging / "README.txt").write_text(
        f"{DEMO_CA_LABEL}: local demo only, no legal effect.\n"
        "Made by the registration-review tracker for `make demo` and the tests.\n"
        "Never configure these files as NOTICE_SIGNING_KEY / NOTICE_SIGNING_CERT in production.\n",
        encoding="utf-8")
    (staging / "ca-cert.pem").write_bytes(ca.public_bytes(pem))
    (staging / "signing-cert.pem").write_bytes(cert.public_bytes(pem))
    (staging / "signing-key.pem").write_bytes(key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    os.chmod(staging / "signing-key.pem", 0o600)
    try:
        staging.rename(folder)
    except OSError:  # another process made it first: keep theirs
        for f in staging.iterdir():
            f.unlink()
        staging.rmdir()
    return folder


def signing_summary() -> str:
    """One line for set-up commands: which key signs the documents."""
    keys = configured()
    if keys.demo:
        return (f"Documents are signed by the local demo CA in {keys.cert.parent} ({DEMO_CA_LABEL}); "
                "set NOTICE_SIGNING_KEY and NOTICE_SIGNING_CERT for the office's own key.")
    return f"Documents are signed with {keys.cert}."


@lru_cache(maxsize=4)
def _signer(keys: Keys):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from pyhanko.sign import signers
    from pyhanko.sign.general import get_pyca_cryptography_hash

    class CachedKeySigner(signers.SimpleSigner):
        """pyHanko's SimpleSigner re-parses (and re-validates) the RSA key on every signature, twice
        per document (a dry run sizes the signature): about 90 ms each. The parsed key is kept."""

        _key = None

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            if mechanism.signature_algo != "rsassa_pkcs1v15":  # other key types: pyHanko's own way
                return super().sign_raw(data, digest_algorithm)
            if self._key is None:
                self._key = serialization.load_der_private_key(self.signing_key.dump(), password=None)
            return self._key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))

    loaded = signers.SimpleSigner.load(str(keys.key), str(keys.cert), ca_chain_files=[str(p) for p in keys.chain],
                                       key_passphrase=keys.passphrase)
    return CachedKeySigner(signing_cert=loaded.signing_cert, signing_key=loaded.signing_key,
                           cert_registry=loaded.cert_registry)


def signer():
    """The loaded signer (cached per key material: loading parses the key, once per process)."""
    return _signer(configured())


def _reserved(loaded) -> int:
    """Room for the CMS signature container, in hex digits (pyHanko's unit): the certificates it
    embeds, the signature value, the signed attributes and a 1 KB margin, rounded up to 512 bytes."""
    certs = {c.dump() for c in loaded.cert_registry} | {loaded.signing_cert.dump()}
    size = sum(len(c) for c in certs) + 2 * loaded.signing_cert.public_key.byte_size + 1024 + 1024
    return 2 * ((size + 511) // 512 * 512)


def signer_subject() -> str:
    """The signing certificate's subject common name, as printed in the signature block."""
    from asn1crypto import x509 as asn1_x509

    cert = signer().signing_cert
    assert isinstance(cert, asn1_x509.Certificate)
    return cert.subject.native.get("common_name", "")


def sign(data: bytes, *, box: tuple[float, float, float, float], page: int = -1, reason: str = "",
         location: str = "") -> bytes:
    """``data`` with a PAdES baseline signature (B-B) in a visible field over ``box`` (PDF points).

    The block's text and QR code are printed by the page itself (in the embedded font); the
    field's own appearance is a plain frame, drawn without any font."""
    from pyhanko.pdf_utils import content, layout
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    width, height = box[2] - box[0], box[3] - box[1]
    frame = content.RawContent(f"0.7 0 0.1 RG 1 w 0.5 0.5 {width - 1:.2f} {height - 1:.2f} re S".encode(),
                               box=layout.BoxConstraints(width, height))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason=reason or None, location=location or settings.NOTICE_OFFICE_NAME)
    pdf_signer = signers.PdfSigner(
        meta, signer=signer(),
        stamp_style=StaticStampStyle(background=frame, background_opacity=1.0, border_width=0),
        new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=page, box=box))
    with _lock:  # the cached signer is shared by a process's threads
        # Reserving the signature container's room spares pyHanko's dry-run signature that otherwise
        # sizes it (half the signing time); kept tight, because a reader (and the verification)
        # parses the reserved hex string token by token.
        out = pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)), bytes_reserved=_reserved(signer()))
    return out.getvalue()


@lru_cache(maxsize=4)
def _trust_roots(keys: Keys):
    from pyhanko.keys import load_cert_from_pemder

    roots = [load_cert_from_pemder(str(p)) for p in keys.chain]
    return roots[-1:] if roots else [load_cert_from_pemder(str(keys.cert))]


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool
    reason: str = ""


def check(data: bytes) -> SignatureCheck:
    """Whether ``data`` carries this office's signature, intact, covering the whole file.

    ``reason`` (Chinese, for the verification page and API) says what is wrong otherwise."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError) as exc:
        return SignatureCheck(False, f"文件无法作为PDF读取（{type(exc).__name__}）。")
    if not signatures:
        return SignatureCheck(False, "文件没有电子签章：不是本机关签发的文书。")
    try:
        status = validate_pdf_signature(
            signatures[-1], ValidationContext(trust_roots=_trust_roots(configured()), allow_fetching=False),
            skip_diff=True)
    except Exception as exc:  # noqa: BLE001 (a forged file may break the validator in any way)
        return SignatureCheck(False, f"电子签章无法校验（{type(exc).__name__}）。")
    if not status.intact or not status.valid:
        return SignatureCheck(False, "电子签章校验失败：文件在签章后被修改。")
    if not status.trusted:
        return SignatureCheck(False, "电子签章不是本机关的签章证书所签。")
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SignatureCheck(False, "文件在签章之后被追加了内容。")
    return SignatureCheck(True)
