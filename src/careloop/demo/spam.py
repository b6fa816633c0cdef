"""The demo's month of spam-SMS governance (垃圾短信治理), loaded through the spam services.

- **A port registry**: 106 ports (10657 / 10655 / 10659 / 1069) and a few point-to-point
  numbers of plausible enterprises and SPs, with contracts and allowed kinds, registered
  before the month; two edited during it, so the registry has history.
- **Thirty days of reports** ending at the demo's end, from every source: customers' SMS
  forwarded to the reporting number (one batch per day, the path ``record_forwarded``
  takes), one 12321 transfer file imported by the real import (the centre's rows of the
  first three weeks), the SMS centre's interception batches, and the demo's own complaints
  in the ``spam.*`` categories (what their handler records; idempotent). The messages read
  like real spam: bank and authority fraud, loans, real estate, recruitment, goods
  advertising, gambling, phishing links, with numbers, links and padding varied, so the
  MinHash campaigns group them: seven big campaigns with hundreds of distinct reporters, a
  long tail of small ones, and a few legitimate notifications customers took for spam.
  Reporters are spread over the cities by subscribers, fewer on weekends.
- **Enforcement** by the real daily opening (each evening) and late-case escalation, worked
  by the real actions into every state: a fraud port suspended then closed, a loan port
  warned, a real-estate port throttled, a gambling SP suspended with its appeal upheld, a
  recruitment port suspended with an appeal pending, an advertiser warned then resolved,
  and an education port that kept sending after ``0000`` (a serious offender) still open
  past its 24-hour limit and escalated.
- **Staff labels** on a few reports (spam of a kind, and not spam).

Everything is drawn from the seed and placed before the demo's ``end``.
"""

from __future__ import annotations

import csv
import random
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from careloop.demo.province import Province
from careloop.services.access.actors import SYSTEM, Actor, actor_for
from careloop.services.sla.clocks import LOCAL_TIME
from careloop.services.spam import enforcement_actions as actions
from careloop.services.spam import enforcement_sweep, transfer_import
from careloop.services.spam import ports as registry
from careloop.services.spam import reports as spam
from careloop.services.spam.enforcement_opening import open_cases_for_day
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, OrgUnit
from careloop.store.models.spam import SpamReport
from careloop.store.models.spam_enforcement import SpamEnforcementCase

DAYS = 30
"""The month of reports, ending at the demo's end."""
TRANSFER_UNTIL = -8
"""The 12321 file holds the centre's reports up to this day; it is imported the day after
the week's end (``TRANSFER_IMPORTED``), so later days are reported by SMS only."""
TRANSFER_IMPORTED = -7
TRANSFER_SHARE = 0.3
WEEKEND = 0.55
"""Fewer reports on Saturdays and Sundays: people forward spam from work."""
REPORTERS_PER = 9_000
"""One reporter in the pool per this many subscribers of a city."""

# --- the registry ------------------------------------------------------------------------


@dataclass(frozen=True)
class PortPlan:
    number: str
    owner_kind: str
    owner_name: str
    owner_code: str
    contract: str
    kinds: tuple[str, ...]
    note: str | None = None


PORTS: tuple[PortPlan, ...] = (
    # The offenders' ports (the campaigns below name them).
    PortPlan("106900571886", "sp", "杭州云启信息技术有限公司", "SP-33-0571", "HT-2024-0571-118",
             ("notification", "verification"), "行业短信代理，下游客户约四十家"),
    PortPlan("1065757100731", "enterprise", "浙江恒信小额贷款有限公司", "JT-3301-0731",
             "HT-2025-0731-022", ("notification", "marketing")),
    PortPlan("106595710520", "enterprise", "杭州钱塘云府置业有限公司", "JT-3301-0520",
             "HT-2025-0520-007", ("marketing",), "楼盘销售短信，仅限杭州本地客户"),
    PortPlan("1065510755888", "sp", "深圳市讯达通科技有限公司", "SP-44-0755",
             "HT-2023-0755-311", ("notification", "marketing")),
    PortPlan("106905740666", "enterprise", "宁波甬才人力资源有限公司", "JT-3302-0666",
             "HT-2025-0574-046", ("notification",)),
    PortPlan("1065757101111", "enterprise", "优品汇电子商务有限公司", "JT-3301-1111",
             "HT-2024-0571-260", ("notification", "marketing", "verification")),
    PortPlan("106595790321", "enterprise", "金华启航教育培训有限公司", "JT-3307-0321",
             "HT-2025-0579-015", ("marketing", "notification"), "招生短信，须经家长同意"),
    # Legitimate senders customers sometimes take for spam.
    PortPlan("1065795555", "enterprise", "江南商业银行股份有限公司", "JT-3300-9555",
             "HT-2022-0571-001", ("verification", "notification", "service")),
    PortPlan("106575700958", "enterprise", "捷达快递有限公司浙江分公司", "JT-3300-0958",
             "HT-2023-0571-090", ("notification",)),
    PortPlan("10659570100", "enterprise", "中国通信浙江分公司", "JT-3300-0100",
             "HT-2020-0571-000", ("service", "notification", "verification"), "本网客服端口"),
    PortPlan("106905710600", "enterprise", "杭州天然气有限公司", "JT-3301-0600",
             "HT-2024-0571-044", ("notification", "service")),
    PortPlan("1065557400218", "enterprise", "宁波市自来水有限公司", "JT-3302-0218",
             "HT-2023-0574-018", ("notification",)),
    PortPlan("106575771288", "enterprise", "温州瓯江医院", "JT-3303-1288", "HT-2024-0577-031",
             ("notification", "service")),
    PortPlan("106905718899", "sp", "浙江百讯网络科技有限公司", "SP-33-8899", "HT-2023-0571-205",
             ("verification", "notification")),
    PortPlan("1065510213370", "sp", "上海云联通信服务有限公司", "SP-31-3370", "HT-2024-021-077",
             ("verification", "marketing", "notification")),
    PortPlan("106595730168", "enterprise", "嘉兴南湖农商银行", "JT-3304-0168",
             "HT-2022-0573-012", ("verification", "notification")),
    PortPlan("106575790088", "enterprise", "义乌小商品城集团", "JT-3307-0088",
             "HT-2024-0579-066", ("notification", "marketing")),
    PortPlan("106905760808", "enterprise", "台州椒江美佳购物中心", "JT-3310-0808",
             "HT-2025-0576-009", ("marketing",)),
    PortPlan("1065557700521", "enterprise", "温州鹿城汽车服务有限公司", "JT-3303-0521",
             "HT-2024-0577-052", ("marketing", "notification")),
    PortPlan("10659575123", "enterprise", "绍兴柯桥轻纺城物流有限公司", "JT-3306-5123",
             "HT-2023-0575-041", ("notification",)),
    PortPlan("106575720369", "enterprise", "湖州太湖旅游度假区管委会服务中心", "JT-3305-0369",
             "HT-2024-0572-013", ("notification",)),
    PortPlan("106905780012", "sp", "丽水数智信息服务有限公司", "SP-33-0012", "HT-2025-0578-002",
             ("verification", "notification", "marketing")),
    PortPlan("106595800246", "enterprise", "舟山海洋航运有限公司", "JT-3309-0246",
             "HT-2024-0580-006", ("notification",)),
    PortPlan("1065570135", "sp", "衢州易通信息科技有限公司", "SP-33-0135", "HT-2023-0570-027",
             ("marketing", "notification")),
    # Point-to-point numbers an enterprise registered for its customer service.
    PortPlan("17157120086", "enterprise", "杭州乐购家电有限公司", "JT-3301-2086",
             "HT-2025-0571-301", ("service",), "点对点客服号码"),
    PortPlan("057188106688", "enterprise", "杭州西溪物业服务有限公司", "JT-3301-6688",
             "HT-2024-0571-144", ("notification",), "物业通知固定电话"),
    PortPlan("13357450101", "enterprise", "宁波北仑港集装箱服务有限公司", "JT-3302-0101",
             "HT-2024-0574-071", ("notification",)),
)  # fmt: skip


# --- the messages ---------------------------------------------------------------------------

_PADDING = (" ", "  ", "～", "!", "！", "…", "🎁", "🔥", "💰", "☎", "👉", "【】", "*", "~~")
_DOMAINS = ("cc", "vip", "top", "xyz", "cn", "com")


def _url(rng: random.Random, stem: str) -> str:
    letters = "abcdefghjkmnpqrstuvwxyz"
    slug = "".join(rng.choice(letters + "23456789") for _ in range(rng.randint(4, 7)))
    host = f"{stem}{rng.randint(1, 99)}.{rng.choice(_DOMAINS)}"
    return rng.choice((f"https://{host}/{slug}", f"{host}/{slug}", f"http://t.{host}/{slug}"))


def _mobile(rng: random.Random, segments: Sequence[str] = ("139", "158", "187")) -> str:
    return rng.choice(segments) + f"{rng.randrange(10**8):08d}"


def _fill(rng: random.Random, template: str) -> str:
    """A campaign's message as one recipient got it: fresh numbers and links, padding."""
    values = {
        "url": _url(rng, rng.choice(("bank", "icbc-vip", "jnyh", "app", "kk", "hx", "yp"))),
        "phone": rng.choice(
            (_mobile(rng), f"400-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}")
        ),
        "amount": str(rng.choice((50, 80, 100, 200, 300, 500, 800))),
        "big": str(rng.choice((5000, 8000, 10000, 20000, 50000, 100000, 200000))),
        "wan": str(rng.choice((20, 30, 45, 60, 80, 120))),
        "code": f"{rng.randrange(10**6):06d}",
        "wx": "".join(rng.choice("abcdefghkmnpqrstwxyz") for _ in range(3))
        + str(rng.randrange(1000, 99999)),
        "n": str(rng.randint(2, 30)),
        "code4": f"{rng.randrange(10**4):04d}",
    }
    text = template.format(**values)
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(_PADDING) + text[at:]
    return text


@dataclass(frozen=True)
class CampaignPlan:
    """One message sent to many: where from, to whom (a city, or the province), when."""

    code: str
    kind: str
    template: str
    port: str | None
    """The registered port it is sent through (extension digits added); None: rotating
    point-to-point numbers or unregistered ports."""
    city: str | None
    """The city its recipients live in; None: the whole province."""
    days: dict[int, int]
    """Day (relative to the end's local date) → reports that day, besides the trickle."""
    trickle: tuple[int, int, int] = (0, 0, 0)
    """(first day, last day, reports per weekday) of the campaign's quiet days."""
    serious: str | None = None
    serious_share: float = 0.0
    then_p2p: dict[int, int] = field(default_factory=dict)
    """Days it went on from rotating mobile numbers after its port was stopped."""


BIG: tuple[CampaignPlan, ...] = (
    CampaignPlan(
        "bank_fraud", "fraud",
        "【江南银行】尊敬的客户：您的手机银行电子密码器将于今日失效，请立即登录 {url} "
        "完成实名认证，逾期将冻结账户及资金，详询客服{phone}",
        "106900571886", None, {-28: 75, -27: 115},
        trickle=(-29, -28, 3), then_p2p={-25: 16, -24: 14, -23: 10, -22: 8, -21: 5},
    ),
    CampaignPlan(
        "loan", "loan",
        "【恒信金融】您的信用良好，已获{big}元备用金额度，最快3分钟到账，日息低至0.02%，"
        "点击 {url} 立即领取，回T退订",
        "1065757100731", None, {-12: 50, -11: 65, -10: 30},
        trickle=(-29, -1, 2),
    ),
    CampaignPlan(
        "real_estate", "real_estate",
        "【钱塘云府】杭州主城地铁口精装现房，首付{wan}万起，买房送车位，本周末售楼处"
        "到访送油卡，VIP专线{phone}，回TD退订",
        "106595710520", "ZJ-HZ", {-7: 32, -6: 36, -5: 14},
        trickle=(-14, -8, 2),
    ),
    CampaignPlan(
        "gambling", "gambling",
        "澳门威尼斯人线上娱乐城：首充即送100%，每日返水3%，真人百家乐、体育投注应有尽有，"
        "网址 {url} 注册即领{amount}元彩金",
        "1065510755888", None, {-16: 45, -15: 55},
        trickle=(-29, -17, 2),
    ),
    CampaignPlan(
        "recruitment", "recruitment",
        "【甬才人力】急招兼职刷单员，在家用手机即可操作，每单佣金{n}元，日结{amount}元以上，"
        "加微信{wx}咨询，名额有限先到先得",
        "106905740666", "ZJ-NB", {-6: 30, -5: 30},
        trickle=(-12, -7, 2),
    ),
    CampaignPlan(
        "goods_ad", "advertising",
        "【优品汇】双十一狂欢返场！品牌家电低至3折，满1000减200，前{n}名再送空气炸锅，"
        "戳 {url} 立即抢购，回T退订",
        "1065757101111", None, {-21: 38, -20: 42, -19: 6, -18: 4},
        trickle=(-29, -22, 3), serious="no_consent", serious_share=0.15,
    ),
    CampaignPlan(
        "after_unsubscribe", "advertising",
        "【启航教育】寒假班火热报名中！初高中全科一对一名师辅导，提分不满意全额退费，"
        "前{n}名报名立减{amount}元，咨询{phone}，回T退订",
        "106595790321", "ZJ-JH", {-4: 72, -3: 9, -2: 6, -1: 4},
        trickle=(-12, -5, 2), serious="after_unsubscribe", serious_share=0.2,
    ),
)  # fmt: skip

TAIL: tuple[tuple[str, str], ...] = (
    ("fraud", "【公安局】您的身份证涉嫌一宗跨境洗钱案件，请于今日内联系专案民警{phone}配合调查，"
              "否则将被列为网上通缉人员"),
    ("fraud", "【社保中心】您有一笔{amount}元社保补贴尚未领取，今天是最后期限，请登录 {url} 申领"),
    ("fraud", "您的医保卡已被冻结，因涉嫌违规套取医保基金，解冻请致电医保局{phone}"),
    ("phishing", "【ETC服务】您的ETC卡已失效，为避免影响通行，请点击 {url} 重新认证"),
    ("phishing", "您的快递因地址不详被退回，请点击 {url} 重新填写收件信息，逾期将销毁"),
    ("phishing", "尊敬的用户，您的话费积分{big}分即将清零，请登录 {url} 兑换现金红包"),
    ("phishing", "【个税服务】您有一笔个人所得税退税{amount}元待领取，点击 {url} 填写银行卡办理"),
    ("loan", "【急用钱】无抵押无担保，凭身份证即可借款{big}元，当天放款，加微信{wx}"),
    ("loan", "您的征信已修复成功，可申请大额信用贷，最高{big}元，低息分期，详询{phone}"),
    ("loan", "信用卡额度低？专业提额代还，最高提至{big}元，手续费低，联系{phone}"),
    ("real_estate", "【滨江云庐】宁波东部新城学区房，总价{wan}万起，首付分期，看房热线{phone}"),
    ("real_estate", "温州鹿城核心地段商铺出售，年租金回报8%，包租十年，详询{phone}"),
    ("recruitment", "招聘网络客服，无需经验，在家办公，月入过万，加微信{wx}面试"),
    ("recruitment", "【高薪招聘】海外工作，包吃包住，月薪{big}美元，联系{phone}办理出国手续"),
    ("advertising", "代开各类正规发票，增值税专票、普票，点数优惠，联系{phone}"),
    ("advertising", "【美颜医美】玻尿酸{amount}元一支，水光针买一送一，预约{phone}"),
    ("advertising", "高仿名表、名包一比一复刻，支持验货，加微信{wx}看图"),
    ("advertising", "【安心装修】全包套餐每平米{amount}元起，免费上门量房设计，致电{phone}"),
    ("advertising", "牛股内参：明日涨停股已出，免费领取三只潜力股，加微信{wx}"),
    ("advertising", "【驾考通】周末班包过，学车只需{amount}元，报名即送体检，咨询{phone}"),
    ("advertising", "【乐活健身】开业特惠年卡仅需{amount}元，前{n}名送私教课，回T退订"),
    ("gambling", "体育彩票内部计划，包中包赢，跟单回报{n}倍，进群请加{wx}"),
    ("gambling", "【棋牌】真人对战，充值送{n}%，提现秒到账，下载地址 {url}"),
    ("phishing", "【中国通信】您的话费套餐将于今日升级失败，请登录 {url} 验证身份以免停机"),
    ("fraud", "我是你领导，明天上午九点到我办公室来一趟，先加一下我的新微信{wx}"),
    ("advertising", "【同城交友】附近有{n}位异性想认识你，点击 {url} 查看照片"),
)  # fmt: skip
"""Small campaigns (2 to 14 reports each), sent from unregistered ports or through an SP's
port, a few of them after an unsubscribe."""

LEGIT: tuple[tuple[str, str], ...] = (
    ("1065795555", "【江南银行】您尾号{code4}的账户于今日消费{amount}.00元，可用余额以实际为准。"),
    ("1065795555", "【江南银行】验证码{code}，您正在登录手机银行，请勿泄露给他人。"),
    ("106575700958", "【捷达快递】您的包裹已到达驿站，取件码{code}，请于今日20:00前领取。"),
    ("10659570100", "【中国通信】您本月已使用流量{n}GB，套餐剩余流量{amount}MB。"),
    ("106905710600", "【杭州燃气】您家的燃气表将于本周进行安全检查，如有疑问请致电{phone}。"),
)  # fmt: skip
"""Notifications some customers forward as spam: staff label them not spam."""


# --- the actions on the cases -------------------------------------------------------------


@dataclass(frozen=True)
class CaseStep:
    day: int
    at: time
    port: str
    action: str
    by: str
    text: str
    ref: str | None = None
    appellant: str | None = None


CASE_STEPS: tuple[CaseStep, ...] = (
    CaseStep(-26, time(9, 40), "106900571886", "suspend", "supervisor2",
             "冒充江南银行的钓鱼短信，单日举报逾百人，链接为仿冒网银页面，先行暂停端口。",
             "举报汇总表及仿冒页面截图"),
    CaseStep(-25, time(16, 10), "106900571886", "close_port", "supervisor2",
             "公安机关协查函确认该端口被用于电信诈骗，SP 未能提供下游客户实名资料，予以关停。",
             "公安协查函（浙公协〔2026〕1187号）"),
    CaseStep(-20, time(10, 20), "1065757101111", "warn", "zj_net",
             "营销短信未取得用户同意，已书面警告企业，要求清洗名单并补充同意记录。",
             "警告通知书及举报明细"),
    CaseStep(-17, time(15, 30), "1065757101111", "resolve", "zj_net",
             "企业已清洗营销名单并提交用户同意记录，近三日无新增集中举报，办结。"),
    CaseStep(-14, time(9, 30), "1065510755888", "suspend", "supervisor2",
             "端口发送赌博网站推广短信，严重违法，暂停端口。", "举报汇总表及网站截图"),
    CaseStep(-13, time(15, 0), "1065510755888", "appeal", "zj_hot",
             "该内容系下游客户私自发送，我司已终止与其合作，申请恢复端口以保障其他客户正常业务。",
             appellant="深圳市讯达通科技有限公司 法务部 陈经理"),
    CaseStep(-12, time(10, 30), "1065510755888", "uphold", "supervisor1",
             "SP 对下游客户负有管理责任，未提供整改方案及内容审核记录，维持暂停。"),
    CaseStep(-11, time(10, 0), "1065757100731", "warn", "zj_net",
             "贷款营销短信集中被举报，已警告企业核查发送名单与用户授权。", "警告通知书"),
    CaseStep(-6, time(10, 30), "106595710520", "throttle", "hz_net",
             "楼盘营销短信集中投诉，限制端口每日发送量至 5000 条，观察三天。",
             "限速工单 XS-20261122-03"),
    CaseStep(-4, time(10, 0), "106905740666", "suspend", "nb_lead",
             "以招聘为名的刷单诈骗短信，暂停端口并通报属地公安。", "举报汇总表"),
    CaseStep(-2, time(14, 20), "106905740666", "appeal", "nb_net",
             "我司端口账号密码泄露被盗用，已报警并修改密码，申请恢复端口发送正常招聘通知。",
             appellant="宁波甬才人力资源有限公司 王经理"),
)  # fmt: skip
"""Each case as people worked it; the education port's case is left open (overdue)."""


@dataclass
class DemoSpam:
    """What was made, for the load's progress line and the tests."""

    ports: int = 0
    reports: dict[str, int] = field(default_factory=dict)
    cases: dict[str, int] = field(default_factory=dict)
    labels: int = 0
    month_start: datetime | None = None

    def summary(self) -> str:
        said = ", ".join(f"{n} {source}" for source, n in sorted(self.reports.items()))
        states = ", ".join(f"{n} {state}" for state, n in sorted(self.cases.items()))
        return (
            f"spam: {self.ports} ports, {sum(self.reports.values())} reports ({said}), "
            f"enforcement cases ({states}), {self.labels} labels"
        )


# --- the month ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedReport:
    """One reported message as drawn from the seed, before a source records it."""

    campaign: str
    sender: str
    text: str
    at: datetime
    region: str
    reporter: str
    serious: str | None


class _People:
    """Reporters per city (a pool sized by its subscribers), each reporting a campaign once."""

    def __init__(self, province: Province, rng: random.Random) -> None:
        self.rng = rng
        segments = ("139", "138", "135", "150", "158", "187", "133", "153", "189", "186", "131")
        taken: set[str] = set()
        self.pool: dict[str, list[str]] = {}
        for city in province.cities():
            people: list[str] = []
            while len(people) < max(40, province.subscribers[city.code] // REPORTERS_PER):
                number = _mobile(rng, segments)
                if number not in taken:
                    taken.add(number)
                    people.append(number)
            self.pool[city.code] = people
        self.cities = [c.code for c in province.cities()]
        self.weights = [province.subscribers[c] for c in self.cities]
        self.counties = {
            c.code: [n.code for n in province.counties(c.code)] for c in province.cities()
        }
        self.used: dict[str, set[str]] = {}

    def city(self, fixed: str | None) -> str:
        return fixed or self.rng.choices(self.cities, self.weights)[0]

    def region(self, city: str) -> str:
        return city if self.rng.random() < 0.2 else self.rng.choice(self.counties[city])

    def reporter(self, city: str, campaign: str) -> str:
        used = self.used.setdefault(campaign, set())
        people = self.pool[city]
        for _ in range(8):
            number = self.rng.choice(people)
            if number not in used:
                break
        used.add(number)
        return number


def _moment(day: date, rng: random.Random) -> datetime:
    hour = rng.choices(range(7, 23), [1, 3, 4, 4, 4, 3, 3, 4, 4, 3, 3, 3, 3, 2, 2, 1])[0]
    return datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), LOCAL_TIME)


def _weekday_count(n: int, day: date, rng: random.Random) -> int:
    if day.weekday() >= 5:
        n = int(n * WEEKEND + rng.random())
    return n


def _on_a_likely_day(rng: random.Random, today: date, first: int, span: int) -> date:
    """A day of the ``span`` days from ``first`` (never after today), drawn again (once)
    if it falls on a weekend, as often as weekends are quieter."""
    day = today + timedelta(days=min(0, first + rng.randrange(span)))
    if day.weekday() >= 5 and rng.random() > WEEKEND:
        day = today + timedelta(days=min(0, first + rng.randrange(span)))
    return day


def _ext(rng: random.Random, port: str) -> str:
    """The sender a recipient sees: the port with extension digits (or the bare port)."""
    return port + (f"{rng.randrange(10**4):04d}" if rng.random() < 0.7 else "")


def plan_month(
    province: Province, rng: random.Random, today: date, end: datetime
) -> list[PlannedReport]:
    """Every reported message of the month, in the order drawn (sorted by the caller)."""
    people = _People(province, rng)
    made: list[PlannedReport] = []

    def report(code: str, sender: str, template: str, day: date, city: str | None,
               serious: str | None) -> None:  # fmt: skip
        at = _moment(day, rng)
        if at >= end:
            return
        home = people.city(city)
        made.append(
            PlannedReport(code, sender, _fill(rng, template), at, people.region(home),
                    people.reporter(home, code), serious)
        )  # fmt: skip

    for plan in BIG:
        for offset in range(-DAYS + 1, 1):
            day = today + timedelta(days=offset)
            first, last, per_day = plan.trickle
            n = plan.days.get(offset, per_day if first <= offset <= last else 0)
            for _ in range(_weekday_count(n, day, rng) if offset not in plan.days else n):
                serious = plan.serious if rng.random() < plan.serious_share else None
                assert plan.port is not None
                report(plan.code, _ext(rng, plan.port), plan.template, day, plan.city, serious)
            for _ in range(plan.then_p2p.get(offset, 0)):
                sender = _mobile(rng, ("171", "167", "173", "147"))
                report(plan.code, sender, plan.template, day, plan.city, None)
    offenders = [plan.port for plan in BIG]
    tail_ports = [p.number for p in PORTS if p.owner_kind == "sp" and p.number not in offenders]
    for n, (_kind, template) in enumerate(TAIL):
        size = rng.choice((2, 3, 4, 5, 6, 8, 10, 14))
        start = rng.randrange(-DAYS + 1, 0)
        serious = "after_unsubscribe" if n % 9 == 4 else None
        # Sending after an unsubscribe from rotating numbers: no port's day adds up.
        through = rng.random() < 0.3 and serious is None
        port = rng.choice(tail_ports) if through else None
        city = rng.choice((None, None, people.city(None)))
        for _ in range(size):
            day = _on_a_likely_day(rng, today, start, 6)
            sender = (
                _ext(rng, port)
                if port
                else rng.choice(("1069", "10655", "10657")) + f"{rng.randrange(10**8):08d}"
            )
            report(f"tail{n}", sender, template, day, city, serious)
    for n, (port, template) in enumerate(LEGIT):
        for _ in range(rng.randint(2, 4)):
            day = _on_a_likely_day(rng, today, -DAYS + 1, DAYS - 1)
            report(f"legit{n}", port, template, day, None, None)
    made.sort(key=lambda r: (r.at, r.reporter))
    return made


def load_spam_month(
    session_factory: sessionmaker[Session],
    province: Province,
    end: datetime,
    seed: int,
) -> DemoSpam:
    """The registry, the month's reports, the cases worked and the labels; one call, after
    the complaints are replayed (their spam ones are reported too)."""
    rng = random.Random(seed * 17 + 29)
    start = end - timedelta(days=DAYS)
    made = DemoSpam(month_start=start)
    today = end.astimezone(LOCAL_TIME).date()
    planned = plan_month(province, rng, today, end)
    with UnitOfWork(session_factory) as uow:
        boss = actor_for(uow, "supervisor1")
        made.ports = _register_ports(uow, boss, end, rng)
        regions = dict(uow.session.execute(select(OrgUnit.code, OrgUnit.id)).all())
        by_day: dict[date, list[PlannedReport]] = {}
        for item in planned:
            by_day.setdefault(item.at.date(), []).append(item)
        transfer: list[PlannedReport] = []
        complaints = _spam_complaints(uow, start, end)
        steps = sorted(CASE_STEPS, key=lambda s: (s.day, s.at))
        for offset in range(-DAYS + 1, 1):
            day = today + timedelta(days=offset)
            while steps and steps[0].day == offset:
                _act(uow, steps.pop(0), day, end)
            forwarded: list[spam.NewReport] = []
            for n, item in enumerate(by_day.get(day, [])):
                if offset <= TRANSFER_UNTIL and rng.random() < TRANSFER_SHARE:
                    transfer.append(item)
                    continue
                forwarded.append(_forwarded(item, regions, f"{day:%Y%m%d}{n:04d}"))
            closing = min(datetime.combine(day, time(23, 50), LOCAL_TIME), end)
            if forwarded:
                spam.record_reports(
                    uow, forwarded, SYSTEM, closing, action="report_forwarded",
                    note=f"短信举报平台 {day:%Y-%m-%d}",
                )  # fmt: skip
            while complaints and complaints[0][1] < closing:
                spam.report_from_complaint(uow, complaints.pop(0)[0])
            if day.weekday() < 5:
                _intercept(uow, boss, day, closing, rng, by_day.get(day, []), province)
            if offset == TRANSFER_IMPORTED:
                _import_transfer(uow, boss, transfer, day, end)
            if closing < end:
                # The sweep's evening round: the day's bursts open their cases the same day.
                open_cases_for_day(uow, day, closing)
                enforcement_sweep.escalate_late(uow, closing)
        for complaint_id, _at in complaints:
            spam.report_from_complaint(uow, complaint_id)
        made.labels = _label(uow, boss, today, end)
    enforcement_sweep.sweep(session_factory, end)
    with UnitOfWork(session_factory) as uow:
        made.reports = {
            str(source): int(n)
            for source, n in uow.session.execute(
                select(SpamReport.source, func.count())
                .where(SpamReport.received_at >= start)
                .group_by(SpamReport.source)
            ).all()
        }
        made.cases = {
            str(status): int(n)
            for status, n in uow.session.execute(
                select(SpamEnforcementCase.status, func.count()).group_by(
                    SpamEnforcementCase.status
                )
            ).all()
        }
    return made


def _register_ports(uow: UnitOfWork, boss: Actor, end: datetime, rng: random.Random) -> int:
    """The registry as it stood before the month, and two edits during it (its history)."""
    views: dict[str, registry.PortView] = {}
    for plan in PORTS:
        signed = end - timedelta(days=rng.randint(60, 700))
        views[plan.number] = registry.register_port(
            uow,
            registry.PortDraft(
                plan.number, plan.owner_kind, plan.owner_name, plan.owner_code,
                plan.contract, plan.kinds, note=plan.note,
            ),
            boss, signed, "zh",
        )  # fmt: skip
    renewed = views["1065795555"]
    registry.update_port(
        uow, renewed.id,
        registry.PortChanges(renewed.version, contract_ref="HT-2026-0571-001",
                             note="合同续签三年"),
        boss, end - timedelta(days=18), "zh",
    )  # fmt: skip
    widened = views["1065757101111"]
    registry.update_port(
        uow, widened.id,
        registry.PortChanges(widened.version, allowed_kinds=("notification", "verification"),
                             note="营销类短信被投诉未经同意，暂停营销类发送资格"),
        boss, end - timedelta(days=16), "zh",
    )  # fmt: skip
    return len(views)


def _forwarded(item: PlannedReport, regions: dict[str, int], key: str) -> spam.NewReport:
    return spam.NewReport(
        source="forwarded",
        key=f"SMS{key}",
        sender=item.sender,
        text=item.text,
        received_at=item.at,
        region_id=regions[item.region],
        reporter_phone=item.reporter,
        serious_reason=item.serious,
        source_ref=f"SMS{key}",
    )


def _spam_complaints(uow: UnitOfWork, start: datetime, end: datetime) -> list[tuple[int, datetime]]:
    """The demo's complaints in the ``spam.*`` categories accepted within the month."""
    return [
        (cid, at)
        for cid, at in uow.session.execute(
            select(Complaint.id, Complaint.accepted_at)
            .where(
                Complaint.category.startswith("spam."),
                Complaint.accepted_at >= start,
                Complaint.accepted_at < end,
            )
            .order_by(Complaint.accepted_at, Complaint.id)
        ).all()
    ]


def _intercept(
    uow: UnitOfWork,
    boss: Actor,
    day: date,
    closing: datetime,
    rng: random.Random,
    reported: Sequence[PlannedReport],
    province: Province,
) -> None:
    """The SMS centre stops copies of what is reported: one city's batch a working day (the
    city most reported from is the likeliest), each item a message with the copies held."""
    counties = {c.code: p.code for p in province.cities() for c in province.counties(p.code)}
    by_city: dict[str, list[PlannedReport]] = {}
    for item in reported:
        if item.campaign.startswith("legit"):
            continue
        city = counties.get(item.region, item.region)
        by_city.setdefault(city, []).append(item)
    cities = sorted(by_city)
    for city in rng.choices(cities, [len(by_city[c]) for c in cities])[:1] if cities else []:
        seen: dict[str, PlannedReport] = {}
        for item in by_city[city]:
            seen.setdefault(item.campaign, item)
        items = [
            spam.Interception(
                key=f"{n}", sender=item.sender, text=item.text,
                count=rng.choice((12, 40, 85, 160, 300, 650, 1200, 2800)),
                intercepted_at=item.at - timedelta(minutes=rng.randint(1, 50)),
            )
            for n, item in enumerate(list(seen.values())[:5])
        ]  # fmt: skip
        spam.record_interceptions(
            uow, batch_id=f"IC-{city}-{day:%Y%m%d}", region=city, items=items,
            actor=boss, now=closing,
        )  # fmt: skip


def _import_transfer(
    uow: UnitOfWork, boss: Actor, rows: Sequence[PlannedReport], day: date, end: datetime
) -> None:
    """The 12321 centre's file of the weeks before, imported as a person uploads it."""
    if not rows:
        return
    words = {"after_unsubscribe": "退订后仍发送", "no_consent": "未经同意发送"}
    with tempfile.TemporaryDirectory(prefix="careloop-demo-12321-") as folder:
        path = Path(folder) / f"12321转办_{day:%Y%m%d}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(
                ["举报编号", "举报号码", "被举报号码", "短信内容", "举报时间", "地区", "违规情形"]
            )
            for n, item in enumerate(rows, 1):
                writer.writerow(
                    [f"12321-{item.at:%Y%m%d}-{n:05d}", item.reporter, item.sender, item.text,
                     f"{item.at:%Y-%m-%d %H:%M:%S}", item.region, words.get(item.serious or "", "")]
                )  # fmt: skip
        moment = min(datetime.combine(day, time(9, 30), LOCAL_TIME), end)
        result = transfer_import.import_transfer(
            uow, path, boss, moment, "zh", default_region="ZJ", name=path.name
        )
    if result.errors:
        raise RuntimeError(f"demo 12321 file has bad rows: {result.errors[:3]}")


def _act(uow: UnitOfWork, step: CaseStep, day: date, end: datetime) -> None:
    at = min(datetime.combine(day, step.at, LOCAL_TIME), end - timedelta(minutes=5))
    case = uow.session.scalar(
        select(SpamEnforcementCase)
        .where(SpamEnforcementCase.port_number == step.port)
        .order_by(SpamEnforcementCase.id.desc())
        .limit(1)
    )
    if case is None or case.opened_at >= at:
        return  # the month was too short for this port's burst (a test-sized demo)
    actor = actor_for(uow, step.by)
    if step.action in ("warn", "throttle", "suspend", "close_port"):
        actions.sanction(
            uow, case.id, step.action, actor, case.version, at,
            evidence_ref=step.ref, evidence=step.text,
        )  # fmt: skip
    elif step.action == "appeal":
        actions.appeal(
            uow, case.id, actor, case.version, at, appellant=step.appellant, reason=step.text
        )
    elif step.action in ("uphold", "lift"):
        actions.decide_appeal(uow, case.id, step.action, actor, case.version, at, reason=step.text)
    elif step.action == "resolve":
        actions.resolve(uow, case.id, actor, case.version, at, note=step.text)
    uow.session.expire_all()


def _label(uow: UnitOfWork, boss: Actor, today: date, end: datetime) -> int:
    """The quality centre labels a few reports: the legitimate notifications as not spam,
    one report of each big campaign with its kind (the next training run learns them)."""
    labelled = 0
    at = min(datetime.combine(today - timedelta(days=1), time(16, 0), LOCAL_TIME), end)
    for plan in BIG[:5]:
        assert plan.port is not None
        found = uow.session.scalar(
            select(SpamReport.id)
            .where(SpamReport.port_number == plan.port)
            .order_by(SpamReport.id)
            .limit(1)
        )
        if found is not None:
            spam.label_report(uow, found, spam=True, kind=plan.kind, note=None,
                              actor=boss, now=at, lang="zh")  # fmt: skip
            labelled += 1
    for port in dict.fromkeys(port for port, _template in LEGIT):
        found = uow.session.scalar(
            select(SpamReport.id)
            .where(SpamReport.port_number == port)
            .order_by(SpamReport.id)
            .limit(1)
        )
        if found is not None:
            spam.label_report(
                uow, found, spam=False, kind=None, note="企业正常通知短信，非垃圾短信",
                actor=boss, now=at, lang="zh",
            )  # fmt: skip
            labelled += 1
    return labelled
