"""Reply templates through the HTTP API: written by supervisors, scoped by region, offered
for a complaint's category with its facts filled in, every change audited."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import assert_problem, create

BODY = "{客户称呼}您好，您于{受理时间}反映的宽带问题（{投诉编号}）已由{处理单位}处理完毕。"


def _template(client, **body):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/reply-templates", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_templates_are_offered_by_category_and_region_filled_in_and_audited(
    api: Api, clock: MovableClock, database_url: str
):
    supervisor, agent, lead = api.as_("super1"), api.as_("agent1"), api.as_("lead1")
    province = _template(supervisor, name="宽带通用", text=BODY, category="broadband")
    assert province["region"] == "P" and province["placeholders"][0] == "客户称呼"
    east = _template(
        supervisor, name="东区断网", text="{客户称呼}：光缆已修复。", category="broadband.outage",
        region="C1-K1",
    )  # fmt: skip
    north = _template(
        supervisor, name="北区断网", text="北区。", category="broadband.outage", region="C2-K1"
    )
    _template(supervisor, name="计费", text="话费已核实。", category="billing")

    # Only supervisors and administrators write; the wording is refused in the reader's words.
    assert_problem(
        lead.post(
            "/api/v1/reply-templates", json={"name": "x", "text": "y", "category": "billing"}
        ),
        403,
        "role_not_allowed",
    )
    bad = supervisor.post(
        "/api/v1/reply-templates",
        json={"name": "坏", "text": "请拨打{客户电话}", "category": "billing"},
        headers={"Accept-Language": "en"},
    )
    problem = assert_problem(bad, 422, "invalid_input")
    assert "unknown placeholder {客户电话}" in problem["detail"], problem
    assert "{处理单位}" in problem["detail"]
    assert problem["detail"].startswith("Template text: ")  # words, not the field's code

    # The complaint (C1-K1, broadband outage) gets the county's wording first, then the
    # province's; the other city's and the other category's are not offered.
    c = create(agent)
    offered = agent.get(f"/api/v1/complaints/{c['id']}/reply-templates")
    assert offered.status_code == 200, offered.text
    names = [o["template"]["name"] for o in offered.json()]
    assert names == ["东区断网", "宽带通用"]
    filled = offered.json()[1]["filled"]
    assert filled == (
        f"孙女士您好，您于2026年9月28日 10:00反映的宽带问题（{c['number']}）"
        "已由甲市客服中心处理完毕。"
    )

    # Reading follows the scope: the city agent does not see the other city's template.
    listed = {t["name"] for t in agent.get("/api/v1/reply-templates").json()}
    assert listed == {"宽带通用", "东区断网", "计费"}
    assert north["id"] not in {t["id"] for t in agent.get("/api/v1/reply-templates").json()}
    outside = create(supervisor, region="C2-K1")
    assert_problem(
        agent.get(f"/api/v1/complaints/{outside['id']}/reply-templates"), 404, "not_found"
    )

    # Edits carry the version read; a retired template is no longer offered.
    stale = supervisor.put(
        f"/api/v1/reply-templates/{east['id']}",
        json={"name": "东区断网", "text": "新", "category": "broadband.outage", "version": 99},
    )
    assert_problem(stale, 409, "version_conflict")
    edited = supervisor.put(
        f"/api/v1/reply-templates/{east['id']}",
        json={"name": "东区断网（修订）", "text": "{客户称呼}：已修复。",
              "category": "broadband.outage", "version": east["version"]},
    )  # fmt: skip
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == east["version"] + 1
    retired = supervisor.post(
        f"/api/v1/reply-templates/{province['id']}/retire", json={"version": province["version"]}
    )
    assert retired.status_code == 200 and retired.json()["active"] is False
    offered = agent.get(f"/api/v1/complaints/{c['id']}/reply-templates").json()
    assert [o["filled"] for o in offered] == ["孙女士：已修复。"]

    engine = create_engine(database_url)
    with engine.connect() as db:
        kinds = (
            db.execute(
                text(
                    "SELECT kind FROM security_events"
                    " WHERE kind LIKE 'reply_template_%' ORDER BY id"
                )
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert kinds == ["reply_template_created"] * 4 + [
        "reply_template_edited",
        "reply_template_retired",
    ]
