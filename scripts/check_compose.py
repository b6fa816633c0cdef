"""Check compose.yaml and the Dockerfile against the code they start, and optionally start
them: `python scripts/check_compose.py [--compose FILE] [--dockerfile FILE] [--up]`.

Without a container runtime the checks are static and still catch what breaks a deployment:
a command or option the `careloop` CLI does not have, an environment variable CareLoop never
reads, a secret written into the file, the API or worker starting before the migration, a
probe path the app does not serve, an image that runs as root or carries a compiler. With
Docker (and its compose plugin) it also runs `docker compose config`; `--up` builds the
image, starts everything and waits for /readyz, then removes it all again.
Exit status: 0 all good, 1 a finding, 2 `--up` asked for but no runtime to run it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN")
BUILD_TOOLS = ("gcc", "g++", "build-essential", "make", "clang")


def careloop_commands() -> dict[str, set[str]]:
    """Every `careloop` subcommand path (e.g. "serve", "sla sweep") → its option names."""
    import typer

    from careloop.cli.main import app

    found: dict[str, set[str]] = {}

    def walk(command: Any, path: tuple[str, ...]) -> None:
        # Typer carries its own copy of click: read groups by shape, not by class.
        subcommands = getattr(command, "commands", None)
        if subcommands is not None:
            for name, sub in subcommands.items():
                walk(sub, (*path, name))
            return
        options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
        found[" ".join(path)] = options

    walk(typer.main.get_command(app), ())
    return found


def variables_read() -> set[str]:
    """CARELOOP_* names that CareLoop's source mentions (the settings read nothing else)."""
    names: set[str] = set()
    for path in (ROOT / "src" / "careloop").rglob("*.py"):
        names.update(re.findall(r"CARELOOP_[A-Z0-9_]+", path.read_text(encoding="utf-8")))
    # The settings' variables are fields of one model, named by the model rather than spelled.
    from careloop.config import environment_variables

    return names | environment_variables()


def app_paths() -> set[str]:
    """The paths the app serves, read from its routes (no database is touched)."""
    src = (ROOT / "src" / "careloop").rglob("*.py")
    paths: set[str] = set()
    for path in src:
        text = path.read_text(encoding="utf-8")
        paths.update(re.findall(r"""\.(?:get|api_route|add_api_route)\(\s*["'](/[^"']*)""", text))
    return paths


def _command_words(command: list[str]) -> tuple[str, list[str]]:
    """The subcommand (the words before the first option) and the options named."""
    first = next((i for i, w in enumerate(command) if w.startswith("-")), len(command))
    options = [w.split("=", 1)[0] for w in command if w.startswith("--")]
    return " ".join(command[:first]), options


def check_compose(compose: dict[str, Any]) -> list[str]:
    findings: list[str] = []
    services: dict[str, Any] = compose.get("services") or {}
    for needed in ("db", "migrate", "api", "worker"):
        if needed not in services:
            findings.append(f"service '{needed}' is missing")
    commands = careloop_commands()
    known_vars = variables_read()
    for name, service in services.items():
        env = service.get("environment") or {}
        if isinstance(env, list):
            env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
        for key, value in env.items():
            if any(word in key for word in SECRET_WORDS) and value and "${" not in str(value):
                findings.append(f"{name}: {key} is written into the file; pass it as ${{{key}}}")
            if key.startswith("CARELOOP_") and key not in known_vars:
                findings.append(f"{name}: CareLoop reads no variable {key}")
        url = str(env.get("CARELOOP_DATABASE_URL", ""))
        if url and not url.startswith("postgresql+psycopg://"):
            findings.append(f"{name}: CARELOOP_DATABASE_URL must be postgresql+psycopg://…")
        if service.get("build") is None or "command" not in service:
            continue
        command = [str(word) for word in service["command"]]
        words, options = _command_words(command)
        target = words if words in commands else words.split(" ")[0]
        if target not in commands:
            findings.append(f"{name}: `careloop {words}` is not a command")
            continue
        for option in options:
            if option not in commands[target]:
                findings.append(f"{name}: `careloop {target}` has no option {option}")
    findings += _check_order(services)
    findings += _check_probes(services)
    if "db" in services:
        volumes = [str(v) for v in services["db"].get("volumes") or []]
        if not any(v.split(":")[0] in (compose.get("volumes") or {}) for v in volumes):
            findings.append(
                "db: the database is not on a named volume (it would die with the container)"
            )
    return findings


def _depends(service: dict[str, Any], on: str) -> str | None:
    depends = service.get("depends_on") or {}
    if isinstance(depends, list):
        return "service_started" if on in depends else None
    entry = depends.get(on)
    return (entry or {}).get("condition", "service_started") if entry is not None else None


def _check_order(services: dict[str, Any]) -> list[str]:
    findings = []
    if "migrate" in services and _depends(services["migrate"], "db") != "service_healthy":
        findings.append("migrate: must wait for db to be healthy (depends_on condition)")
    for name in ("api", "worker"):
        if name in services and _depends(services[name], "migrate") != (
            "service_completed_successfully"
        ):
            findings.append(f"{name}: must start after migrate completed successfully")
    return findings


def _check_probes(services: dict[str, Any]) -> list[str]:
    findings = []
    paths = app_paths()
    for name, service in services.items():
        test = " ".join(str(w) for w in (service.get("healthcheck") or {}).get("test") or [])
        for probe in re.findall(r"127\.0\.0\.1:\d+(/[A-Za-z0-9_/-]*)", test):
            if probe not in paths:
                findings.append(
                    f"{name}: the health check asks {probe}, which the app does not serve"
                )
    return findings


def check_dockerfile(text: str) -> list[str]:
    findings = []
    stages = re.split(r"(?im)^FROM\s", text)
    final = stages[-1]
    users = re.findall(r"(?im)^USER\s+(\S+)", final)
    if not users or users[-1] in ("root", "0"):
        findings.append("Dockerfile: the final stage must run as a non-root USER")
    installs = " ".join(re.findall(r"(?is)apt-get install(.*?)(?:&&|$)", final))
    for tool in BUILD_TOOLS:
        if re.search(rf"(?<![\w-]){re.escape(tool)}(?![\w-])", installs):
            findings.append(f"Dockerfile: the runtime image installs the build tool {tool}")
    if "fonts-noto-cjk" not in installs:
        findings.append("Dockerfile: the runtime image lacks fonts-noto-cjk (Chinese charts)")
    paths = app_paths()
    for probe in re.findall(r"127\.0\.0\.1:\d+(/[A-Za-z0-9_/-]*)", final):
        if probe not in paths:
            findings.append(f"Dockerfile: HEALTHCHECK asks {probe}, which the app does not serve")
    return findings


def compose_cli() -> list[str] | None:
    """`docker compose` (the plugin) or `docker-compose`, whichever answers; None if neither."""
    for cli in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(cli[0]) is None:
            continue
        done = subprocess.run([*cli, "version"], capture_output=True, text=True)
        if done.returncode == 0:
            return cli
    return None


def runtime_up() -> bool:
    return shutil.which("docker") is not None and (
        subprocess.run(["docker", "info"], capture_output=True).returncode == 0
    )


def start_and_wait(cli: list[str], compose_file: Path, timeout: float = 600) -> list[str]:
    env = {
        **os.environ,
        "POSTGRES_PASSWORD": os.environ.get("POSTGRES_PASSWORD", "careloop-check"),
        "CARELOOP_SECRET_KEY": os.environ.get("CARELOOP_SECRET_KEY", "check-" + "0" * 58),
    }
    base = [*cli, "-f", str(compose_file), "-p", "careloop-check"]
    try:
        subprocess.run([*base, "up", "-d", "--build"], check=True, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen("http://127.0.0.1:8000/readyz", timeout=5) as r:
                    if r.status == 200:
                        return []
            except OSError:
                pass
            time.sleep(3)
        subprocess.run([*base, "logs", "--tail", "80"], env=env)
        return [f"the stack did not become ready within {timeout:.0f} s"]
    finally:
        subprocess.run([*base, "down", "-v"], env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compose", type=Path, default=ROOT / "compose.yaml")
    parser.add_argument("--dockerfile", type=Path, default=ROOT / "Dockerfile")
    parser.add_argument("--up", action="store_true", help="build, start, wait for /readyz, remove")
    args = parser.parse_args(argv)
    compose = yaml.safe_load(args.compose.read_text(encoding="utf-8"))
    findings = check_compose(compose) + check_dockerfile(args.dockerfile.read_text("utf-8"))
    cli = compose_cli()
    if cli is not None and not findings:
        env = {**os.environ, "POSTGRES_PASSWORD": "x", "CARELOOP_SECRET_KEY": "x"}
        done = subprocess.run(
            [*cli, "-f", str(args.compose), "config", "-q"], capture_output=True, text=True, env=env
        )
        if done.returncode != 0:
            findings.append(f"docker compose config: {done.stderr.strip()}")
    for finding in findings:
        print(finding)
    if findings:
        return 1
    print(
        f"{args.compose.name} and {args.dockerfile.name}: no findings"
        + ("" if cli else " (no docker compose here: static checks only)")
    )
    if args.up:
        if cli is None or not runtime_up():
            print("--up: no container runtime answers here (docker info failed)")
            return 2
        problems = start_and_wait(cli, args.compose)
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
