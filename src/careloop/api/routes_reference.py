"""Reference data the clients need to fill a form: categories, vocabularies, units, lifecycle.

Staff only (a login, like the rest of the API): the org tree maps the whole operator and the
transition table who may do what, which an anonymous caller has no need to learn."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from careloop.api.deps import ActorDep, LangDep, get_actor
from careloop.domain import categories, vocabulary
from careloop.domain.lifecycle import tickets
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.org import setup as org

router = APIRouter(prefix="/api/v1", tags=["reference"], dependencies=[Depends(get_actor)])


@router.get("/categories", summary="The two-level complaint taxonomy")
def list_categories(lang: LangDep) -> list[dict[str, Any]]:
    return [
        {
            "code": c.code,
            "name": c.label(lang),
            "name_zh": c.name_zh,
            "name_en": c.name_en,
            "level": c.level,
            "parent": c.parent,
            "regulator_class": c.regulator_class,
        }
        for c in categories.CATEGORIES.values()
    ]


@router.get("/vocabularies", summary="Channels, tiers, products, priorities, roles")
def list_vocabularies(lang: LangDep) -> dict[str, list[dict[str, str]]]:
    sets = {
        "channels": vocabulary.CHANNELS,
        "customer_tiers": vocabulary.CUSTOMER_TIERS,
        "products": vocabulary.PRODUCTS,
        "priorities": vocabulary.PRIORITIES,
        "roles": vocabulary.ROLES,
        "org_kinds": vocabulary.ORG_KINDS,
        "department_types": vocabulary.DEPARTMENT_TYPES,
    }
    return {
        name: [{"code": code, "name": vocabulary.label(values, code, lang)} for code in values]
        for name, values in sets.items()
    }


@router.get("/lifecycle", summary="The transition table: who may do what from which status")
def lifecycle_table(lang: LangDep) -> dict[str, list[dict[str, Any]]]:
    def rows(table: dict[str, tickets.Transition]) -> list[dict[str, Any]]:
        return [
            {
                "name": t.name,
                "label": t.label(lang),
                "from": sorted(t.sources),
                "to": t.target,
                "roles": sorted(t.roles),
            }
            for t in table.values()
        ]

    return {
        "complaint": rows(tickets.TRANSITIONS),
        "work_order": rows(tickets.WORK_ORDER_TRANSITIONS),
    }


@router.get("/org-units", summary="The organisation tree, in path order")
def list_org_units(uow: UowDep, lang: LangDep) -> list[dict[str, Any]]:
    return [asdict(unit) for unit in org.list_units(uow, lang)]


class AreaIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    area: Literal["urban", "rural"] | None = Field(
        description="urban (城市) or rural (农村); null: the same as the parent region. Repair "
        "commitments differ by area (restore within 48 h urban, 72 h rural)"
    )


class OrgUnitOut(BaseModel):
    id: int = Field(description="Unit id")
    code: str = Field(description="Stable unit code")
    name: str = Field(description="Name in the caller's language")
    kind: str = Field(description="group, province, city, county or department")
    dept_type: str | None = Field(description="A department's type")
    parent_id: int | None = Field(description="The parent unit")
    path: str = Field(description="Materialised path of ids; orders the tree")
    area: str | None = Field(description="urban or rural as set here; null: inherited")


@router.put(
    "/org-units/{code}/area",
    response_model=OrgUnitOut,
    summary="Set whether a region is urban or rural (administrators; audited)",
)
def put_org_unit_area(
    code: str, body: AreaIn, uow: UowDep, actor: ActorDep, now: NowDep, lang: LangDep
) -> OrgUnitOut:
    unit = org.set_unit_area(uow, code, body.area, actor, now, lang)
    return OrgUnitOut.model_validate(unit, from_attributes=True)
