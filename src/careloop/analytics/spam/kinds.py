"""The kinds of spam the classifier tells apart, as stable codes with Chinese and English names.

The codes are stored on spam reports and staff labels (at most 30 characters) and printed by
`careloop spam classify`, so they never change meaning; the names are what people read. The
list follows the categories regulators and operators sort reported SMS into: fraud posing as a
bank or an authority (冒充公检法、银行诈骗), loans, real estate, recruitment and part-time jobs,
advertising for goods and services, gambling, phishing links, and the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

NOT_SPAM: Final = "none"
"""The kind of a message that is not spam."""


@dataclass(frozen=True)
class SpamKind:
    code: str
    name_zh: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh


KINDS: Final[tuple[SpamKind, ...]] = (
    SpamKind("fraud", "冒充银行或公检法诈骗", "fraud posing as a bank or authority"),
    SpamKind("loan", "贷款", "loans"),
    SpamKind("real_estate", "房产", "real estate"),
    SpamKind("recruitment", "招聘兼职", "recruitment"),
    SpamKind("advertising", "商品服务广告", "goods and services advertising"),
    SpamKind("gambling", "赌博", "gambling"),
    SpamKind("phishing", "钓鱼链接", "phishing links"),
    SpamKind("other", "其他垃圾短信", "other spam"),
    SpamKind(NOT_SPAM, "正常短信", "not spam"),
)
SPAM_KIND_CODES: Final[tuple[str, ...]] = tuple(k.code for k in KINDS if k.code != NOT_SPAM)
_BY_CODE: Final = {k.code: k for k in KINDS}


def kind(code: str) -> SpamKind:
    """The kind with this code; KeyError for a code that is not one of ours."""
    return _BY_CODE[code]


def is_kind(code: str) -> bool:
    return code in _BY_CODE
