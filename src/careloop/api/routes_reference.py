"""Reference data the clients need to fill a form: categories, vocabularies, units, lifecycle.

Staff only (a login, like the rest of the API): the org tree maps the whole operator and the
transition table who may do what, which an anonymous caller has no need to learn."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends

from careloop.api.deps import LangDep, get_actor
from careloop.domain import categories, vocabulary
from careloop.domain.lifecycle import tickets
from careloop.http.dependencies import UowDep
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
