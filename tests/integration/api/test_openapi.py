"""The OpenAPI document describes every field and the real shape of every error."""

from __future__ import annotations

from tests.conftest import Api


def test_every_schema_property_is_described(api: Api):
    schema = api.as_("agent1").get("/openapi.json").json()
    missing = [
        f"{name}.{prop}"
        for name, component in schema["components"]["schemas"].items()
        for prop, spec in component.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert missing == []


def test_errors_are_documented_as_problem_json(api: Api):
    schema = api.as_("agent1").get("/openapi.json").json()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            invalid = operation["responses"]["422"]["content"]
            assert "application/problem+json" in invalid, (path, method)
