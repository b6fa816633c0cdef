"""The demo operator's reply templates (答复口径): one per common category, province-wide,
written by a quality supervisor through the same service as the page, so a newcomer's
first reply can start from one."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from careloop.services.access.actors import Actor
from careloop.services.complaints import reply_templates
from careloop.services.unit_of_work import UnitOfWork

HOTLINE: Final = "如仍有问题，请拨打客服热线10000，我们将第一时间为您处理。"

TEMPLATES: Final[tuple[tuple[str, str, str], ...]] = (
    (
        "宽带故障已修复",
        "broadband",
        "{客户称呼}您好！您于{受理时间}反映的宽带故障（投诉编号{投诉编号}）已由{处理单位}"
        "上门处理，目前网络已恢复正常。给您带来的不便，我们深表歉意。" + HOTLINE,
    ),
    (
        "话费争议核实结果",
        "billing",
        "{客户称呼}您好！您于{受理时间}反映的{投诉分类}问题（投诉编号{投诉编号}）经核实："
        "【请填写核实结果与退费金额】。退费将于下个账期返还至您的账户。" + HOTLINE,
    ),
    (
        "网络质量优化完成",
        "network",
        "{客户称呼}您好！针对您反映的{投诉分类}问题（投诉编号{投诉编号}），{处理单位}"
        "已完成现场测试和优化：【请填写优化措施】。" + HOTLINE,
    ),
    (
        "装移机进度答复",
        "installation",
        "{客户称呼}您好！您的装移机需求（投诉编号{投诉编号}）已由{处理单位}安排，"
        "预约上门时间为【请填写】。装维人员上门前会与您电话确认。" + HOTLINE,
    ),
    (
        "服务问题致歉",
        "service",
        "{客户称呼}您好！对于您于{受理时间}反映的服务问题（投诉编号{投诉编号}），我们深表歉意。"
        "我们已对相关人员进行批评教育并加强培训，感谢您的监督。" + HOTLINE,
    ),
)


def seed_reply_templates(uow: UnitOfWork, supervisor: Actor, at: datetime) -> int:
    """The demo's templates, province-wide; the count written."""
    for name, category, text in TEMPLATES:
        spec = reply_templates.TemplateSpec(name, text, category)
        reply_templates.create_template(uow, supervisor, at, spec)
    return len(TEMPLATES)
