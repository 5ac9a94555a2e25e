"""the certificate, change document and licence as signed documents; every font embedded;
the same glyphs on a reader without Chinese fonts; signatures that validate and break; the public
verification API and page; the product data that the certificate prints."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from notices import pdf, signing
from notices.models import Notice
from review.exceptions import InvalidInput, NotAllowedNow
from services import notice_verification, notices, product_data, workflow
from tests.conftest import MONDAY, stage_of
from tests.notices.conftest import pdf_text

pytestmark = pytest.mark.django_db
D = dt.date
PRODUCT = {"registrant_address": "重庆市渝北区某某路1号", "production_address": "重庆市两江新区某某大道88号",
           "models_specs": "1 mL、2 mL、5 mL", "structure": "由外套、芯杆、活塞组成，环氧乙烷灭菌。",
           "intended_use": "供抽吸液体或注射液体用。", "attachments": "产品技术要求",
           "legal_representative": "张某", "enterprise_head": "李某", "production_scope": "Ⅱ类：6815注射穿刺器械",
           "change_description": "增加型号10 mL"}


def _fonts(data: bytes) -> list[tuple[str, bool]]:
    """(name, embedded) of every font any page or annotation appearance uses, walked recursively."""
    reader = PdfReader(io.BytesIO(bytes(data)))
    found, seen = [], set()

    def walk(obj):
        if isinstance(obj, IndirectObject):
            if obj.idnum in seen:
                return
            seen.add(obj.idnum)
            obj = obj.get_object()
        if hasattr(obj, "keys"):
            if obj.get("/Type") == "/Font" and "/BaseFont" in obj:
                font = obj
                if "/DescendantFonts" in font:
                    font = font["/DescendantFonts"][0].get_object()
                desc = font.get("/FontDescriptor")
                desc = desc.get_object() if desc is not None else {}
                embedded = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                found.append((str(obj["/BaseFont"]), embedded))
            for key in obj.keys():
                if key not in ("/Parent", "/P"):
                    walk(obj[key])
        elif isinstance(obj, list):
            for item in obj:
                walk(item)

    for page in reader.pages:
        walk(page.get_object())
    return found


def _issue_all(users, make_application, reviewing) -> dict[str, Notice]:
    """One document of every kind, through the workflow: certificate, renewal, change, licence."""
    def approve(app, number, day=MONDAY):
        for kind, actor, outcome in (("technical_review", users.reviewer, "approve"),
                                     ("qms_verification", users.inspector, "passed"),
                                     ("decision", users.approver, "approve")):
            if app.stages.filter(kind=kind, state__in=["running", "pending"]).exists():
                workflow.stage_complete(stage=stage_of(app, kind), actor=actor, outcome=outcome, note="同意",
                                        today=day)
        workflow.stage_complete(stage=stage_of(app, "issuance"), actor=users.approver, outcome="issued",
                                reference=number, today=day)

    first = make_application()
    product_data.product_data_update(application=first, actor=users.enterprise, **PRODUCT)
    workflow.application_submit(application=first, actor=users.enterprise, today=MONDAY)
    workflow.stage_complete(stage=stage_of(first, "acceptance"), actor=users.acceptance, outcome="accepted",
                            today=MONDAY)
    approve(first, "渝械注准20262140001")
    change = reviewing(application_type="change")
    approve(change, "渝械注准20262140001")  # a change keeps the certificate's number (Order 47 Art. 115)
    from tests.notices.test_licence_notices import _class_iii_with_licence
    licence_case = _class_iii_with_licence(users, make_application)
    workflow.stage_complete(stage=stage_of(licence_case, "licence_decision"), actor=users.approver,
                            outcome="approve", note="准予", today=D(2026, 3, 6))
    workflow.stage_complete(stage=stage_of(licence_case, "licence_issuance"), actor=users.approver,
                            outcome="issued", reference="渝药监械生产许20260001号", today=D(2026, 3, 6))
    return {"certificate": Notice.objects.get(application=first, kind="certificate"),
            "approval": Notice.objects.get(application=first, kind="approval"),
            "acceptance": Notice.objects.get(application=first, kind="acceptance"),
            "change_document": Notice.objects.get(application=change, kind="change_document"),
            "licence": Notice.objects.get(application=licence_case, kind="licence")}


@pytest.fixture
def documents(users, make_application, reviewing):
    return _issue_all(users, make_application, reviewing)


def test_each_kind_of_document_is_issued_with_its_fields_all_fonts_embedded_and_a_valid_signature(documents):
    cert = pdf_text(documents["certificate"].pdf)
    for expected in ("医疗器械注册证", "注册证编号渝械注准20262140001", "注册人住所重庆市渝北区某某路1号",
                     "生产地址重庆市两江新区某某大道88号", "代理人名称/", "型号、规格1mL、2mL、5mL",
                     "结构及组成由外套、芯杆、活塞组成", "适用范围供抽吸液体或注射液体用。", "附件产品技术要求",
                     "审批部门重庆市药品监督管理局", "批准日期2026年3月2日", "有效期至2031年3月1日",
                     f"核验码：{documents['certificate'].verification_code}", "电子签章"):
        assert expected in cert, expected
    change = pdf_text(documents["change_document"].pdf)
    assert "医疗器械注册变更文件" in change and "本文件与原医疗器械注册证合并使用" in change
    licence = pdf_text(documents["licence"].pdf)
    assert "医疗器械生产许可证" in licence and "许可证编号渝药监械生产许20260001号" in licence
    assert "《医疗器械生产监督管理办法》（国家市场监督管理总局令第53号）第十四条" in licence
    for kind, notice in documents.items():
        fonts = _fonts(notice.pdf)
        assert fonts, kind
        assert all(embedded for _, embedded in fonts), (kind, fonts)
        assert not any("STSong" in name for name, _ in fonts), (kind, fonts)
        assert notice.signed and signing.check(bytes(notice.pdf)).valid, kind


def test_a_changed_byte_breaks_the_signature(documents):
    data = bytearray(documents["certificate"].pdf)
    # A byte inside the signed range (the page's content), not the signature's own bytes.
    at = data.index(b"stream") + 20
    data[at] = (data[at] + 1) % 256
    check = signing.check(bytes(data))
    assert not check.valid and "修改" in check.reason
    answer = notice_verification.by_file(bytes(data))
    assert answer["valid"] is False and "没有签发过" in answer["reason"]


def _glyph_shape(img: Image.Image) -> Image.Image:
    gray = img.convert("L")
    box = gray.point(lambda v: 255 if v < 128 else 0).getbbox()
    return gray.crop(box).resize((32, 32)).point(lambda v: 1 if v < 128 else 0)


def test_a_reader_without_chinese_fonts_draws_the_fonts_own_glyphs(documents):
    """pdfium draws the embedded glyphs; each title character matches the committed font's."""
    pdfium = pytest.importorskip("pypdfium2")
    scale = 4
    doc = pdfium.PdfDocument(bytes(documents["certificate"].pdf))
    page = doc[0]
    bitmap = page.render(scale=scale).to_pil()
    text = page.get_textpage()
    chars = text.get_text_range()
    title = "医疗器械注册证"
    start = chars.index(title)
    font = ImageFont.truetype(str(pdf.FONT_FILE), 80)
    height = page.get_height()
    for i, ch in enumerate(title):
        left, bottom, right, top = text.get_charbox(start + i)
        rendered = bitmap.crop((int(left * scale) - 2, int((height - top) * scale) - 2,
                                int(right * scale) + 2, int((height - bottom) * scale) + 2))
        expected = Image.new("L", (120, 120), 255)
        ImageDraw.Draw(expected).text((10, 0), ch, font=font, fill=0)
        a, b = _glyph_shape(rendered), _glyph_shape(expected)
        both = sum(x & y for x, y in zip(a.tobytes(), b.tobytes(), strict=True))
        either = sum(x | y for x, y in zip(a.tobytes(), b.tobytes(), strict=True))
        assert either and both / either > 0.6, (ch, both / either)
    text.close()
    page.close()
    doc.close()


def test_verify_by_number_and_code_and_the_same_404_for_a_wrong_code_and_an_unknown_number(client, documents):
    cert = documents["certificate"]
    ok = client.get("/api/v1/notices/verify/", {"number": cert.number, "code": cert.verification_code.lower()})
    assert ok.status_code == 200
    body = ok.json()
    assert body == {"valid": True, "number": cert.number, "kind": "certificate", "title": "医疗器械注册证",
                    "reference": cert.application.reference, "product_name": cert.application.product_name,
                    "issued_on": "2026-03-02", "issuer": "重庆市药品监督管理局", "sha256": cert.sha256,
                    "superseded_by": None}
    # The certificate number printed on it works as the number too.
    assert client.get("/api/v1/notices/verify/", {"number": "渝械注准20262140001",
                                                   "code": cert.verification_code}).status_code == 200
    wrong = client.get("/api/v1/notices/verify/", {"number": cert.number, "code": "2222-2222-2222"})
    unknown = client.get("/api/v1/notices/verify/", {"number": "渝药监械证〔2026〕9999号",
                                                      "code": cert.verification_code})
    assert wrong.status_code == unknown.status_code == 404 and wrong.json() == unknown.json()
    missing = client.get("/api/v1/notices/verify/", {"number": cert.number})
    assert missing.status_code == 400 and missing.json()["field"] == "code"


def test_verify_a_file_valid_edited_not_a_pdf_too_large(client, documents, settings):
    cert = documents["certificate"]
    ok = client.post("/api/v1/notices/verify/", {"file": SimpleUploadedFile("c.pdf", bytes(cert.pdf))})
    assert ok.status_code == 200 and ok.json()["valid"] is True and ok.json()["number"] == cert.number
    appended = bytes(cert.pdf) + b"\n% appended\n"
    edited = client.post("/api/v1/notices/verify/", {"file": SimpleUploadedFile("c.pdf", appended)})
    assert edited.status_code == 200 and edited.json()["valid"] is False and edited.json()["reason"]
    not_pdf = client.post("/api/v1/notices/verify/", {"file": SimpleUploadedFile("c.pdf", b"hello")})
    assert not_pdf.status_code == 400 and not_pdf.json()["field"] == "file"
    big = b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024)
    too_large = client.post("/api/v1/notices/verify/", {"file": SimpleUploadedFile("c.pdf", big)})
    assert too_large.status_code == 400 and too_large.json()["field"] == "file"


def test_a_corrected_document_names_its_replacement(client, users, documents):
    cert = documents["certificate"]
    corrected = notices.notice_correct(notice=cert, actor=users.supervisor, today=D(2026, 3, 9))
    assert corrected.kind == "certificate" and "更正说明" in pdf_text(corrected.pdf)
    body = client.get("/api/v1/notices/verify/", {"number": cert.number, "code": cert.verification_code}).json()
    assert body["superseded_by"] == corrected.number


def test_verification_is_rate_limited(client, documents, settings):
    settings.VERIFY_RATE = "2/hour"
    from django.core.cache import cache

    cache.clear()
    cert = documents["certificate"]
    query = {"number": cert.number, "code": cert.verification_code}
    assert [client.get("/api/v1/notices/verify/", query).status_code for _ in range(3)] == [200, 200, 429]


def test_the_verification_page_from_the_qr_code_and_by_file(client, documents):
    cert = documents["certificate"]
    url = notices.verification_url(cert.number, cert.verification_code)
    assert url.startswith("http://testserver/portal/verify/?number=")
    page = client.get(url.removeprefix("http://testserver"))
    assert page.status_code == 200
    html = page.content.decode()
    assert cert.number in html and cert.sha256 in html and 'id="verify-result"' in html
    posted = client.post("/portal/verify/", {"file": SimpleUploadedFile("c.pdf", bytes(cert.pdf)[:-10])})
    assert posted.status_code == 200 and "verify-result" in posted.content.decode()
    assert cert.sha256 not in posted.content.decode()  # not valid: no facts shown


def test_product_data_editable_until_acceptance_and_checked_against_the_font(users, make_application):
    app = make_application()
    with pytest.raises(InvalidInput) as err:
        product_data.product_data_update(application=app, actor=users.enterprise, registrant_address="重庆市𠀀路")
    assert err.value.extra["field"] == "registrant_address"
    product_data.product_data_update(application=app, actor=users.enterprise, **PRODUCT)
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    product_data.product_data_update(application=app, actor=users.enterprise, agent_name="")  # before acceptance
    workflow.stage_complete(stage=stage_of(app, "acceptance"), actor=users.acceptance, outcome="accepted",
                            today=MONDAY)
    app.refresh_from_db()
    with pytest.raises(NotAllowedNow):
        product_data.product_data_update(application=app, actor=users.enterprise, agent_name="某代理")
    checked = product_data.product_data_check(application=app, actor=users.reviewer, today=MONDAY)
    assert checked.checked_by == users.reviewer


def test_the_enterprise_email_names_the_document_and_its_number(users, make_application,
                                                                django_capture_on_commit_callbacks):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.stage_complete(stage=stage_of(app, "acceptance"), actor=users.acceptance, outcome="accepted",
                                today=MONDAY)
    notice = Notice.objects.get(application=app, kind="acceptance")
    bodies = "\n".join(m.body for m in mail.outbox)
    assert "已受理" in bodies and notice.number in bodies and f"/portal/notices/{notice.pk}/" in bodies


def test_the_officer_sees_that_a_certificate_was_issued_not_its_file(client, users, documents):
    cert = documents["certificate"]
    client.force_login(users.officer)
    assert client.get(f"/portal/notices/{cert.pk}/").status_code == 404
    assert client.get(f"/portal/notices/{documents['approval'].pk}/").status_code == 200  # the notice: as before
    page = client.get(f"/portal/applications/{cert.application_id}/").content.decode()
    assert cert.number in page and f"/portal/notices/{cert.pk}/" not in page
    client.force_login(users.enterprise)
    assert client.get(f"/portal/notices/{cert.pk}/").status_code == 200
    page = client.get(f"/portal/applications/{cert.application_id}/").content.decode()
    assert f"/portal/notices/{cert.pk}/" in page and "/portal/verify/?number=" in page


def test_the_applicant_enters_the_product_data_on_the_portal_until_acceptance(client, users, make_application):
    app = make_application()
    client.force_login(users.enterprise)
    page = client.get(f"/portal/applications/{app.pk}/")
    assert f"/portal/applications/{app.pk}/product-data/" in page.content.decode()
    form = {"version": app.version, **{k: "" for k in product_data.FIELDS}, **PRODUCT}
    saved = client.post(f"/portal/applications/{app.pk}/product-data/", form)
    assert saved.status_code == 302
    app.product_data.refresh_from_db()
    assert app.product_data.structure == PRODUCT["structure"]
    bad = client.post(f"/portal/applications/{app.pk}/product-data/",
                      {**form, "version": app.version + 1, "agent_name": "𠀀某代理"})
    assert bad.status_code == 400 and "𠀀" in bad.content.decode()
    client.force_login(users.other_enterprise)
    assert client.get(f"/portal/applications/{app.pk}/product-data/").status_code == 404


def test_the_renewed_certificate_names_the_one_it_continues_which_then_points_to_it(client, users, documents):
    old = documents["certificate"]
    from review.models import Certificate

    renewal = workflow.application_create(
        enterprise=users.enterprise_obj, product_name=old.application.product_name, device_class="II",
        category="passive", application_type="renewal", actor=users.enterprise, today=D(2030, 3, 4),
        renewal_of=Certificate.objects.get(number="渝械注准20262140001", kind="registration"))
    assert renewal.renewal_of.number == "渝械注准20262140001"
    workflow.application_submit(application=renewal, actor=users.enterprise, today=D(2030, 3, 4))
    for kind, actor, outcome in (("acceptance", users.acceptance, "accepted"),
                                 ("technical_review", users.reviewer, "approve"),
                                 ("decision", users.approver, "approve")):
        workflow.stage_complete(stage=stage_of(renewal, kind), actor=actor, outcome=outcome, note="同意",
                                today=D(2030, 3, 5))
    workflow.stage_complete(stage=stage_of(renewal, "issuance"), actor=users.approver, outcome="issued",
                            reference="渝械注准20262140001", today=D(2030, 3, 6))  # the same number (Art. 115)
    new = Notice.objects.get(application=renewal, kind="certificate")
    text = pdf_text(new.pdf)
    assert "延续原注册证渝械注准20262140001（有效期至2031年3月1日）" in text
    # Decided before the old certificate expired: valid from the day after its expiry (Order 47 Art. 84).
    assert "有效期至2036年3月1日" in text
    assert signing.check(bytes(new.pdf)).valid
    body = client.get("/api/v1/notices/verify/", {"number": old.number, "code": old.verification_code}).json()
    assert body["superseded_by"] == new.number
