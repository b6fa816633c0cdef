"""Where a setting comes from: init arguments, the environment, .env, careloop.toml, the
default, in that order; every variable name of the old reader still sets its field."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from careloop.config import OidcSettings, Settings, SettingsError


@pytest.fixture(autouse=True)
def bare(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No CARELOOP_* variable, and a working directory with no .env or careloop.toml."""
    for name in list(os.environ):
        if name.upper().startswith("CARELOOP_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_with_nothing_configured_every_setting_has_its_default():
    settings = Settings.from_env()
    assert settings.port == 8000 and settings.host == "127.0.0.1"
    assert settings.database_url == "sqlite:///var/careloop.sqlite3"
    assert settings.lang == "zh" and settings.notify == "recording"
    assert not settings.oidc.enabled and settings.oidc.role_map == ()


def test_every_variable_name_of_the_old_reader_still_sets_its_field(
    monkeypatch: pytest.MonkeyPatch,
):
    for name, value in {
        "CARELOOP_DATA_DIR": "/srv/careloop",
        "CARELOOP_PORT": "8081",
        "CARELOOP_SESSION_HOURS": "1.5",
        "CARELOOP_PUBLIC_API_DOCS": "1",
        "CARELOOP_LIVE_REFRESH_SECONDS": "0",
        "CARELOOP_LOG_FORMAT": " JSON ",
        "CARELOOP_LOG_LEVEL": "warning",
        "CARELOOP_LANG": "en_US.UTF-8",
        "CARELOOP_OIDC_ISSUER": "https://idp.example/realms/telecom/",
        "CARELOOP_OIDC_CLIENT_ID": "careloop",
        "CARELOOP_OIDC_CLIENT_SECRET": "s",
        "CARELOOP_OIDC_ROLE_MAP": '{"cn=agents,ou=groups": "agent", "/qa": "supervisor"}',
        "CARELOOP_OIDC_PROVISION": "1",
        "CARELOOP_OIDC_LEEWAY_SECONDS": "5",
        "CARELOOP_READY_TIMEOUT_SECONDS": "0.01",
        "CARELOOP_METRICS_TOKEN": "scrape",
        "CARELOOP_PUBLIC_URL": "https://careloop.example.cn/",
        "CARELOOP_NOTIFY": "live",
        "CARELOOP_SMTP_PORT": "2525",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_env()
    assert settings.database_url == "sqlite:////srv/careloop/careloop.sqlite3"
    assert settings.data_dir == Path("/srv/careloop")
    assert settings.port == 8081 and settings.session_hours == 1.5
    assert settings.public_api_docs is True
    assert settings.live_refresh_seconds == 1  # at least a second
    assert settings.log_format == "json" and settings.log_level == "WARNING"
    assert settings.lang == "en" and Settings.cli_language() == "en"
    assert settings.oidc.enabled and settings.oidc.provision and not settings.oidc.sync_claims
    assert settings.oidc.issuer == "https://idp.example/realms/telecom/"
    assert dict(settings.oidc.role_map) == {"cn=agents,ou=groups": "agent", "/qa": "supervisor"}
    assert settings.oidc.leeway_seconds == 5
    assert settings.ready_timeout_seconds == 0.1  # at least a tenth of a second
    assert settings.metrics_token == "scrape" and settings.smtp_port == 2525
    assert settings.notify == "live"
    assert settings.public_url == "https://careloop.example.cn/"


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CARELOOP_PORT", "")
    monkeypatch.setenv("CARELOOP_DATABASE_URL", "")
    monkeypatch.setenv("CARELOOP_OIDC_ROLE_MAP", "")
    settings = Settings.from_env()
    assert settings.port == 8000
    assert settings.database_url == "sqlite:///var/careloop.sqlite3"
    assert settings.oidc.role_map == ()


def test_the_environment_beats_dotenv_which_beats_toml_which_beats_the_default(
    monkeypatch: pytest.MonkeyPatch, bare: Path
):
    (bare / "careloop.toml").write_text(
        'port = 8003\nhost = "10.0.0.3"\ntimezone = "Asia/Urumqi"\n', "utf-8"
    )
    (bare / ".env").write_text(
        "CARELOOP_PORT=8002\nCARELOOP_HOST=10.0.0.2\nOTHER_PROGRAM=ignored\n", "utf-8"
    )
    monkeypatch.setenv("CARELOOP_PORT", "8001")
    settings = Settings.from_env()
    assert settings.port == 8001  # the environment
    assert settings.host == "10.0.0.2"  # .env
    assert settings.timezone == "Asia/Urumqi"  # careloop.toml
    assert settings.max_page_size == 200  # the default


def test_arguments_given_in_code_beat_every_source(monkeypatch: pytest.MonkeyPatch, bare: Path):
    (bare / "careloop.toml").write_text("port = 8003\n", "utf-8")
    monkeypatch.setenv("CARELOOP_PORT", "8001")
    assert Settings(port=9000).port == 9000


def test_the_toml_oidc_table_and_oidc_variables_merge(monkeypatch: pytest.MonkeyPatch, bare: Path):
    (bare / "careloop.toml").write_text(
        '[oidc]\nissuer = "https://idp.example"\nclient_id = "from-file"\n'
        'role_map = { "/careloop/hotline" = "agent" }\n',
        "utf-8",
    )
    monkeypatch.setenv("CARELOOP_OIDC_CLIENT_ID", "from-env")
    monkeypatch.setenv("CARELOOP_OIDC_CLIENT_SECRET", "s")
    oidc = Settings.from_env().oidc
    assert (oidc.issuer, oidc.client_id) == ("https://idp.example", "from-env")
    assert oidc.client_secret == "s"
    assert oidc.role_map == (("/careloop/hotline", "agent"),)


def test_careloop_config_file_names_another_toml_file(monkeypatch: pytest.MonkeyPatch, bare: Path):
    (bare / "careloop.toml").write_text("port = 8003\n", "utf-8")
    (bare / "site.toml").write_text("port = 8004\n", "utf-8")
    monkeypatch.setenv("CARELOOP_CONFIG_FILE", str(bare / "site.toml"))
    settings = Settings.from_env()
    assert settings.port == 8004 and settings.config_file == bare / "site.toml"


def test_a_named_config_file_that_is_missing_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("CARELOOP_CONFIG_FILE", "nowhere.toml")
    monkeypatch.setenv("CARELOOP_LANG", "en")
    with pytest.raises(SettingsError) as refused:
        Settings.from_env()
    line = "Settings error: CARELOOP_CONFIG_FILE: 'nowhere.toml' names no file"
    assert str(refused.value) == line


BAD_VALUES = [
    ("CARELOOP_PORT", "x", "is not a whole number", "应为整数"),
    ("CARELOOP_PORT", "0", "is below 1", "应不小于 1"),
    ("CARELOOP_MAX_BODY_BYTES", "2MiB", "is not a whole number", "应为整数"),
    ("CARELOOP_SESSION_HOURS", "long", "is not a number", "应为数字"),
    ("CARELOOP_PUBLIC_API_DOCS", "maybe", "is not 1 or 0", "应为 1 或 0"),
    ("CARELOOP_LOG_FORMAT", "xml", "is not one of text, json", "应为 text、json 之一"),
    ("CARELOOP_LOG_LEVEL", "loud", "is not one of DEBUG", "应为 DEBUG"),
    ("CARELOOP_NOTIFY", "sometimes", "is not one of recording, live", "应为 recording、live"),
    ("CARELOOP_SMTP_PORT", "smtp", "is not a whole number", "应为整数"),
    ("CARELOOP_CALLBACK_ATTEMPTS", "11", "is above 10", "应不大于 10"),
    ("CARELOOP_READY_TIMEOUT_SECONDS", "soon", "is not a number", "应为数字"),
    ("CARELOOP_OIDC_LEEWAY_SECONDS", "a minute", "is not a whole number", "应为整数"),
    ("CARELOOP_OIDC_PROVISION", "yes please", "is not 1 or 0", "应为 1 或 0"),
    ("CARELOOP_OIDC_ROLE_MAP", "[1]", "is not a JSON object", "应为 JSON 对象"),
    ("CARELOOP_OIDC_ROLE_MAP", "{admins: root", "is not a JSON object", "应为 JSON 对象"),
    ("CARELOOP_OIDC_ROLE_MAP", '{"admins": "root"}', "names roles CareLoop lacks: root", "root"),
]


@pytest.mark.parametrize(("name", "value", "english", "chinese"), BAD_VALUES)
def test_a_bad_value_is_one_line_naming_the_variable_and_the_value(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, english: str, chinese: str
):
    monkeypatch.setenv(name, value)
    monkeypatch.setenv("CARELOOP_LANG", "en")
    with pytest.raises(SettingsError) as refused:
        Settings.from_env()
    line = str(refused.value)
    assert "\n" not in line
    assert line.startswith(f"Settings error: {name}: {value!r} {english}")

    monkeypatch.delenv("CARELOOP_LANG")  # Chinese first
    with pytest.raises(SettingsError) as refused:
        Settings.from_env()
    line = str(refused.value)
    assert "\n" not in line
    assert line.startswith(f"配置错误：{name} ") and chinese in line and repr(value) in line


def test_several_bad_values_are_still_one_line(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CARELOOP_PORT", "x")
    monkeypatch.setenv("CARELOOP_OIDC_LEEWAY_SECONDS", "y")
    with pytest.raises(SettingsError) as refused:
        Settings.from_env()
    line = str(refused.value)
    assert "\n" not in line and "CARELOOP_PORT" in line and "CARELOOP_OIDC_LEEWAY_SECONDS" in line


def test_a_bad_value_from_the_toml_file_is_named_by_its_key_there(bare: Path):
    (bare / "careloop.toml").write_text('port = "x"\n[oidc]\nleeway_seconds = -1\n', "utf-8")
    with pytest.raises(SettingsError) as refused:
        Settings.from_env()
    line = str(refused.value)
    assert "careloop.toml: port 应为整数" in line
    assert "careloop.toml: oidc.leeway_seconds 应不小于 0" in line


def test_a_toml_file_that_does_not_parse_is_one_line_naming_the_file(bare: Path):
    (bare / "careloop.toml").write_text("port = [\n", "utf-8")
    with pytest.raises(SettingsError) as refused:
        Settings.from_env()
    assert str(refused.value).startswith("配置错误：careloop.toml: ")
    assert "\n" not in str(refused.value)


def test_the_cli_language_is_read_from_dotenv_even_when_another_setting_is_broken(
    monkeypatch: pytest.MonkeyPatch, bare: Path
):
    (bare / ".env").write_text("CARELOOP_LANG=en\nCARELOOP_PORT=x\n", "utf-8")
    assert Settings.cli_language() == "en"
    with pytest.raises(SettingsError, match=r"^Settings error: CARELOOP_PORT: 'x'"):
        Settings.from_env()


def test_settings_are_frozen_and_changed_by_a_copy():
    settings = Settings(database_url="sqlite://")
    with pytest.raises(ValidationError):
        settings.port = 1
    faster = settings.model_copy(update={"live_refresh_seconds": 1})
    assert faster.live_refresh_seconds == 1 and settings.live_refresh_seconds == 20


def test_a_role_map_given_as_json_text_is_checked_against_careloops_roles():
    assert OidcSettings(role_map='{"/qa": "supervisor"}').role_map == (("/qa", "supervisor"),)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="root"):
        OidcSettings(role_map='{"admins": "root"}')  # type: ignore[arg-type]


def test_settings_are_read_once_per_state_of_their_sources(
    monkeypatch: pytest.MonkeyPatch, bare: Path
):
    first = Settings.from_env()
    assert Settings.from_env() is first, "nothing changed: the same settings, not re-read"
    monkeypatch.setenv("CARELOOP_PORT", "8100")
    assert Settings.from_env().port == 8100
    (bare / ".env").write_text("CARELOOP_TIMEZONE=Asia/Urumqi\n", "utf-8")
    assert Settings.from_env().timezone == "Asia/Urumqi"
    (bare / "careloop.toml").write_text('host = "0.0.0.0"\n', "utf-8")
    assert Settings.from_env().host == "0.0.0.0"
    monkeypatch.setenv("CARELOOP_PORT", "x")
    with pytest.raises(SettingsError, match="CARELOOP_PORT"):
        Settings.from_env()
