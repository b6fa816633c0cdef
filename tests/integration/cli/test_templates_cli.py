"""`careloop templates`: a supervisor keeps reply templates from the shell and a refused
placeholder is one readable line (the rest of the rules: the API's tests, same services)."""

from __future__ import annotations

from tests.integration.cli.test_cli import _careloop, _ok, sqlite_url  # noqa: F401


def test_a_template_added_from_the_shell_is_listed_and_a_bad_one_refused(sqlite_url: str):  # noqa: F811
    made = _ok(
        sqlite_url, "templates", "add", "--as", "super1", "--name", "宽带通用",
        "--text", "{客户称呼}您好，{投诉编号}已处理。", "--category", "broadband",
    )  # fmt: skip
    assert made["region"] == "P" and made["placeholders"] == ["客户称呼", "投诉编号"]
    refused = _careloop(
        sqlite_url, "templates", "add", "--as", "super1", "--name", "坏",
        "--text", "请拨打{客户电话}", "--category", "billing", lang="zh",
    )  # fmt: skip
    assert refused.returncode != 0
    assert "不认识占位符 {客户电话}" in refused.stderr and "Traceback" not in refused.stderr
    listed = _ok(sqlite_url, "templates", "list", "--as", "agent1")
    assert [t["name"] for t in listed] == ["宽带通用"]
