"""Chinese texts for the demo complaints: what customers say and what the units answer.

Every function takes a `random.Random`, so the whole demo data set follows from one seed.
Templates use `{slots}` filled lazily (only the slots a template names are drawn); `{i}` and
`{my}` are the customer ("我"/"我的" in the customer's own words, "用户"/"其" in an agent's
summary), so one template serves both the hotline summary and the online message.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Final

from careloop.domain.categories import first_level

# --- people and numbers -------------------------------------------------------------------

_COMMON_SURNAMES: Final = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
_OTHER_SURNAMES: Final = "肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏方"
_GIVEN_CHARS: Final = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红梅志斌晓燕鹏辉婷雪琳浩宇欣怡"
    "子涵梓萱一诺浩然俊杰文博佳琪海波玉兰凤英建华春梅永强金华丹丹晨阳思远雨桐嘉怡"
)
_MOBILE_PREFIXES: Final = (  # the prefixes of all three networks (携号转网 mixes them anyway)
    "133", "149", "153", "173", "177", "180", "181", "189", "191", "199",
    "134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159",
    "182", "187", "188", "198", "130", "131", "132", "155", "156", "185", "186", "176",
)  # fmt: skip


def customer_name(rng: random.Random) -> str:
    """Surname + one or two given characters; common surnames are far more frequent."""
    pool = _COMMON_SURNAMES if rng.random() < 0.8 else _OTHER_SURNAMES
    surname = rng.choice(pool)
    length = 2 if rng.random() < 0.7 else 1
    return surname + "".join(rng.choice(_GIVEN_CHARS) for _ in range(length))


def mobile_number(rng: random.Random) -> str:
    """A valid mainland mobile number: 1[3-9]x followed by eight digits (11 in all)."""
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def account_number(rng: random.Random, area_code: str, product: str) -> str:
    """Fixed services are numbered by area code (宽带账号); mobile accounts by contract."""
    if product in ("broadband", "fixed_line", "iptv", "bundle", "enterprise_line"):
        return f"{area_code}{rng.randrange(10**8):08d}"
    return f"3{area_code[1:]}{rng.randrange(10**8):08d}"


def masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


# --- slot values ----------------------------------------------------------------------------

SP_SERVICES: Final = (
    "手机视频会员包", "彩铃DIY", "天气预报早晚报", "手机阅读畅读包", "游戏点券包",
    "来电秀", "云盘超级会员", "健康咨询彩信", "手机报", "音乐随心听", "动漫快看包",
    "财经资讯速递", "K歌会员", "学习助手", "宠物乐园",
)  # fmt: skip
_PACKAGES: Final = (
    ("5G畅享129元套餐", 129), ("5G畅享169元套餐", 169), ("199元全家享融合套餐", 199),
    ("99元融合宽带套餐", 99), ("59元流量王套餐", 59), ("39元乐享套餐", 39),
    ("239元5G尊享套餐", 239), ("169元智慧家庭套餐", 169),
)  # fmt: skip
_CHEAP_PACKAGES: Final = ("19元保号套餐", "29元基础套餐", "39元乐享套餐", "8元月租卡")
_SPEED_PLANS: Final = ("100M", "200M", "300M", "500M", "1000M")
_COMMUNITIES: Final = (
    "阳光花园", "金色家园", "锦绣华庭", "翠苑一区", "桂花城", "世纪新城", "东方名苑",
    "绿城玫瑰园", "湖畔花园", "和平新村", "江南春晓", "银湖小区", "望江苑", "香樟公寓",
    "紫金府", "滨河花苑", "城南人家", "丽都景园", "新安小区", "康乐新村",
)  # fmt: skip
_ROADS: Final = (
    "人民路", "解放路", "中山路", "新华路", "建设路", "文化路", "环城北路", "江滨路",
    "府前路", "迎宾大道", "学院路", "商城大道",
)  # fmt: skip
_VILLAGE_PARTS: Final = ("下", "上", "前", "后", "新", "东", "西", "南", "北", "石")
_SPAM_TOPICS: Final = (
    "贷款", "房产中介", "教育培训", "保健品", "网络博彩", "装修", "理财", "商场促销",
    "代开发票", "游戏推广",
)  # fmt: skip
_SPAM_CONTENT: Final = (
    "您的积分即将清零，点击链接兑换礼品",
    "您有一笔退款待领取，请点击链接填写银行卡信息",
    "无抵押低息贷款，当天放款，详询客服",
    "您的快递因地址不详被退回，请点击链接重新填写",
    "尊敬的会员，您的账户存在异常，请及时登录验证",
)
_CALL_TOPICS: Final = ("贷款", "保险", "房产", "教育培训", "股票荐股", "装修", "信用卡提额")
_ABROAD: Final = ("日本", "泰国", "新加坡", "香港", "韩国", "美国", "德国")
_CHARGE_ITEMS: Final = ("长途通话费", "套餐外流量费", "短信费", "来电显示功能费", "彩铃月功能费")
_CHARGE_NAMES: Final = ("其他费用", "代收费", "功能费", "一次性费用", "套餐外费用", "业务费")
_RUDE: Final = ("这个不归我管", "你自己回去查", "说了你也听不懂", "有意见你去投诉好了")
_TOPICS: Final = ("套餐资费", "宽带办理", "话费账单", "补换卡", "携号转网", "积分兑换", "副卡办理")
_BENEFITS: Final = ("每月赠送的20G流量", "入网送的100元话费", "宽带免费提速", "会员权益")
_AFFECTED: Final = ("宽带使用", "绑定的银行卡", "积分和星级", "亲情号码")
_ITEMS: Final = ("IPTV", "副卡", "固定电话", "视频彩铃")
_LED: Final = ("LOS", "PON", "光信号")
_LED_STATE: Final = ("一直闪红灯", "不亮", "一直闪烁")
_STORE_KIND: Final = ("营业厅", "自有营业厅", "合作营业厅", "旗舰店")


def _money(rng: random.Random, low: float, high: float) -> str:
    value = rng.uniform(low, high)
    return f"{value:.2f}".rstrip("0").rstrip(".") if rng.random() < 0.5 else f"{value:.0f}"


def spam_port(rng: random.Random) -> str:
    """106-prefixed service numbers: 10659 this operator, 10657/10655 others, 1069 all."""
    prefix = rng.choice(("10659", "10659", "1069", "10657", "10655"))
    return prefix + "".join(str(rng.randrange(10)) for _ in range(rng.randint(4, 8)))


def nuisance_number(rng: random.Random, area_code: str) -> str:
    kind = rng.random()
    if kind < 0.35:
        return f"{area_code}-8{rng.randrange(10**6, 10**7)}"
    if kind < 0.6:
        return f"95{rng.randrange(100, 999)}"
    if kind < 0.8:
        return f"400-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}"
    return rng.choice(("170", "171", "167")) + f"{rng.randrange(10**8):08d}"


def store_name(rng: random.Random, county: str) -> str:
    return f"{county}{rng.choice(_ROADS)}{rng.choice(_STORE_KIND)}"


def place_name(rng: random.Random, county: str) -> str:
    return f"{county}{rng.choice(_COMMUNITIES)}"


class TextContext:
    """Where and when a text is set: the county and city the customer lives in."""

    def __init__(
        self,
        city: str,
        county: str,
        area_code: str,
        today: date,
        first_person: bool,
        overrides: Mapping[str, str] | None = None,
    ) -> None:
        self.city = city
        self.county = county
        self.area_code = area_code
        self.today = today
        self.first_person = first_person
        self.overrides = dict(overrides or {})


class _Slots(dict[str, str]):
    """Draws a slot's value the first time a template asks for it (str.format_map)."""

    def __init__(self, rng: random.Random, ctx: TextContext) -> None:
        super().__init__(ctx.overrides)
        self._rng = rng
        self._ctx = ctx

    def __missing__(self, key: str) -> str:
        maker = _SLOT_MAKERS.get(key)
        if maker is None:
            raise KeyError(key)
        value = maker(self._rng, self._ctx)
        self[key] = value
        return value


def _date_before(rng: random.Random, ctx: TextContext, low: int, high: int) -> str:
    day = ctx.today - timedelta(days=rng.randint(low, high))
    return f"{day.month}月{day.day}日"


def _last_month(ctx: TextContext) -> str:
    return str((ctx.today.replace(day=1) - timedelta(days=1)).month)


_SLOT_MAKERS: Final[dict[str, Callable[[random.Random, TextContext], str]]] = {
    "i": lambda r, c: "我" if c.first_person else "用户",
    "my": lambda r, c: "我的" if c.first_person else "其",
    "city": lambda r, c: c.city,
    "county": lambda r, c: c.county,
    "place": lambda r, c: place_name(r, c.county),
    "place2": lambda r, c: place_name(r, c.county),
    "village": lambda r, c: r.choice(_VILLAGE_PARTS) + r.choice("王李张陈周吴徐朱") + "村",
    "road": lambda r, c: c.county + r.choice(_ROADS),
    "store": lambda r, c: store_name(r, c.county),
    "floor": lambda r, c: str(r.choice((1, 2, 6, 11, 17, 23, 28))),
    "date": lambda r, c: _date_before(r, c, 2, 20),
    "month": lambda r, c: _last_month(c),
    "hour": lambda r, c: str(r.randint(7, 20)),
    "amount": lambda r, c: _money(r, 8, 260),
    "small": lambda r, c: r.choice(("5", "6", "8", "10", "15", "20", "30")),
    "big": lambda r, c: _money(r, 420, 3600),
    "normal": lambda r, c: str(r.choice((58, 69, 88, 99, 129, 169))),
    "bill": lambda r, c: _money(r, 150, 520),
    "pay": lambda r, c: str(r.choice((50, 100, 200, 300))),
    "fee": lambda r, c: str(r.choice((99, 100, 150, 200, 300, 360))),
    "fee2": lambda r, c: str(r.choice((129, 159, 169, 199))),
    "minutes": lambda r, c: str(r.choice((300, 500, 1000))),
    "n_months": lambda r, c: str(r.randint(2, 11)),
    "n_days": lambda r, c: str(r.randint(3, 18)),
    "n_sp": lambda r, c: r.choice(("两", "三", "四")),
    "n_numbers": lambda r, c: r.choice(("一", "两", "三")),
    "hours": lambda r, c: str(r.choice((26, 30, 36, 48, 52, 60, 72))),
    "times": lambda r, c: str(r.randint(3, 12)),
    "wait": lambda r, c: str(r.choice((15, 20, 25, 30, 40, 50))),
    "gb": lambda r, c: str(r.choice((40, 60, 80, 100))),
    "contract": lambda r, c: str(r.choice((12, 24, 36))),
    "promise_days": lambda r, c: r.choice(("3", "5", "7")),
    "points": lambda r, c: str(r.randrange(2000, 30000, 100)),
    "sp": lambda r, c: r.choice(SP_SERVICES),
    "port": lambda r, c: spam_port(r),
    "package": lambda r, c: r.choice(_PACKAGES)[0],
    "new_package": lambda r, c: r.choice(_PACKAGES)[0],
    "cheap_package": lambda r, c: r.choice(_CHEAP_PACKAGES),
    "speed_plan": lambda r, c: r.choice(_SPEED_PLANS),
    "real_speed": lambda r, c: f"{r.randint(5, 60)}Mbps",
    "mobile_speed": lambda r, c: f"{r.choice(('几十K', '200多K', '1M左右', '2M不到'))}",
    "staff_no": lambda r, c: f"{r.randrange(10000, 99999)}",
    "ticket_no": lambda r, c: f"GZ{c.today:%Y%m%d}{r.randrange(1000, 9999)}",
    "rude": lambda r, c: r.choice(_RUDE),
    "topic": lambda r, c: r.choice(_TOPICS),
    "abroad": lambda r, c: r.choice(_ABROAD),
    "charge_item": lambda r, c: r.choice(_CHARGE_ITEMS),
    "charge_name": lambda r, c: r.choice(_CHARGE_NAMES),
    "spam_topic": lambda r, c: r.choice(_SPAM_TOPICS),
    "spam_content": lambda r, c: r.choice(_SPAM_CONTENT),
    "call_topic": lambda r, c: r.choice(_CALL_TOPICS),
    "call_number": lambda r, c: nuisance_number(r, c.area_code),
    "benefit": lambda r, c: r.choice(_BENEFITS),
    "affected": lambda r, c: r.choice(_AFFECTED),
    "item": lambda r, c: r.choice(_ITEMS),
    "led": lambda r, c: r.choice(_LED),
    "led_state": lambda r, c: r.choice(_LED_STATE),
}


def fill(rng: random.Random, template: str, ctx: TextContext) -> str:
    return template.format_map(_Slots(rng, ctx))


# --- complaint bodies, per leaf category ---------------------------------------------------

COMPLAINT_TEMPLATES: Final[dict[str, tuple[str, ...]]] = {
    "billing.dispute": (
        "{my}手机本月话费{bill}元，比平时多出{amount}元，查询详单发现有{charge_item}，"
        "{i}认为与办理时介绍的套餐内容不符，对扣费有异议。",
        "{i}办理的{package}说明含{minutes}分钟国内通话，但{month}月账单仍收取了"
        "语音通话费{amount}元，{i}对此不认可。",
        "{i}已于{date}办理宽带拆机，但{month}月仍被收取宽带月租{amount}元，要求退还。",
        "{i}在{date}通过手机APP缴费{pay}元，系统显示未到账，次日{my}号码被停机，"
        "{i}对缴费记录有异议。",
        "{i}在{store}办理了{package}，当时说好首月免月租，但{month}月账单收取了全月费用"
        "{amount}元。",
    ),
    "billing.unknown_deduction": (
        "{my}话费余额在{date}无故减少{amount}元，查询详单没有明细，{i}从未办理过任何新业务，"
        "不清楚被扣了什么钱。",
        "{i}查询{month}月账单发现一笔“{charge_name}”{amount}元，{i}从未办理，营业厅也说不清楚"
        "来源。",
        "{my}号码处于停机保号状态，但每月仍被扣费{small}元，{i}认为属于不明扣费。",
        "{my}副卡已于{date}注销，但主卡每月仍在扣副卡功能费{small}元，已经扣了{n_months}个月。",
    ),
    "billing.sp_subscription": (
        "{my}号码每月被扣“{sp}”信息费{small}元，已连续扣费{n_months}个月，{i}从未订购，"
        "也没有收到过二次确认短信。",
        "{i}在{date}收到一条订购“{sp}”成功的提醒短信，{i}并未回复确认，怀疑被恶意订购，"
        "要求退订并退费。",
        "{i}用手机浏览网页时误点了一个弹窗广告，随后被订购了“{sp}”，每月扣{small}元，"
        "{i}认为属于诱导订购。",
        "{my}号码查询到开通了{n_sp}项增值业务，包括“{sp}”，{i}都没有办理过，要求全部退订并"
        "退还近{n_months}个月的费用共{amount}元。",
        "{i}已发送0000查询并退订了“{sp}”，但次月仍继续扣费{small}元。",
    ),
    "billing.high_bill": (
        "{my}手机{month}月话费高达{big}元，平时每月只有{normal}元左右，{i}没有出国也没有"
        "大量使用流量，运营商也没有任何提醒。",
        "{i}到{abroad}出差几天，回来发现产生国际漫游费{big}元，出发前没有收到任何资费提醒，"
        "{i}认为运营商应提前告知。",
        "{my}家中固话{month}月产生长途话费{big}元，家里老人从不打长途，{i}怀疑线路被盗打。",
        "{my}套餐流量用完后没有收到提醒，套外流量产生费用{big}元，超过前三个月平均话费的五倍"
        "也没有通知{i}。",
    ),
    "network.coverage": (
        "{place}一带手机信号很差，室内经常显示无服务，打电话要跑到阳台上，已持续{n_months}个月。",
        "{i}住在{place}{floor}楼，家里信号只有一格，电话经常打不进来，家人联系不上{i}。",
        "{county}{village}手机信号差，5G基本用不了，4G也经常断，村里很多用户都有同样的问题。",
        "{place}的地下车库和电梯里完全没有信号，物业说是运营商没有做覆盖。",
        "{i}单位在{road}附近，最近{n_days}天信号突然变差，之前一直正常，怀疑附近基站出了故障。",
    ),
    "network.dropped_calls": (
        "{i}在{place}附近通话经常掉线，每次打电话两三分钟就断，一天要断{times}次，严重影响工作。",
        "{i}每天坐车经过{road}时通话必掉线，已经反映过多次，一直没有改善。",
        "{my}手机开通VoLTE高清通话后经常无声或单通，对方听不到{i}说话，换了手机问题依旧。",
    ),
    "network.mobile_data": (
        "{i}在{place}用手机上网非常慢，测速只有{mobile_speed}，打开网页和视频都要转很久，"
        "晚上尤其严重。",
        "{my}手机显示5G信号满格但上不了网，要切换成4G才能用，已持续{n_days}天。",
        "{i}办理的{package}宣传不限量，但流量用到{gb}G后网速被限到{mobile_speed}，"
        "办理时营业员没有说明限速。",
        "{i}在{place}一到晚上七点以后手机流量就几乎用不了，微信消息都发不出去。",
    ),
    "broadband.outage": (
        "{my}家中宽带（{speed_plan}）从{date}起无法上网，光猫{led}灯{led_state}，"
        "重启多次无效，已断网{hours}小时。",
        "{place}整个小区的宽带从今天{hour}点起全部中断，IPTV也看不了，邻居都是一样的情况。",
        "{my}家宽带近一周频繁断线，每天断{times}次，每次十几分钟，孩子上网课受到很大影响。",
        "{my}宽带突然提示账号密码错误无法拨号，{i}没有改过密码，已断网{hours}小时，"
        "报修后一直没人联系。",
    ),
    "broadband.speed": (
        "{i}办理的是{speed_plan}宽带，但实测下载速度只有{real_speed}，晚高峰更慢，与宣传严重不符。",
        "{my}宽带升级到{speed_plan}后网速没有任何变化，测速只有{real_speed}，{i}认为升级费白交了。",
        "{my}家宽带玩游戏延迟很高，经常两三百毫秒，看视频也卡顿，装维人员来过一次没有解决。",
        "{my}家里的WiFi只有客厅能用，卧室基本连不上，装机时承诺的全屋组网效果没有达到。",
    ),
    "broadband.repair_delay": (
        "{i}于{date}报修宽带故障，承诺24小时内上门，已过去{hours}小时仍无人处理，"
        "打电话催了{times}次。",
        "装维人员约好{date}上午上门维修宽带，{i}请假在家等了一天没人来，也没有任何通知。",
        "{my}宽带报修后维修人员来过一次，说是外线问题要另外派单，之后{n_days}天都没有下文。",
        "{my}家宽带断网已{n_days}天，报修单号{ticket_no}，每次问都说在处理，{i}要求减免"
        "断网期间的月租。",
    ),
    "installation.new_line": (
        "{i}于{date}在{store}办理新装宽带并已缴费{fee}元，承诺{promise_days}天内安装，"
        "至今已{n_days}天仍未上门。",
        "{i}新买的房子在{place}，申请新装宽带被告知小区资源不足无法安装，什么时候能装也没有准话。",
        "{i}办理宽带新装后，装维人员以需要另收{fee}元材料费为由迟迟不安装。",
        "{i}于{date}预约装机，装维人员多次改约，已经拖了{n_days}天，{i}要求给出明确的安装时间。",
    ),
    "installation.move": (
        "{i}于{date}申请将宽带从{place}移到{place2}，已过去{n_days}天仍未移机，"
        "这期间宽带照常扣费。",
        "{i}办理移机时被告知新地址{place2}没有端口资源，要求{i}重新办理新装并交违约金{fee}元，"
        "{i}认为不合理。",
        "移机后{my}宽带速率从{speed_plan}降成了100M，工作人员说新地址只能装这个速率，"
        "办理时没有告知。",
    ),
    "service.attitude": (
        "{i}在{store}办理业务时，工号{staff_no}的营业员态度冷淡，{i}询问问题时很不耐烦，"
        "还说“{rude}”。",
        "{i}拨打客服热线咨询{topic}，工号{staff_no}的坐席语气生硬，没等{i}说完就挂断了电话。",
        "装维人员上门时态度恶劣，在{my}家中抽烟，对{i}提出的问题敷衍了事，走时还把垃圾留在家里。",
        "{i}在{store}排队{wait}分钟，轮到时营业员说快下班了，让{i}明天再来。",
    ),
    "service.skill": (
        "{i}多次咨询{topic}，不同客服给出的答复都不一样，导致{i}办错了业务，多花了{amount}元。",
        "{store}营业员业务不熟，给{i}办理{topic}时操作失误，导致{my}号码停机{hours}小时。",
        "装维人员上门后不会调试光猫和路由器，折腾了两个小时没弄好就走了，让{i}自己找人弄。",
    ),
    "service.hotline_access": (
        "{i}拨打客服热线转人工，等了{wait}分钟一直提示坐席忙，连续拨打{times}次都没有接通。",
        "客服热线语音菜单层级太多，{i}按了好几层都找不到人工服务，对老年人很不友好。",
        "{i}拨打热线说明问题后，坐席说会有专人回电，但{n_days}天过去了没有任何人联系{i}。",
    ),
    "marketing.misleading": (
        "{i}于{date}在{store}办理{package}，营业员承诺每月返还话费{small}元，但从未到账，"
        "{i}认为属于虚假宣传。",
        "工作人员电话推销时称升级{new_package}不加钱、网速翻倍，办理后发现每月多扣{amount}元。",
        "{i}参加“存费送手机”活动，宣传说手机免费，实际要求每月最低消费{fee}元、在网{contract}"
        "个月，办理时没有说明。",
        "宣传单上写“{speed_plan}宽带免费送”，办理后才知道必须捆绑{package}才能使用。",
    ),
    "marketing.forced_bundle": (
        "{i}只想办理宽带，营业员说必须同时办理{package}和一张副卡才能装，{i}认为属于强制捆绑。",
        "{i}去{store}补卡，营业员要求必须先办理一个{small}元的流量包才给补卡。",
        "{my}号码在不知情的情况下被办理了{package}合约，合约期{contract}个月，"
        "现在要取消被告知需交违约金{amount}元。",
        "{i}购买手机时被要求必须开通{n_sp}项增值业务，说三个月后再退订，{i}觉得很不合理。",
    ),
    "marketing.tariff_change": (
        "{i}想把{package}改成{cheap_package}，营业厅和热线都说不能改，只能往高套餐改，"
        "{i}认为是变相限制。",
        "{i}在APP上申请降低套餐档次，页面一直提示“暂不支持办理”，去营业厅又被告知要到归属地办理。",
        "{i}要求取消融合套餐中的{item}，被告知必须整体变更并重新签约{contract}个月。",
        "{my}老套餐被系统自动变更为新套餐，月费从{fee}元涨到{fee2}元，事先没有征得{i}同意。",
    ),
    "portability.obstructed": (
        "{i}申请携号转网，发短信查询后提示“存在未到期合约”，但{i}从未签过合约，"
        "要求核实并解除限制。",
        "{i}办理携号转网时客服反复挽留，不给提供授权码，还说转网后会影响{my}{affected}。",
        "{i}去{store}办理携转，营业员以系统故障为由拒绝办理，并推荐{i}办理优惠套餐。",
    ),
    "portability.after_port": (
        "{i}携号转入后，{my}号码在部分银行和APP收不到验证码短信，影响正常使用。",
        "{i}携转入网已{n_days}天，入网时承诺的{benefit}一直没有到账。",
        "{i}携号转网后，有些亲友打{my}电话提示是空号。",
    ),
    "spam.sms": (
        "{i}近期频繁收到{port}发来的{spam_topic}类短信，每天{times}条，回复TD退订无效。",
        "{my}号码每天收到大量{spam_topic}广告短信，发送号码为{port}，{i}从未同意接收，"
        "要求追查发送端口。",
        "{i}收到{port}发来的短信，内容为“{spam_content}”，怀疑是诈骗短信，要求处理。",
    ),
    "spam.calls": (
        "{i}最近每天接到{times}个以上{call_topic}推销电话，来电号码有{call_number}等，"
        "严重影响生活。",
        "{i}已开通防骚扰功能，但仍不断接到{call_number}打来的{call_topic}电话，"
        "要求运营商进行拦截。",
        "{i}接到{call_number}的来电，对方能准确说出{my}姓名和住址，推销{call_topic}，{i}非常担心。",
    ),
    "privacy.leak": (
        "{i}在{store}办理业务后不久，就陆续接到{call_topic}推销电话，对方知道{my}套餐和"
        "到期时间，怀疑信息被营业厅泄露。",
        "{i}刚办理宽带新装，第二天就有人打电话推销路由器，知道{my}安装地址，怀疑装机信息被泄露。",
        "{i}接到自称运营商客服的电话，对方准确说出{my}身份证后四位和话费余额，要求{i}办理"
        "“降费”，怀疑信息已经外泄。",
    ),
    "privacy.real_name": (
        "{i}发现自己名下多了{n_numbers}个不认识的手机号码，从未办理过，要求核查并注销。",
        "{my}号码用了十几年，现在被要求重新实名认证，否则停机，线上认证多次失败，"
        "营业厅又说要本人回归属地办理。",
        "{my}号码被他人冒名过户，{i}要求恢复实名登记信息并追究责任。",
        "{my}号码因“实名信息不一致”被停机，{i}的身份证明明在有效期内，认为是系统问题。",
    ),
    "other.general": (
        "{my}积分在{date}被清零，之前没有任何提醒，{i}要求恢复积分{points}分。",
        "{i}申请开具{month}月的电子发票，APP一直提示生成失败，公司报销急用。",
        "{my}家中IPTV的回看功能无法使用，点播节目经常卡顿黑屏。",
        "{store}门口的无障碍通道被堵，停车位也被占用，老人来办理业务很不方便。",
    ),
}

_DEMANDS_AGENT: Final[dict[str, tuple[str, ...]]] = {
    "billing": (
        "用户要求核实并退还多收费用。",
        "用户要求给出合理解释，如不解决将向工信部申诉。",
        "用户情绪激动，要求尽快退费。",
    ),
    "network": (
        "用户要求尽快改善信号。",
        "用户要求派人现场测试并给出解决时间。",
        "用户表示如长期得不到解决将要求携号转网。",
    ),
    "broadband": (
        "用户要求尽快修复并减免故障期间月租。",
        "用户要求今天内上门处理。",
        "用户情绪激动，要求给出明确的修复时间。",
    ),
    "installation": ("用户要求尽快安排上门。", "用户要求给出书面答复。", "用户要求退还已交费用。"),
    "service": ("用户要求相关人员道歉。", "用户要求严肃处理当事人。", "用户要求改进服务。"),
    "marketing": (
        "用户要求按宣传兑现或无责解约。",
        "用户要求恢复原套餐并退还差价。",
        "用户表示将向消协和工信部反映。",
    ),
    "portability": ("用户要求尽快解除携转限制。", "用户要求兑现承诺。", "用户要求给出处理结果。"),
    "spam": ("用户要求关停该号码。", "用户要求彻底拦截。", "用户要求追查并回复处理结果。"),
    "privacy": ("用户要求查明泄露源头。", "用户要求核查并给予说法。", "用户要求注销并追责。"),
    "other": ("用户要求尽快解决。", "用户要求给予答复。", "请相关部门核实处理。"),
}

_DEMANDS_FIRST: Final = (
    "希望尽快处理，给我一个合理的解释！",
    "请尽快解决，不然我就去工信部投诉了。",
    "麻烦尽快核实，给个说法。",
    "已经很多次了，真的很失望。",
    "请尽快回复我。",
)

_PREFIXES: Final[dict[str, tuple[str, ...]]] = {
    "hotline": ("用户来电反映：", "客户来电投诉：", "用户来电称："),
    "store": ("用户到厅反映：", "客户在营业厅现场投诉："),
    "online": ("【网厅留言】",),
    "app": ("【APP在线投诉】",),
    "wechat": ("【微信公众号留言】",),
    "sms": ("【短信投诉】",),
    "letter_visit": ("【用户来信】",),
    "radio_hotline": ("行风热线节目转来：听众反映，",),
    "social_supervisor": ("社会监督员反映：",),
    "regulator": ("管局转办：用户申诉称，", "工信部申诉中心转办：用户反映，"),
}

FIRST_PERSON_CHANNELS: Final = frozenset({"online", "app", "wechat", "sms", "letter_visit"})
"""Channels where the customer writes the complaint in their own words."""


def complaint_description(
    rng: random.Random,
    category: str,
    channel: str,
    ctx: TextContext,
    *,
    source_ref: str | None = None,
    repeat_of: date | None = None,
    templates: tuple[str, ...] | None = None,
) -> str:
    """The complaint as the channel records it: agent's summary or the customer's message
    (drawn from ``templates`` when the storyline brings its own)."""
    body = fill(rng, rng.choice(templates or COMPLAINT_TEMPLATES[category]), ctx)
    prefix = rng.choice(_PREFIXES.get(channel, ("",)))
    if "用户" in prefix and body.startswith("用户"):
        body = "其" + body.removeprefix("用户")  # 用户来电反映：其……, not 用户……用户……
    if channel == "regulator" and source_ref:
        prefix = f"【{source_ref}】{prefix}"
    if ctx.first_person:
        demands: tuple[str, ...] = _DEMANDS_FIRST
        again = (
            f"{repeat_of.month}月{repeat_of.day}日已经投诉过一次，到现在还没解决。"
            if repeat_of
            else ""
        )
    else:
        demands = _DEMANDS_AGENT[first_level(category)]
        again = (
            f"此前已于{repeat_of.month}月{repeat_of.day}日就此问题投诉，问题仍未解决，现再次投诉。"
            if repeat_of
            else ""
        )
    # The storyline's texts say what the customer wants themselves.
    demand = "" if templates else rng.choice(demands)
    return f"{prefix}{again}{body}{demand}"


# --- the handling side ------------------------------------------------------------------------

DISPATCH_INSTRUCTIONS: Final[dict[str, tuple[str, ...]]] = {
    "billing": (
        "请核查用户近三个月账单及详单，确认计费是否正确，如有错误请办理退费。",
        "请核实扣费来源及订购记录，按规定处理并答复。",
    ),
    "network": (
        "请安排现场测试，核查周边基站运行情况，给出优化方案及时间。",
        "请核查该区域网络覆盖及告警情况，尽快处理。",
    ),
    "broadband": (
        "请尽快安排装维人员上门处理，并与用户预约时间。",
        "请核查端口及光路状态，排除故障后回单。",
    ),
    "installation": (
        "请核实资源情况并与用户联系确定安装时间。",
        "请核查装移机工单进度，尽快安排施工。",
    ),
    "service": (
        "请调查核实当事人服务情况，向用户致歉并提出整改措施。",
        "请调取录音/监控核实，按服务规范处理。",
    ),
    "marketing": (
        "请核查办理记录及宣传材料，按承诺兑现或为用户无责解约。",
        "请核实营销活动规则及受理过程，妥善处理。",
    ),
    "portability": (
        "请核查携转限制原因，符合条件的立即解除。",
        "请核实携转相关承诺及号码路由，尽快处理。",
    ),
    "spam": (
        "请核查发送端口归属，按垃圾短信治理规定处置并答复。",
        "请核实来电号码，按骚扰电话治理流程处理。",
    ),
    "privacy": (
        "请核查该号码办理及查询记录，排查信息泄露环节。",
        "请核实实名登记资料，按规定处理。",
    ),
    "other": ("请核实用户反映的问题并尽快处理。", "请相关单位协助核实处理。"),
}

OUTCOMES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "billing.dispute": (
        (
            "经核查，系套餐优惠未生效导致多收费用{amount}元，已办理退费并修正套餐配置。",
            "您好，经核查，您反映的费用系套餐优惠未生效导致，已为您退还{amount}元，"
            "给您带来不便深表歉意。",
        ),
        (
            "经核查，计费正确，费用为套餐外使用产生，已整理详单供答复使用。",
            "您好，经核查您的账单计费正确，费用为套餐外使用产生，明细已短信发送给您。",
        ),
    ),
    "billing.unknown_deduction": (
        (
            "经核查，该费用为用户此前办理的功能包月费，已为用户取消该功能。",
            "您好，经核查该费用为您此前开通的功能月费，已按您的要求取消，次月起不再收取。",
        ),
        (
            "经核查系系统批扣差错，已退还{amount}元。",
            "您好，经核查系我公司系统差错导致扣费，已为您退还{amount}元，深表歉意。",
        ),
    ),
    "billing.sp_subscription": (
        (
            "已核实订购记录，无二次确认，已退订“{sp}”并退还信息费{amount}元，SP已纳入违规通报。",
            "您好，“{sp}”已为您退订，并退还信息费{amount}元，今后订购增值业务均需您二次确认。",
        ),
        (
            "经核查存在用户短信确认记录，已为用户退订，按规定退还当月信息费{small}元。",
            "您好，经核查该业务有订购确认记录，已为您退订并退还当月费用{small}元，"
            "可发送0000随时查询退订。",
        ),
    ),
    "billing.high_bill": (
        (
            "经核查为套外流量费用，未按规定触发高额提醒，已按规定减免{amount}元。",
            "您好，经核查您的高额费用为套外流量产生，我公司未及时提醒，已为您减免{amount}元。",
        ),
        (
            "经核查为国际漫游费用，计费正确，已为用户申请漫游封顶优惠。",
            "您好，经核查漫游费用计费正确，考虑到实际情况已为您申请按封顶标准收取。",
        ),
    ),
    "network": (
        (
            "已现场测试，确认该区域弱覆盖，临时调整天线方位角，已纳入本期基站建设计划。",
            "您好，已安排技术人员现场测试并优化，信号已有改善，新基站建成后将进一步提升。",
        ),
        (
            "经核查附近基站传输故障，已修复，现场复测通话及上网正常。",
            "您好，经核查系附近基站故障，现已修复，请您使用，如仍有问题请及时联系我们。",
        ),
        (
            "已优化邻区参数并调整功率，复测通话及上网正常。",
            "您好，已对您所在区域进行网络优化，经复测已恢复正常。",
        ),
    ),
    "broadband": (
        (
            "装维人员已上门，更换光猫后恢复正常，现场测速达标。",
            "您好，已上门为您更换光猫，经测试宽带速率正常，故障期间月租将按规定减免。",
        ),
        (
            "经查为分光器端口故障，已更换端口，用户宽带恢复。",
            "您好，经检测已为您更换端口并优化线路，宽带已恢复正常，感谢您的耐心等待。",
        ),
        (
            "外线光缆被施工挖断，已熔接修复，小区宽带全部恢复。",
            "您好，故障原因为外线光缆被施工挖断，现已抢修完毕，给您带来不便深表歉意。",
        ),
    ),
    "installation.new_line": (
        (
            "已与用户预约，于今日完成安装调试，用户确认可正常使用。",
            "您好，您的宽带已安装完成，延误期间给您带来不便，已为您减免一个月月租。",
        ),
        (
            "该小区资源已扩容，已完成装机。",
            "您好，您所在小区已完成扩容，宽带已为您开通。",
        ),
    ),
    "installation.move": (
        (
            "已完成移机并恢复原速率。",
            "您好，您的宽带已完成移机，速率已恢复为原套餐速率，移机延误期间月租已减免。",
        ),
        (
            "新地址已预留资源，已免收违约金完成移机。",
            "您好，已为您免收违约金并完成移机，请您使用。",
        ),
    ),
    "service": (
        (
            "经调取监控/录音核实，当事人确有服务不规范行为，已批评教育并扣减当月绩效。",
            "您好，经核实当事员工确有服务不到位之处，已严肃处理，在此向您诚恳致歉。",
        ),
        (
            "已对当事人进行服务规范培训，并由负责人上门向用户致歉。",
            "您好，我们已对相关人员加强培训，负责人已向您当面致歉，感谢您的监督。",
        ),
    ),
    "service.hotline_access": (
        (
            "经核查当日话务量突增，已增加高峰时段人工坐席，并优化语音菜单。",
            "您好，当日话务量较大造成接通困难，我们已增加坐席并开通老年人一键转人工服务。",
        ),
    ),
    "marketing.misleading": (
        (
            "经核查营业员未如实告知活动规则，已为用户无责解约并退还差价{amount}元。",
            "您好，经核查已为您无责解约并退还差价{amount}元，对宣传解释不到位向您致歉。",
        ),
        (
            "已按承诺补发返还话费{small}元，并对相关营业厅进行通报。",
            "您好，承诺的返还话费已为您补发，并对相关营业厅进行了通报处理。",
        ),
    ),
    "marketing.forced_bundle": (
        (
            "经核查受理时未经用户同意捆绑办理，已取消捆绑业务并退还费用{amount}元。",
            "您好，捆绑办理的业务已为您取消并退还相关费用{amount}元，不收取违约金。",
        ),
        (
            "已对营业厅违规捆绑行为通报处罚，已为用户无责解除合约。",
            "您好，已为您无责解除合约，相关营业厅已被通报处理，向您致歉。",
        ),
    ),
    "marketing.tariff_change": (
        (
            "已为用户变更为所需套餐，次月生效。",
            "您好，已按您的要求变更套餐，次月1日起生效。",
        ),
        (
            "已开通异地及线上降档办理权限，用户已自助完成变更。",
            "您好，套餐变更已为您办理完成，今后也可在APP上自助办理。",
        ),
    ),
    "portability": (
        (
            "经核查合约已到期，系统限制标识未清除，已解除，用户可正常办理携转。",
            "您好，携转限制已解除，您可以正常申请携号转网。",
        ),
        (
            "已协调修正号码路由数据，短信及来电接收恢复正常。",
            "您好，号码路由问题已修复，现在可以正常接收短信和来电。",
        ),
    ),
    "spam.sms": (
        (
            "经核查端口{port}属某企业客户，已对端口予以关停并纳入黑名单。",
            "您好，相关发送端口已被关停，已为您开通垃圾短信拦截，感谢您的举报。",
        ),
        (
            "已对该端口发送内容进行核查，责令企业客户整改并暂停发送30天。",
            "您好，已对涉事端口予以处罚并暂停发送，如再收到可回复或发送至12321举报。",
        ),
    ),
    "spam.calls": (
        (
            "已为用户开通骚扰拦截，对涉事号码进行标记和限呼。",
            "您好，已为您开通防骚扰拦截，涉事号码已按规定处置。",
        ),
    ),
    "privacy.leak": (
        (
            "经核查近期无异常查询记录，已为用户修改服务密码并开通信息保护。",
            "您好，经核查暂未发现异常查询记录，已为您修改服务密码，我们将持续排查。",
        ),
        (
            "经核查营业厅人员违规查询用户资料，已对当事人及网点追责。",
            "您好，经核查确有员工违规查询，已对相关人员严肃追责，向您诚恳致歉。",
        ),
    ),
    "privacy.real_name": (
        (
            "已核实名下异常号码为冒名办理，已停机注销，并对受理营业厅追责。",
            "您好，经核查已为您注销名下冒名号码，并对受理网点追责。",
        ),
        (
            "已协助用户在营业厅完成实名信息校验并复机。",
            "您好，您的实名信息已核验通过，号码已恢复正常使用。",
        ),
    ),
    "other": (
        (
            "已处理完毕，问题已解决。",
            "您好，您反映的问题已处理完毕，感谢您的理解与支持。",
        ),
        (
            "已恢复用户积分并致歉。",
            "您好，已为您恢复相关权益，给您带来不便深表歉意。",
        ),
    ),
}
"""(work-order result, reply to the customer) pairs, by leaf category or its first level."""


_TRANSFER_GROUNDS: Final = (
    "经核查非本部门职责",
    "经核查问题根源在对方环节",
    "需对方部门核实处理",
    "涉及对方部门系统数据",
)


RETURN_REASONS: Final = (
    "经核实不属本单位职责范围，请重新派单。",
    "工单信息不全，缺少用户详细地址，请补充后重新派发。",
    "用户号码归属其他地市，请派至归属地处理。",
    "经核查该问题已由其他单位处理中，退回请核实。",
)

PAUSE_REASONS: Final = (
    "用户要求周末再上门处理，待用户确认时间。",
    "需用户提供身份证明材料，待用户补充。",
    "用户出差在外，约定回来后再联系。",
    "多次联系用户未接通，等待用户回电。",
    "需用户提供缴费凭证截图，待用户提供。",
)

NOTES: Final = (
    "已电话联系用户，告知处理进度，用户表示认可。",
    "用户再次来电催办，已安抚并加急。",
    "用户情绪较为激动，需重点关注。",
    "已短信告知用户工单编号及处理时限。",
    "该用户为高价值客户，请优先处理。",
    "经与责任单位沟通，预计明日处理完毕。",
)

CALLBACK_SATISFIED: Final = (
    "用户表示满意。",
    "用户对处理结果认可，感谢回访。",
    "问题已解决，用户满意。",
    "用户表示基本满意。",
)

CALLBACK_DISSATISFIED: Final[dict[str, tuple[str, ...]]] = {
    "billing": ("用户对退费金额不认可，要求重新核查。", "用户不认可计费解释，要求全额退费。"),
    "network": ("用户称信号仍然很差，不满意处理结果。", "用户表示优化后改善不明显。"),
    "broadband": ("用户表示故障反复出现，要求彻底解决。", "用户称网速仍然很慢，不满意。"),
    "installation": ("用户认为处理太慢，不满意。", "用户对安装时间仍无明确答复不满。"),
    "service": ("用户认为道歉不够诚恳，要求负责人出面。",),
    "marketing": ("用户不接受处理方案，要求按宣传兑现。", "用户要求无责解约，不满意。"),
    "portability": ("用户表示仍无法办理携转，不满意。",),
    "spam": ("用户称仍在收到同类骚扰信息，不满意。",),
    "privacy": ("用户认为未查明泄露源头，不满意。",),
    "other": ("用户表示问题仍未解决，不满意。",),
}

CANCEL_REASONS: Final = (
    "用户来电表示问题已自行解决，要求撤销投诉。",
    "用户表示已与营业厅协商解决，撤销投诉。",
    "用户称误会已解除，不再需要处理。",
)

REJECT_REASONS: Final = (
    "经核实非本公司用户，已引导用户联系所属运营商。",
    "用户来电仅为业务咨询，不属于投诉，已现场解答。",
    "同一问题已在处理中，本次为重复受理。",
    "用户反映内容不属于电信服务范畴。",
)

REOPEN_INSTRUCTIONS: Final = (
    "用户回访不满意，请重新核查并彻底处理。",
    "回访不满意重派：用户反映问题依旧，请再次上门处理。",
)


def _pick(rng: random.Random, table: Mapping[str, tuple[str, ...]], category: str) -> str:
    return rng.choice(table[first_level(category)])


def dispatch_instructions(rng: random.Random, category: str) -> str:
    return _pick(rng, DISPATCH_INSTRUCTIONS, category)


def outcome(rng: random.Random, category: str, ctx: TextContext) -> tuple[str, str]:
    """The unit's work-order result and the reply that tells the customer about it.

    Both come from one draw of slots, so the refund the unit booked is the refund the
    customer is told about.
    """
    result, reply = rng.choice(OUTCOMES.get(category) or OUTCOMES[first_level(category)])
    slots = _Slots(rng, ctx)
    return result.format_map(slots), reply.format_map(slots)


def direct_reply(rng: random.Random, category: str, ctx: TextContext) -> str:
    """首问解决: what the agent tells the customer when no unit was needed."""
    return "（首问解决）" + outcome(rng, category, ctx)[1]


def transfer_reason(rng: random.Random, target_unit_name: str) -> str:
    return f"{rng.choice(_TRANSFER_GROUNDS)}，转{target_unit_name}处理。"


def return_reason(rng: random.Random) -> str:
    return rng.choice(RETURN_REASONS)


def pause_reason(rng: random.Random) -> str:
    return rng.choice(PAUSE_REASONS)


def note_text(rng: random.Random) -> str:
    return rng.choice(NOTES)


def callback_comment(rng: random.Random, satisfied: bool, category: str) -> str:
    if satisfied:
        return rng.choice(CALLBACK_SATISFIED)
    return _pick(rng, CALLBACK_DISSATISFIED, category)


def cancel_reason(rng: random.Random) -> str:
    return rng.choice(CANCEL_REASONS)


def reject_reason(rng: random.Random) -> str:
    return rng.choice(REJECT_REASONS)


def reopen_instructions(rng: random.Random) -> str:
    return rng.choice(REOPEN_INSTRUCTIONS)
