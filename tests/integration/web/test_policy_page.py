"""The service commitments' page: the policies in words, and the form that adds a policy or
its next version with the repeat and urban/rural terms, refusing in words people read."""

from __future__ import annotations

import re

from tests.conftest import LiveServer
from tests.integration.web.helpers import post_form, web_client

FORM = {
    "code": "REPEAT-RURAL",
    "name": "农村重复投诉4小时答复",
    "rank": "5",
    "reply_limit": "4小时",
    "match_repeat": "yes",
    "match_area": "rural",
}


def _banner(html: str) -> str:
    found = re.search(r'<div class="banner error" role="alert">(.*?)</div>', html, re.S)
    assert found, "no error banner"
    return found.group(1)


def _row(html: str, code: str) -> str:
    found = re.search(rf'<tr data-code="{code}">(.*?)</tr>', html, re.S)
    assert found, f"no row for {code}"
    return found.group(1)


def test_a_supervisor_adds_a_repeat_policy_for_rural_regions_and_edits_it(server: LiveServer):
    web = web_client(server.url, "super1")
    page = web.get("/policies").text
    assert "服务承诺" in page and 'href="/policies"' in page
    assert "15 个自然日" in _row(page, "default") and "全部投诉" in _row(page, "default")

    saved = post_form(web, "/policies", **FORM)
    assert saved.status_code == 303
    assert saved.headers["location"] == "/policies?code=REPEAT-RURAL&done=policy_saved"
    listed = web.get(saved.headers["location"]).text
    row = _row(listed, "REPEAT-RURAL")
    assert "仅重复投诉" in row and "城乡：农村" in row and "4 小时" in row and "第 1 版" in row
    assert "服务承诺已保存" in listed
    # The edit form comes back filled from the current version.
    assert re.search(r'<option value="yes" selected>只适用重复投诉', listed)
    assert re.search(r'<option value="rural" selected>农村', listed)
    assert 'name="reply_limit" autocomplete="off" value="4小时"' in listed

    # A new version: any complaint, not only repeats; a blank limit keeps the current one.
    edited = post_form(web, "/policies", **{**FORM, "match_repeat": "", "reply_limit": ""})
    assert edited.status_code == 303
    again = web.get("/policies?code=REPEAT-RURAL").text
    row = _row(again, "REPEAT-RURAL")
    assert "第 2 版" in row and "仅重复投诉" not in row and "4 小时" in row
    assert not re.search(r'<option value="yes" selected>只适用重复投诉', again)


def test_the_form_refuses_in_words_and_keeps_what_was_typed(server: LiveServer):
    web = web_client(server.url, "super1")
    bad_area = post_form(web, "/policies", **{**FORM, "match_area": "town"})
    assert bad_area.status_code == 422
    banner = _banner(bad_area.text)
    assert "适用城乡" in banner and "农村" in banner and "match_area" not in banner
    assert 'value="农村重复投诉4小时答复"' in bad_area.text
    bad_limit = post_form(web, "/policies", **{**FORM, "reply_limit": "四个钟头"})
    assert bad_limit.status_code == 422
    assert "答复时限" in _banner(bad_limit.text) and "limits" not in _banner(bad_limit.text)
    english = web_client(server.url, "super1", lang="en")
    refused = post_form(english, "/policies", **{**FORM, "match_area": "town"})
    assert "urban or rural matched" in _banner(refused.text)


def test_an_agent_reads_the_commitments_but_may_not_change_them(server: LiveServer):
    agent = web_client(server.url, "agent1")
    page = agent.get("/policies")
    assert page.status_code == 200 and 'action="/policies"' not in page.text
    refused = post_form(agent, "/policies", **FORM)
    assert refused.status_code == 403 and _banner(refused.text)
    assert "服务承诺" not in agent.get("/agent/queue").text  # not in an agent's navigation
