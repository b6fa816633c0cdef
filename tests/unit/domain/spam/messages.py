"""Spam messages as campaigns send them: one text with the call-back number, the link, a
code and the padding changed from message to message, and unrelated messages beside."""

from __future__ import annotations

import random

CAMPAIGN_TEMPLATE = (
    "{pad0}【工商银行】尊敬的客户{pad1}，您的信用卡积分{points}分将于{day}日清零，"
    "请{pad2}登录{link}兑换礼品，详询{phone}{pad3}，退订回T"
)
_PADDING = ("", " ", "  ", "~", "!!", "😀", "★", "…", "。。", "【】", "  *", "#")
_LINKS = ("http://t.cn/{c}", "https://icbc-jf{n}.vip/{c}", "www.jf{n}.top/{c}", "t.cn/{c}")

UNRELATED = (
    "【招聘】日结工资300元，在家兼职刷单，加微信 abc123 了解，退订回T",
    "您好，您的快递已到达菜鸟驿站，取件码8-3-2011，请尽快领取",
    "【XX地产】城南精装学区房首付5万起，地铁口现房，看房热线4008001234",
    "澳门首家线上赌场上线，注册即送888元彩金，点击 www.bet88.cc 立即体验",
    "【平安贷】无抵押信用贷款，最高50万，当天放款，回复1申请，拒收请回复R",
    "Congratulations! You have won a $1000 gift card. Claim now at bit.ly/3xYz before it expires",
    "【京东】您购买的商品已发货，运单号JD0012345678，预计明天送达",
    "Your Amazon account is locked. Verify your identity at amaz0n-secure.com/login",
)


def _code(rng: random.Random, length: int) -> str:
    return "".join(rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGH23456789") for _ in range(length))


def campaign_message(rng: random.Random) -> str:
    """One message of the campaign: every variable part drawn afresh."""
    link = rng.choice(_LINKS).format(c=_code(rng, rng.randint(4, 8)), n=rng.randint(1, 99))
    return CAMPAIGN_TEMPLATE.format(
        pad0=rng.choice(_PADDING),
        pad1=rng.choice(_PADDING),
        pad2=rng.choice(_PADDING),
        pad3=rng.choice(_PADDING),
        points=rng.randint(1000, 99999),
        day=rng.randint(1, 28),
        link=link,
        phone=f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}",
    )
