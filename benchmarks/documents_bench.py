"""Benchmark: generating and signing one official document, and verifying one.

Run from the repository root: ``python benchmarks/documents_bench.py [--runs 50]``. Needs no
database: it builds a registration certificate's text (``notices.content``), renders the PDF with
the embedded font and its QR code (``notices.pdf``), signs it (PAdES, ``notices.signing``: the
settings' key, else the local demo CA), and verifies the signed bytes (SHA-256 and pyHanko's
signature validation, ``notices.signing.check``: what ``POST /api/v1/notices/verify/`` does
besides one indexed look-up by SHA-256). The first run of each (font parsing, key loading) is
timed apart. Prints the numbers; record them in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    import django

    django.setup()
    from notices import content as text
    from notices import signing
    from services import notices

    case = text.CaseFacts(reference="CQ202600006", product_name="一次性使用无菌注射器", device_class="II",
                          category="passive", application_type="first", enterprise="重庆某医疗科技有限公司",
                          credit_code="91500000MA5U00000X")
    product = text.ProductFacts(
        registrant_address="重庆市渝北区某某路1号", production_address="重庆市两江新区某某大道88号3幢",
        models="1 mL、2 mL、5 mL、10 mL", structure="由外套、芯杆、活塞、注射针组成，环氧乙烷灭菌，一次性使用。",
        intended_use="供抽吸液体或在注射液体后立即注射用。", attachments="产品技术要求")

    def generate() -> bytes:
        body = text.certificate(case, product, number="渝药监械证〔2026〕0001号", issued_on=dt.date(2026, 3, 4),
                                office="重庆市药品监督管理局", contact="医疗器械注册受理窗口",
                                certificate_number="渝械注准20262140001", approved_on=dt.date(2026, 3, 2),
                                valid_until=dt.date(2031, 3, 1))
        return notices.sign_document(body.as_dict(), title=body.title)[0]

    def verify(data: bytes) -> bool:
        hashlib.sha256(data).hexdigest()
        return signing.check(data).valid

    def timed(fn, *a):
        start = time.perf_counter()
        result = fn(*a)
        return (time.perf_counter() - start) * 1000, result

    first_gen, data = timed(generate)
    first_ver, ok = timed(verify, data)
    assert ok, "the benchmark's own document must verify"
    gens = [timed(generate)[0] for _ in range(args.runs)]
    vers = [timed(verify, data)[0] for _ in range(args.runs)]

    def line(name, xs):
        xs = sorted(xs)
        return (f"{name:<28} median {statistics.median(xs):6.1f} ms   p90 {xs[int(len(xs) * 0.9) - 1]:6.1f} ms   "
                f"max {xs[-1]:6.1f} ms")

    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {args.runs} runs each; "
          f"signing key: {'demo CA' if signing.configured().demo else signing.configured().cert}")
    print(f"document: one-page registration certificate, {len(data) / 1024:.1f} KB signed")
    print(f"first generate+sign (cold)   {first_gen:6.1f} ms   first verify (cold) {first_ver:6.1f} ms")
    print(line("generate + sign", gens))
    print(line("verify (sha256 + signature)", vers))


if __name__ == "__main__":
    main()
