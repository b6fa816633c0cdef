"""The demo's storyline: what a newcomer finds on the first morning after loading it.

Everything is placed relative to the day the demo is loaded (its ``end``), whatever the
hour: it all happens before today's local midnight, so yesterday's daily report (the one
the supervisor's board offers first) shows it, and nothing is cut off by ``end``.

- **Yesterday's fibre cut** (光缆被挖断) in 杭州萧山区: a burst of broadband complaints the
  early warning flags, an incident (突发事件) the city's lead opens, which links them, its
  prepared answer sent to all of them with one bulk reply, and the incident resolved.
- **A rising hot spot** (热点): 宁波 customers whose old plans were switched to a 5G package
  without their consent, a few more every day for six days.
- **In every city** an escalated complaint (越级申诉, a regulator transfer) and an ordinary
  one whose work order is late, both still open: breached limits on the supervisor's board.
- **A repeat caller** (重复来电) in 西湖区: three calls in six days about one broadband repair,
  whose work order is late at the district's network department.
- **A dissatisfied callback** (回访不满意) that reopened a complaint in 拱墅区: sent back to
  the unit, whose second visit is done, so it waits for its owner's reply.

Pure data, like the rest of the generator; ``demo.load`` replays it through the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Final

from careloop.demo import texts

if TYPE_CHECKING:
    from careloop.demo.scenario import _Cast, _Draft, _Generator, _Timeline

SHANGHAI: Final = timezone(timedelta(hours=8), "Asia/Shanghai")

STORY_MIN_COUNT: Final = 150
"""Smaller demos (a few dozen complaints for a test) carry no storyline: it takes ~95, and
its hot spot needs the weeks before it to stand out against."""

FIBRE_CUT_COUNTY: Final = "ZJ-HZ-XS"
FIBRE_CUT_CALLS: Final = 30
HOT_SPOT_CITY: Final = "ZJ-NB"
HOT_SPOT_PER_DAY: Final = (2, 3, 5, 7, 9, 12)
"""Calls 6, 5, … 1 days ago: a hot spot that grows every day up to yesterday."""
REPEAT_CALLER_COUNTY: Final = "ZJ-HZ-XH"
REPEAT_CALLER_PHONE: Final = "13958000123"
"""The repeat caller's number (README: type it into the intake form to see the warning)."""
REOPENED_COUNTY: Final = "ZJ-HZ-GS"
INCIDENT_OPENER: Final = "hz_lead"
INCIDENT_REPLIER: Final = "hz_agent1"
FRONT_AGENT: Final = "hz_agent1"
"""The README's hotline agent: the repeat caller and the reopened complaint are theirs."""

ESCALATED_CATEGORIES: Final = (
    "billing.unknown_deduction",
    "billing.sp_subscription",
    "broadband.repair_delay",
    "marketing.misleading",
    "network.coverage",
    "installation.new_line",
)
LATE_CATEGORIES: Final = (
    "broadband.repair_delay",
    "broadband.outage",
    "installation.move",
    "network.coverage",
    "billing.dispute",
)

FIBRE_CUT_TEMPLATES: Final = (
    "{place}门口修路的挖掘机把光缆挖断了，{my}家宽带从上午九点多起就断了，要求尽快抢修光缆。",
    "听物业说{place}外面施工挖断了光缆，{my}家宽带上午起就用不了，光缆什么时候能接好？",
    "{place}光缆被施工队挖断，周边几栋楼宽带全断，{i}急需上网办公，请尽快抢修熔接。",
    "{place}附近道路施工挖断光缆，{my}家宽带和电视一起断了，{i}想知道抢修进度。",
)
"""Words no everyday broadband complaint uses (光缆, 挖断, 施工, 抢修): a topic of its own."""
HOT_SPOT_TEMPLATES: Final = (
    "{my}号码前几天被擅自升档到5G智享98元档，只收到一条短信、没有任何确认，本月多扣"
    "{amount}元，要求恢复原档并退还差价。",
    "{i}没有办理任何变更，却被系统批量升档为5G智享98元档，营业厅也承认是批量升档，"
    "要求马上恢复原档位。",
    "{my}亲戚朋友好几个都被擅自升档到5G智享98元档，{i}怀疑是在批量强制升档。",
    "5G智享98元档擅自升档：{my}号码未经确认被升档，月费翻了几倍，{i}非常不满。",
)
HOT_SPOT_RESULT: Final = (
    "经核实，系统批量迁移时将该用户误列入5G智享98元档升档名单，已恢复原档位，多收月租按日退还。"
)
HOT_SPOT_REPLY: Final = (
    "您好，经核实，您的号码是在系统批量迁移时被误升档为5G智享98元档，现已为您恢复原档位，"
    "多收的月租将退回话费账户，给您带来不便深表歉意。"
)
REPEAT_NOTES: Final = (
    "客户再次来电催修，情绪激动，已电话催促西湖区网络部尽快上门。",
    "客户第三次来电，网络部称外线需要重新布放，已向客户说明并承诺明日上午上门。",
)
REOPEN_RESULT: Final = "二次上门更换光猫并调整分光器端口，实测下载速率已恢复至签约速率。"
ESCALATED_NOTE: Final = "已电话联系用户安抚情绪，责任单位正在处理，按越级申诉时限跟进。"


@dataclass(frozen=True)
class IncidentPlan:
    """Yesterday's fibre cut as the city's lead declares, answers and resolves it."""

    kind: str
    title: str
    description: str
    prepared_answer: str
    restored_answer: str
    """The answer once the cable is spliced: the text the bulk reply sends."""
    region_code: str
    categories: tuple[str, ...]
    starts_at: datetime
    expected_end_at: datetime
    opened_at: datetime
    opened_by: str
    answered_at: datetime
    """When the prepared answer is changed to ``restored_answer``."""
    ended_at: datetime
    resolved_at: datetime
    resolve_note: str
    bulk_reply_at: datetime
    bulk_reply_by: str


def local_time(today: date, days_ago: int, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` Beijing time ``days_ago`` days before ``today``, in UTC."""
    day = today - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def _weekday_before(today: date, days_ago: int) -> int:
    """``days_ago``, or more if that falls on a weekend (regulators transfer on workdays)."""
    while (today - timedelta(days=days_ago)).weekday() >= 5:
        days_ago += 1
    return days_ago


class Story:
    """The storyline's complaint drafts and its incident, drawn with the generator's rng."""

    def __init__(self, gen: _Generator) -> None:
        self.gen = gen
        self.rng = gen.rng
        self.province = gen.province
        self.today = gen.end.astimezone(SHANGHAI).date()
        county = self.province.node(FIBRE_CUT_COUNTY)
        self.estate = texts.place_name(self.rng, county.name_zh)

    def at(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        return local_time(self.today, days_ago, hour, minute)

    def drafts(self) -> list[_Draft]:
        return [
            *self.fibre_cut(),
            *self.hot_spot(),
            *self.every_city(),
            *self.repeat_caller(),
            self.reopened(),
        ]

    # -- yesterday's fibre cut -----------------------------------------------------------

    def fibre_cut(self) -> list[_Draft]:
        rng = self.rng
        first, last = self.at(1, 9, 45), self.at(1, 17, 30)
        drafts = []
        for _ in range(FIBRE_CUT_CALLS):
            # Most calls come in the first hours, as the outage is noticed.
            at = first + (last - first) * rng.betavariate(1.2, 2.5)
            draft = self.gen.base_draft(
                channel="hotline" if rng.random() < 0.85 else "app",
                category="broadband.outage",
                region=FIBRE_CUT_COUNTY,
                at=at,
                overrides={"place": self.estate},
                product="broadband",
            )
            draft.templates = FIBRE_CUT_TEMPLATES
            draft.script = _fibre_cut_steps
            drafts.append(draft)
        return drafts

    def incident(self) -> IncidentPlan:
        estate = self.estate
        restored = self.at(1, 18, 20)
        return IncidentPlan(
            kind="network_outage",
            title=f"{estate}周边光缆被施工挖断，宽带中断",
            description=(
                f"道路施工挖断{estate}周边主干光缆，附近小区宽带和IPTV中断，网络部正在抢修熔接。"
            ),
            prepared_answer=(
                f"您好，因{estate}周边道路施工挖断光缆，附近小区宽带和IPTV暂时中断，"
                "抢修人员正在熔接光缆，预计今天18点前恢复。给您带来不便深表歉意，"
                "中断期间的月租将按天减免。"
            ),
            restored_answer=(
                f"您好，{estate}周边被施工挖断的光缆已于今天18:20熔接完成，宽带和IPTV已恢复。"
                "如仍无法上网，请重启光猫后再试或致电客服热线。中断期间的月租将按天减免，"
                "给您带来不便深表歉意。"
            ),
            region_code=FIBRE_CUT_COUNTY,
            categories=("broadband",),
            starts_at=self.at(1, 9, 40),
            expected_end_at=self.at(1, 18, 0),
            opened_at=self.at(1, 10, 25),
            opened_by=INCIDENT_OPENER,
            answered_at=self.at(1, 18, 25),
            ended_at=restored,
            resolved_at=self.at(1, 18, 30),
            resolve_note="光缆熔接完成，业务已恢复。",
            bulk_reply_at=self.at(1, 18, 40),
            bulk_reply_by=INCIDENT_REPLIER,
        )

    # -- a hot spot that grows -----------------------------------------------------------

    def hot_spot(self) -> list[_Draft]:
        rng = self.rng
        counties = [c.code for c in self.province.counties(HOT_SPOT_CITY)]
        drafts = []
        for days_ago, calls in zip(
            range(len(HOT_SPOT_PER_DAY), 0, -1), HOT_SPOT_PER_DAY, strict=True
        ):
            for _ in range(calls):
                draft = self.gen.base_draft(
                    channel="hotline" if rng.random() < 0.8 else "app",
                    category="marketing.tariff_change",
                    region=rng.choice(counties),
                    at=self.at(days_ago, rng.randint(8, 20), rng.randrange(60)),
                    product="mobile",
                )
                draft.templates = HOT_SPOT_TEMPLATES
                draft.script = _hot_spot_steps
                drafts.append(draft)
        return drafts

    # -- breached and escalated in every city --------------------------------------------

    def every_city(self) -> list[_Draft]:
        rng = self.rng
        drafts = []
        for city in self.province.cities():
            counties = [c.code for c in self.province.counties(city.code)]
            days_ago = _weekday_before(self.today, rng.choice((3, 4)))
            escalated = self.gen.base_draft(
                channel="regulator",
                category=rng.choice(ESCALATED_CATEGORIES),
                region=rng.choice(counties),
                at=self.at(days_ago, rng.choice((9, 10, 11, 14, 15)), rng.randrange(60)),
            )
            escalated.script = _stuck_escalated_steps
            late = self.gen.base_draft(
                channel="hotline",
                category=rng.choice(LATE_CATEGORIES),
                region=rng.choice(counties),
                at=self.at(rng.choice((5, 6)), rng.randint(9, 17), rng.randrange(60)),
            )
            late.script = _late_work_order_steps
            drafts += [escalated, late]
        return drafts

    # -- the repeat caller ---------------------------------------------------------------

    def repeat_caller(self) -> list[_Draft]:
        calls = [
            (self.at(6, 9, 12), FRONT_AGENT, _repeat_first_steps),
            (self.at(3, 14, 5), "hz_agent3", _repeat_again_steps),
            (self.at(1, 20, 15), FRONT_AGENT, _repeat_again_steps),
        ]
        drafts: list[_Draft] = []
        for at, agent, script in calls:
            draft = self.gen.base_draft(
                channel="hotline",
                category="broadband.repair_delay",
                region=REPEAT_CALLER_COUNTY,
                at=at,
                product="broadband",
            )
            if drafts:
                draft.customer = drafts[0].customer
                draft.overrides = dict(drafts[0].overrides)
            else:
                draft.customer.phone = REPEAT_CALLER_PHONE
                self.gen.customers.claim(REPEAT_CALLER_PHONE)
            draft.owner, draft.script = agent, script
            drafts.append(draft)
        return drafts

    # -- reopened by a dissatisfied callback ---------------------------------------------

    def reopened(self) -> _Draft:
        draft = self.gen.base_draft(
            channel="hotline",
            category="broadband.speed",
            region=REOPENED_COUNTY,
            at=self.at(9, 10, 20),
            product="broadband",
        )
        draft.owner, draft.script = FRONT_AGENT, _reopened_steps
        return draft


# --- the scripts: each complaint's steps, at pinned times where the story needs them --------


def _at(gen: _Generator, days_ago: int, hour: int, minute: int = 0) -> datetime:
    return local_time(gen.end.astimezone(SHANGHAI).date(), days_ago, hour, minute)


def _days_ago(gen: _Generator, draft: _Draft) -> int:
    today = gen.end.astimezone(SHANGHAI).date()
    return (today - draft.accepted_at.astimezone(SHANGHAI).date()).days


def _fibre_cut_steps(
    gen: _Generator, tl: _Timeline, draft: _Draft, cast: _Cast, ctx: texts.TextContext
) -> None:
    """Taken up at once and left for the incident's bulk reply (no work order each: the
    network department splices one cable for all of them)."""
    tl.add("handle", cast.owner, minutes=(1, 20))
    if gen.rng.random() < 0.2:
        tl.add("note", cast.owner, {"text": "已告知用户该片区光缆正在抢修。"}, minutes=(1, 10))


def _hot_spot_steps(
    gen: _Generator, tl: _Timeline, draft: _Draft, cast: _Cast, ctx: texts.TextContext
) -> None:
    """The first calls reach the marketing department and are answered; later ones wait."""
    tl.add("handle", cast.owner, minutes=(1, 20))
    days_ago = _days_ago(gen, draft)
    if days_ago < 4:
        return
    index = _dispatch_and_accept(tl, cast, 48, "核实用户套餐是否在系统批量迁移中被升档。")
    if days_ago < 5:
        return
    tl.add(
        "complete_work_order",
        cast.handlers[cast.unit],
        {"work_order": index, "result": HOT_SPOT_RESULT},
        minutes=(120, 600),
        office=True,
    )
    tl.add("reply", cast.owner, {"text": HOT_SPOT_REPLY}, minutes=(15, 120))


def _dispatch_and_accept(tl: _Timeline, cast: _Cast, due_hours: int, instructions: str) -> int:
    """派单 to the cast's unit and its handler's 接单; the work order's index."""
    index = tl.dispatch_index()
    tl.add(
        "dispatch",
        cast.front,
        {"unit": cast.unit, "due_hours": due_hours, "instructions": instructions},
        minutes=(5, 60),
    )
    tl.add("accept_work_order", cast.handlers[cast.unit], {"work_order": index}, office=True)
    return index


def _stuck_escalated_steps(
    gen: _Generator, tl: _Timeline, draft: _Draft, cast: _Cast, ctx: texts.TextContext
) -> None:
    """A regulator transfer taken up and dispatched, whose unit has not finished: past its
    48-hour reply limit and its 24-hour work order."""
    tl.add("handle", cast.owner, minutes=(10, 50))
    instructions = texts.dispatch_instructions(gen.rng, draft.category)
    _dispatch_and_accept(tl, cast, 24, f"越级申诉，限24小时内办结。{instructions}")
    tl.add("note", cast.owner, {"text": ESCALATED_NOTE}, minutes=(30, 180))


def _late_work_order_steps(
    gen: _Generator, tl: _Timeline, draft: _Draft, cast: _Cast, ctx: texts.TextContext
) -> None:
    """Dispatched with 48 hours and never completed: the unit's work order is late."""
    tl.add("handle", cast.owner, minutes=(1, 20))
    _dispatch_and_accept(tl, cast, 48, texts.dispatch_instructions(gen.rng, draft.category))


def _repeat_first_steps(
    gen: _Generator, tl: _Timeline, draft: _Draft, cast: _Cast, ctx: texts.TextContext
) -> None:
    """The first call: a repair the district's network department accepts and does not do;
    the owner notes each time the customer calls again."""
    tl.add("handle", cast.owner, minutes=(1, 10))
    _dispatch_and_accept(tl, cast, 24, texts.dispatch_instructions(gen.rng, draft.category))
    tl.add("note", cast.owner, {"text": REPEAT_NOTES[0]}, at=_at(gen, 3, 14, 20))
    tl.add("note", cast.owner, {"text": REPEAT_NOTES[1]}, at=_at(gen, 1, 20, 30))


def _repeat_again_steps(
    gen: _Generator, tl: _Timeline, draft: _Draft, cast: _Cast, ctx: texts.TextContext
) -> None:
    tl.add("handle", cast.owner, minutes=(1, 8))


def _reopened_steps(
    gen: _Generator, tl: _Timeline, draft: _Draft, cast: _Cast, ctx: texts.TextContext
) -> None:
    """Repaired and answered, called back dissatisfied three days ago (which reopens it),
    sent back to the unit, whose second visit finished yesterday: the owner replies next."""
    rng = gen.rng
    tl.add("handle", cast.owner, minutes=(2, 10))
    first = _dispatch_and_accept(tl, cast, 48, texts.dispatch_instructions(rng, draft.category))
    result, reply = texts.outcome(rng, draft.category, ctx)
    tl.add(
        "complete_work_order",
        cast.handlers[cast.unit],
        {"work_order": first, "result": result},
        at=_at(gen, 8, 15, 0),
    )
    tl.add("reply", cast.owner, {"text": reply}, at=_at(gen, 8, 16, 30))
    comment = texts.callback_comment(rng, False, draft.category)
    tl.add(
        "callback",
        cast.owner,
        {"satisfied": False, "comment": comment},
        at=_at(gen, 3, 10, 40),
    )
    index = tl.dispatch_index()
    tl.add(
        "dispatch",
        cast.owner,
        {"unit": cast.unit, "due_hours": 24, "instructions": texts.reopen_instructions(rng)},
        at=_at(gen, 3, 11, 0),
    )
    tl.add(
        "accept_work_order", cast.handlers[cast.unit], {"work_order": index}, at=_at(gen, 3, 14, 0)
    )
    tl.add(
        "complete_work_order",
        cast.handlers[cast.unit],
        {"work_order": index, "result": REOPEN_RESULT},
        at=_at(gen, 1, 16, 20),
    )
