"""What each official notice says: pure functions from the case's facts to the printed text.

Official documents are always in Chinese, whatever language the reader's portal is in. Every
legal basis is cited by title and article; where the source gives no article number for this
kind of product (e.g. the IVD order's acceptance article), the order is cited by title only.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field

from review.citations import ORDER_47, ORDER_48, ORDER_48_ARTICLES, zh_article

ORDER_53 = "《医疗器械生产监督管理办法》（国家市场监督管理总局令第53号）"
LICENSING_LAW = "《中华人民共和国行政许可法》"
RECONSIDERATION_LAW = "《中华人民共和国行政复议法》"
LITIGATION_LAW = "《中华人民共和国行政诉讼法》"
# Published for domestic Class III devices; applied to Class II by analogy (docs/regulatory-basis.md#qms2015-17).
QMS_PROCEDURE = "《境内第三类医疗器械注册质量管理体系核查工作程序（暂行）》（食药监械管〔2015〕63号）"

TITLES = {
    "acceptance": "受理通知书",
    "missing_items": "一次性告知书",
    "supplement": "补正通知书",
    "rectification": "整改通知书",
    "refusal": "不予注册决定书",
    "refusal_renewal": "不予延续注册决定书",
    "refusal_licence": "不予许可决定书",
    "refusal_change": "不予变更注册决定书",
    "approval": "准予注册通知书",
    "approval_renewal": "准予延续注册通知书",
    "approval_change": "准予变更注册通知书",
    "approval_licence": "准予许可通知书",
}

APPLICATION_TYPES = {"first": "首次注册", "change": "变更注册", "renewal": "延续注册", "licence": "医疗器械生产许可"}
# The acceptance article of each order: Order 47 Art. 53, its Order 48 counterpart (review.citations,
# one table; docs/regulatory-basis.md#checked says which numbers were checked and where), Order 53 Art. 11.
ACCEPTANCE_ARTICLES = {"47": zh_article(53), "48": zh_article(ORDER_48_ARTICLES[53]), "53": zh_article(11)}
# The supplement: Order 47 Art. 54 and its Order 48 counterpart.
SUPPLEMENT_ARTICLES = {"47": zh_article(54), "48": zh_article(ORDER_48_ARTICLES[54])}
CLASSES = {"II": "第二类", "III": "第三类"}
STAGES = {
    "acceptance": "受理审查", "technical_review": "技术审评", "qms_verification": "注册质量管理体系核查",
    "licence_inspection": "生产许可现场检查", "merged_inspection": "注册核查与生产许可合并现场检查",
    "decision": "行政审批", "licence_decision": "生产许可审批",
}

# A reviewer's own numbering at the start of an item: "1.", "1、", "(1)", "（一）", "一、", "①", "第1项".
_NUMBERING = re.compile(
    r"^\s*(?:第\s*[0-9一二三四五六七八九十]+\s*项[、.．:：]?"
    r"|[(（]\s*[0-9一二三四五六七八九十]+\s*[)）][、.．]?"
    r"|[0-9]+\s*[.．、)）:：](?![0-9])"
    r"|[一二三四五六七八九十]+\s*[、.．]"
    r"|[\u2460-\u2473\u2776-\u277f])\s*"
)


def strip_numbering(item: str) -> str:
    """The item without the number a reviewer may have typed: the list numbers items once."""
    text = str(item).strip()
    stripped = _NUMBERING.sub("", text, count=1).strip()
    return stripped or text


def zh_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def citation(app_category: str, application_type: str, article: dict[str, str | None]) -> str:
    """The order that governs this case, with its article for ``article[order]`` when known."""
    if application_type == "licence":
        order, key = ORDER_53, "53"
    elif app_category == "ivd":
        order, key = ORDER_48, "48"
    else:
        order, key = ORDER_47, "47"
    art = article.get(key)
    return f"{order}{art}" if art else order


@dataclass
class NoticeText:
    kind: str
    title: str
    number: str
    addressee: str
    credit_code: str
    facts: list[list[str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    items_intro: str = ""
    items: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    basis: list[str] = field(default_factory=list)
    office: str = ""
    issued_on: str = ""
    contact: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CaseFacts:
    """What a notice needs to know about the case; built from the model by ``services.notices``."""

    reference: str
    product_name: str
    device_class: str
    category: str
    application_type: str
    enterprise: str
    credit_code: str
    submitted_on: dt.date | None = None


def _product(case: CaseFacts, *, licence: bool = False) -> str:
    """What the application is for. A production licence (Order 53) is named as such, also when it
    runs in parallel with a registration on the same case (``licence``): it is not a registration."""
    if licence or case.application_type == "licence":
        return f"“{case.product_name}”医疗器械生产许可"
    kind = APPLICATION_TYPES.get(case.application_type, "")
    cls = CLASSES.get(case.device_class, "")
    return f"{cls}医疗器械“{case.product_name}”{kind}"


def _facts(case: CaseFacts, *, accepted: bool = True) -> list[list[str]]:
    """The case's number is its 受理号 once accepted; before that (a notice of missing items) it is
    only the number of the application (申请编号)."""
    return [["申请人", case.enterprise], ["统一社会信用代码", case.credit_code],
            ["产品名称", case.product_name], ["受理号" if accepted else "申请编号", case.reference]]


def _base(kind: str, case: CaseFacts, *, number: str, issued_on: dt.date, office: str, contact: str,
          title: str | None = None, accepted: bool = True) -> NoticeText:
    return NoticeText(kind=kind, title=title or TITLES[kind], number=number, addressee=case.enterprise,
                      credit_code=case.credit_code, facts=_facts(case, accepted=accepted), office=office,
                      issued_on=zh_date(issued_on), contact=contact)


def acceptance(case: CaseFacts, *, number, issued_on, office, contact, lookup_url,
               received_on: dt.date | None = None, deemed: bool = False, licence: bool = False) -> NoticeText:
    """``received_on``: the day the (complete) dossier reached the office, which is not the day the
    case was filed when registration testing came first. ``deemed``: no decision came within 5 WD
    of that day, so the application is accepted as of it by law (Licensing Law Art. 32); the notice
    then records that fact instead of claiming a decision the office did not make in time."""
    n = _base("acceptance", case, number=number, issued_on=issued_on, office=office, contact=contact)
    received = zh_date(received_on or case.submitted_on)
    what = f"本局于{received}收到你单位提交的{_product(case, licence=licence)}申请资料"
    if deemed:
        first = (f"{what}。本局未在收到申请资料之日起五个工作日内作出是否受理的决定，依照{LICENSING_LAW}"
                 f"第三十二条的规定，该申请自收到申请资料之日（{received}）起视为受理。受理号：{case.reference}。")
    else:
        first = f"{what}，经审查，申请资料齐全、符合法定形式，本局决定予以受理。受理号：{case.reference}。"
    n.paragraphs = [
        first,
        "本局将依照法定程序和时限进行审查。审查中需要你单位补正资料的，本局将一次性告知需要补正的全部内容；"
        "补正资料的时间不计入审查时限。",
        f"你单位可凭受理号和统一社会信用代码在 {lookup_url} 查询办理进度。",
    ]
    n.basis = [citation(case.category, "licence" if licence else case.application_type, ACCEPTANCE_ARTICLES),
               f"{LICENSING_LAW}第三十二条"]
    return n


def missing_items(case: CaseFacts, *, number, issued_on, office, contact, items, note,
                  deadline: dt.date | None) -> NoticeText:
    # Before acceptance: the number is the application's, not yet an acceptance number.
    n = _base("missing_items", case, number=number, issued_on=issued_on, office=office, contact=contact,
              accepted=False)
    n.paragraphs = [f"你单位提交的{_product(case)}申请资料不齐全或者不符合法定形式。"
                    "现将需要补正的全部内容一次性告知如下："]
    n.items_intro = f"需要补正的材料（共 {len(items)} 项）："
    n.items = [strip_numbering(i) for i in items]
    n.after = []
    if note:
        n.after.append(f"说明：{note}")
    if deadline:
        n.after.append(f"请于{zh_date(deadline)}前一次性提交上述全部材料。")
    n.after.append("材料补齐后，本局将依法作出是否受理的决定。补正材料的时间不计入审查时限。")
    n.basis = [citation(case.category, case.application_type, ACCEPTANCE_ARTICLES), f"{LICENSING_LAW}第三十二条"]
    return n


def supplement(case: CaseFacts, *, number, issued_on, office, contact, items, note,
               deadline: dt.date | None) -> NoticeText:
    n = _base("supplement", case, number=number, issued_on=issued_on, office=office, contact=contact)
    n.paragraphs = [f"你单位{_product(case)}申请（受理号：{case.reference}），经技术审评，需要补充资料。"
                    "现将需要补充的全部内容一次性告知如下："]
    n.items_intro = f"需要补充的资料（共 {len(items)} 项）："
    n.items = [strip_numbering(i) for i in items]
    art = SUPPLEMENT_ARTICLES
    if note:
        n.after.append(f"审评说明：{note}")
    if deadline:
        n.after.append(f"请于{zh_date(deadline)}前一次性提交全部补充资料。逾期未提交的，本局将终止技术审评，"
                       "作出不予注册的决定。")
    # Order 47 Art. 54 para. 2 (IVD: Order 48 Art. 53): the applicant may object to the notice in writing.
    n.after.append("对补正资料通知内容有异议的，可以向本局提出书面意见，说明理由并提供相应的技术支持资料。")
    n.after.append("补充资料的时间不计入审评时限。")
    n.basis = [citation(case.category, case.application_type, art)]
    return n


def rectification(case: CaseFacts, *, number, issued_on, office, contact, items, note, stage_kind: str,
                  deadline: dt.date | None) -> NoticeText:
    n = _base("rectification", case, number=number, issued_on=issued_on, office=office, contact=contact)
    what = STAGES.get(stage_kind, "现场检查")
    product = _product(case, licence=stage_kind == "licence_inspection")
    n.paragraphs = [f"你单位{product}申请（受理号：{case.reference}），经{what}，发现以下问题，需要整改："]
    n.items_intro = f"需要整改的问题（共 {len(items)} 项）："
    n.items = [strip_numbering(i) for i in items]
    if note:
        n.after.append(f"说明：{note}")
    if deadline:
        n.after.append(f"请于{zh_date(deadline)}前完成整改，并一次性提交整改报告和复查申请；"
                       "逾期未提交的，核查结论为不通过。")
    n.after.append("整改时间不计入审查时限。")
    if stage_kind in ("qms_verification", "merged_inspection"):
        analogy = "（第二类参照适用）" if case.device_class == "II" else ""
        n.basis = [f"{QMS_PROCEDURE}第十七条{analogy}", f"{ORDER_47}第九十八条"]
    else:
        n.basis = [ORDER_53]
    return n


def lapsed_supplement_reason(case_category: str, application_type: str, *, asked: dt.date,
                             deadline: dt.date) -> str:
    """The refusal's reason when a supplement was not received in time (Order 47 Art. 54; IVD: Order
    48 Art. 53), in the notice's language whoever clicked the button."""
    decision = {"renewal": "不予延续注册", "change": "不予变更注册"}.get(application_type, "不予注册")
    basis = citation(case_category, application_type, SUPPLEMENT_ARTICLES)
    return (f"本局于{zh_date(asked)}发出补正通知，申请人未在{zh_date(deadline)}前提交补正资料，依据{basis}，"
            f"终止技术审评，作出{decision}的决定。")


def _decision_kind(case: CaseFacts, licence: bool) -> str:
    """Which decision the notice states: a renewal is refused or granted as such (不予延续注册,
    Regulations Art. 22), a change as such (不予变更注册, Order 47 Art. 81), a licence as 许可."""
    if licence:
        return "licence"
    return {"renewal": "renewal", "change": "change"}.get(case.application_type, "")


def refusal(case: CaseFacts, *, number, issued_on, office, contact, reasons: str, licence: bool,
            reconsideration_body: str) -> NoticeText:
    which = _decision_kind(case, licence)
    n = _base("refusal", case, number=number, issued_on=issued_on, office=office, contact=contact,
              title=TITLES[f"refusal_{which}" if which else "refusal"])
    decision = {"licence": "不予许可", "renewal": "不予延续注册", "change": "不予变更注册"}.get(which, "不予注册")
    n.paragraphs = [f"你单位{_product(case, licence=licence)}申请（受理号：{case.reference}），经审查，"
                    f"本局决定{decision}。"]
    n.items_intro = "理由如下："
    n.items = [strip_numbering(line) for line in (reasons or "").splitlines() if line.strip()]
    n.after = [
        f"如对本决定不服，可以自知道本决定之日起六十日内向{reconsideration_body}申请行政复议，"
        "或者自知道本决定之日起六个月内依法向人民法院提起行政诉讼。",
    ]
    n.basis = [ORDER_53 if licence else citation(case.category, case.application_type, {}),
               f"{RECONSIDERATION_LAW}第二十条",
               f"{LITIGATION_LAW}第四十六条"]
    return n


def approval(case: CaseFacts, *, number, issued_on, office, contact, certificate_number: str,
             valid_from: dt.date | None, valid_until: dt.date | None, licence: bool) -> NoticeText:
    which = _decision_kind(case, licence)
    n = _base("approval", case, number=number, issued_on=issued_on, office=office, contact=contact,
              title=TITLES[f"approval_{which}" if which else "approval"])
    decision = {"licence": "准予许可", "renewal": "准予延续注册", "change": "准予变更注册"}.get(which, "准予注册")
    if which == "change":
        # Order 47 Art. 81: the change document is used with the original certificate, so its number
        # and validity stay (Art. 115 itself names the renewal's number only).
        n.paragraphs = [f"你单位{_product(case)}申请（受理号：{case.reference}），经审查，符合规定条件，"
                        f"本局决定{decision}，核发医疗器械变更注册文件，与原医疗器械注册证合并使用。"]
        validity = (f"与原医疗器械注册证一致（{zh_date(valid_from)}至{zh_date(valid_until)}）"
                    if valid_from and valid_until else "与原医疗器械注册证一致")
        n.facts = [*n.facts, ["医疗器械注册证编号", certificate_number], ["有效期", validity]]
        n.after = ["请凭本通知书领取医疗器械变更注册文件。原医疗器械注册证有效期不变；有效期届满需要延续注册的，"
                   "应当在有效期届满6个月前提出延续注册申请。"]
        n.basis = [citation(case.category, case.application_type, {"47": "第八十一条、第八十二条"})]
        return n
    doc = "医疗器械生产许可证" if licence else "医疗器械注册证"
    n.paragraphs = [f"你单位{_product(case, licence=licence)}申请（受理号：{case.reference}），经审查，符合规定条件，"
                    f"本局决定{decision}，核发{doc}。"]
    n.facts = [*n.facts, [f"{doc}编号", certificate_number],
               ["有效期", f"{zh_date(valid_from)}至{zh_date(valid_until)}"]]
    # When to renew (docs/regulatory-basis.md): a certificate at least six months before expiry (Order 47
    # Art. 82), a licence between 90 and 30 working days before (Order 53 Art. 17).
    if licence:
        n.after = [f"请凭本通知书领取{doc}。有效期届满需要延续的，应当在有效期届满前90个工作日至30个工作日期间"
                   "提出延续申请。"]
        n.basis = [f"{ORDER_53}第十四条、第十七条"]
    else:
        n.after = [f"请凭本通知书领取{doc}。有效期届满需要延续注册的，应当在有效期届满6个月前提出延续注册申请。"]
        n.basis = [citation(case.category, case.application_type, {"47": "第五十八条、第八十二条"})]
    return n


# --- the certificate and the licence themselves -------------------------------------
DOCUMENT_TITLES = {
    "certificate": "医疗器械注册证",
    "change_document": "医疗器械注册变更文件",
    "licence": "医疗器械生产许可证",
}
NOT_APPLICABLE = "/"  # how the published certificates fill a field that does not apply (no agent)


@dataclass(frozen=True)
class ProductFacts:
    """The product data the applicant entered (and the reviewer checked), as printed."""

    registrant_address: str = ""
    production_address: str = ""
    agent_name: str = ""
    agent_address: str = ""
    models: str = ""
    structure: str = ""
    intended_use: str = ""
    attachments: str = ""
    legal_representative: str = ""
    enterprise_head: str = ""
    production_scope: str = ""
    change_description: str = ""


def _or_na(value: str) -> str:
    return value.strip() or NOT_APPLICABLE


def certificate(case: CaseFacts, product: ProductFacts, *, number, issued_on, office, contact,
                certificate_number: str, approved_on: dt.date, valid_until: dt.date,
                renews: tuple[str, dt.date] | None = None) -> NoticeText:
    """医疗器械注册证 with the fields the published certificates carry. A renewal (``renews``: the
    renewed certificate's number and expiry) says which certificate it continues; by law it keeps
    the number (Order 47 Art. 84, 115), and the remark states both, so a differing number shows.
    An IVD reagent's certificate names its fields as Order 48 does (包装规格, 主要组成成分, 预期用途)."""
    ivd = case.category == "ivd"
    n = NoticeText(kind="certificate", title=DOCUMENT_TITLES["certificate"], number=number,
                   addressee=case.enterprise, credit_code=case.credit_code, office=office,
                   issued_on=zh_date(issued_on), contact=contact)
    n.facts = [
        ["注册证编号", certificate_number],
        ["注册人名称", case.enterprise],
        ["注册人住所", _or_na(product.registrant_address)],
        ["生产地址", _or_na(product.production_address)],
        ["代理人名称", _or_na(product.agent_name)],
        ["代理人住所", _or_na(product.agent_address)],
        ["产品名称", case.product_name],
        ["包装规格" if ivd else "型号、规格", _or_na(product.models)],
        ["主要组成成分" if ivd else "结构及组成", _or_na(product.structure)],
        ["预期用途" if ivd else "适用范围", _or_na(product.intended_use)],
        ["附件", _or_na(product.attachments)],
        ["备注", f"延续注册（受理号：{case.reference}），延续原注册证{renews[0]}（有效期至{zh_date(renews[1])}）"
                 if renews else f"受理号：{case.reference}"],
        ["审批部门", office],
        ["批准日期", zh_date(approved_on)],
        ["有效期至", zh_date(valid_until)],
    ]
    n.basis = [citation(case.category, case.application_type, {"47": "第五十八条"})]
    return n


def change_document(case: CaseFacts, product: ProductFacts, *, number, issued_on, office, contact,
                    certificate_number: str, approved_on: dt.date, valid_until: dt.date) -> NoticeText:
    """医疗器械注册变更文件: used together with the original certificate, whose number and expiry it
    keeps (Order 47 Art. 81, 115): no new five years."""
    n = NoticeText(kind="change_document", title=DOCUMENT_TITLES["change_document"], number=number,
                   addressee=case.enterprise, credit_code=case.credit_code, office=office,
                   issued_on=zh_date(issued_on), contact=contact)
    n.facts = [
        ["注册证编号", certificate_number],
        ["注册人名称", case.enterprise],
        ["产品名称", case.product_name],
        ["变更内容", _or_na(product.change_description)],
        ["备注", f"本文件与原医疗器械注册证合并使用，有效期与原注册证相同（受理号：{case.reference}）"],
        ["审批部门", office],
        ["批准日期", zh_date(approved_on)],
        ["原注册证有效期至", zh_date(valid_until)],
    ]
    n.basis = [citation(case.category, case.application_type, {"47": "第八十一条"})]
    return n


def licence(case: CaseFacts, product: ProductFacts, *, number, issued_on, office, contact,
            licence_number: str, approved_on: dt.date, valid_until: dt.date) -> NoticeText:
    """医疗器械生产许可证, valid five years (Order 53 Art. 14)."""
    n = NoticeText(kind="licence", title=DOCUMENT_TITLES["licence"], number=number,
                   addressee=case.enterprise, credit_code=case.credit_code, office=office,
                   issued_on=zh_date(issued_on), contact=contact)
    n.facts = [
        ["许可证编号", licence_number],
        ["企业名称", case.enterprise],
        ["统一社会信用代码", case.credit_code],
        ["法定代表人", _or_na(product.legal_representative)],
        ["企业负责人", _or_na(product.enterprise_head)],
        ["住所", _or_na(product.registrant_address)],
        ["生产地址", _or_na(product.production_address)],
        ["生产范围", _or_na(product.production_scope)],
        ["发证部门", office],
        ["发证日期", zh_date(issued_on)],
        ["有效期限", f"至{zh_date(valid_until)}"],
    ]
    n.basis = [f"{ORDER_53}第十四条"]
    return n
