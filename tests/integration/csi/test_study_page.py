"""The /csi pages over HTTP (the browser's view is tests/e2e/test_csi_page.py): who may use
them, what a refused upload answers, and how the reports are served."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.conftest import LiveServer
from tests.integration.web.helpers import csrf_token, web_client
from tests.unit.services.csi.synthetic import SHIPPED_CSV

YAML_MODEL = """
latent:
  Quality: {items: [PERQ1, PERQ2, PERQ3], label_zh: 感知质量}
  Satisfaction: {items: [CUSA1, CUSA2, CUSA3]}
paths: [[Quality, Satisfaction]]
"""


def _run(client, **form: str):  # type: ignore[no-untyped-def]
    files = {"data": ("survey.csv", SHIPPED_CSV.read_bytes(), "text/csv")}
    if "yaml" in form:
        files["model_file"] = ("mine.yaml", form.pop("yaml").encode(), "application/yaml")
    data = {"csrf_token": csrf_token(client, "/csi"), "bootstrap": "0", **form}
    return client.post("/csi", data=data, files=files)


def test_a_supervisor_runs_a_study_and_downloads_its_reports(server: LiveServer) -> None:
    client = web_client(server.url, "super1")
    made = _run(client, title="年度测评", weight="weight", strata="operator")
    assert made.status_code == 303, made.text
    page = made.headers["location"]
    shown = client.get(page)
    assert shown.status_code == 200 and "年度测评" in shown.text and "运营商" in shown.text
    html = client.get(f"{page}/report.html")
    assert html.headers["content-type"].startswith("text/html")
    assert "attachment" in html.headers["content-disposition"]
    assert "script-src" not in html.headers["content-security-policy"]
    assert "用户满意度指数测评报告" in html.text
    xlsx = client.get(f"{page}/report.xlsx")
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "概要"
    assert "年度测评" in client.get("/csi").text


def test_an_uploaded_yaml_model_is_used(server: LiveServer) -> None:
    client = web_client(server.url, "super1")
    made = _run(client, model="yaml", yaml=YAML_MODEL)
    assert made.status_code == 303, made.text
    shown = client.get(made.headers["location"]).text
    assert "感知质量" in shown and "mine" in shown


def test_a_refused_upload_says_why_in_the_readers_language(server: LiveServer) -> None:
    zh = _run(web_client(server.url, "super1"), model="yaml", yaml="latent: [")
    assert zh.status_code == 422
    assert "模型文件「mine.yaml」不是有效的 YAML" in zh.text
    en = _run(web_client(server.url, "super1", lang="en"), strata="city")
    assert en.status_code == 422 and "the file has no strata column named: city" in en.text


def test_the_desk_is_refused_and_strangers_are_sent_to_log_in(server: LiveServer) -> None:
    agent = web_client(server.url, "agent1")
    assert agent.get("/csi").status_code == 403
    assert _run(web_client(server.url, "super1")).status_code == 303
    assert agent.get("/csi/studies/1").status_code == 403
    assert agent.get("/csi/studies/1/report.xlsx").status_code == 403
    stranger = web_client(server.url)
    answer = stranger.get("/csi/studies/1")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_a_study_outside_ones_scope_does_not_exist(server: LiveServer) -> None:
    made = _run(web_client(server.url, "super1"))
    page = made.headers["location"]
    lead = web_client(server.url, "lead1")  # a city's lead: the province's study is not theirs
    assert lead.get(page).status_code == 404
    assert lead.get(f"{page}/report.html").status_code == 404
    assert "满意度测评不存在" in lead.get(page).text


def test_a_form_without_its_token_is_refused(server: LiveServer) -> None:
    client = web_client(server.url, "super1")
    files = {"data": ("survey.csv", SHIPPED_CSV.read_bytes(), "text/csv")}
    assert client.post("/csi", data={"bootstrap": "0"}, files=files).status_code == 403
