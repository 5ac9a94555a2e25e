"""Which office issues a deployment's notices, and who hears a reconsideration of its decisions.

Pure data, read by the settings (so no Django here). A Class II registration is decided by the
province's (or municipality's) drug administration (《医疗器械监督管理条例》); a reconsideration of a
provincial-level department's decision is heard by the people's government at the same level, one
of a State Council department's by that department itself (《中华人民共和国行政复议法》, as the
settings' comment on ``NOTICE_RECONSIDERATION_BODY`` already says; article numbers not re-checked
here, so none is printed). Huizhou and Lishui are cities: the registration there is Guangdong's and
Zhejiang's. Each value can still be set by ``NOTICE_OFFICE_NAME`` and
``NOTICE_RECONSIDERATION_BODY`` (docs/deployment.md).
"""

from __future__ import annotations

from typing import NamedTuple


class Office(NamedTuple):
    name: str
    reconsideration_body: str


OFFICES = {
    "CQ": Office("重庆市药品监督管理局", "重庆市人民政府"),
    "SH": Office("上海市药品监督管理局", "上海市人民政府"),
    "HZ": Office("广东省药品监督管理局", "广东省人民政府"),
    "LS": Office("浙江省药品监督管理局", "浙江省人民政府"),
    "CN": Office("国家药品监督管理局", "国家药品监督管理局"),
}


def office_for(jurisdiction: str) -> Office:
    """The issuing office of ``jurisdiction``; an unknown code is a configuration error, said as such."""
    try:
        return OFFICES[jurisdiction]
    except KeyError:
        raise ValueError(f"REVIEW_JURISDICTION: {jurisdiction!r} is not one of {', '.join(OFFICES)}.") from None
