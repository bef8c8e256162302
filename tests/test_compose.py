"""Checks of the deployment files: docker-compose.yml, Dockerfile and .env.example.

Plain tests: they parse the files and need neither Docker nor a database.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
SETTINGS = ROOT / "portal" / "settings.py"

SERVICES = ("web", "worker", "beat", "db", "redis")
APP_SERVICES = ("web", "worker", "beat")

# os.environ.get("X" / os.environ["X"] / os.getenv("X" / env_bool("X" / env_list("X"
ENV_READ = re.compile(
    r"""(?:os\.environ\.get|os\.getenv|env_bool|env_list|env_int)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""
)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def environment_of(service: dict) -> dict[str, str]:
    """The service's `environment`, as a mapping whichever form the file uses."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) for item in env)
        return {pair[0]: (pair[1] if len(pair) > 1 else "") for pair in pairs}
    return {key: "" if value is None else str(value) for key, value in env.items()}


def depends_on_of(service: dict) -> dict[str, dict]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: {} for name in deps}
    return deps


def command_text(command) -> str:
    return " ".join(command) if isinstance(command, list) else str(command or "")


def env_example_names() -> set[str]:
    """Names given a value in .env.example, whether the line is active or commented out."""
    names = set()
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^\s*#?\s*(?:export\s+)?([A-Z][A-Z0-9_]*)=", line)
        if match:
            names.add(match.group(1))
    return names


def settings_env_names() -> set[str]:
    return {a or b for a, b in ENV_READ.findall(SETTINGS.read_text())}


# --- docker-compose.yml -------------------------------------------------------------


def test_compose_defines_every_service(services):
    for name in SERVICES:
        assert name in services, f"docker-compose.yml has no service {name!r}"


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_has_a_healthcheck(services, name):
    healthcheck = services[name].get("healthcheck")
    assert healthcheck, f"service {name!r} has no healthcheck"
    assert not healthcheck.get("disable"), f"service {name!r} disables its healthcheck"
    test = healthcheck.get("test")
    assert test, f"service {name!r} healthcheck has no test command"
    if isinstance(test, list):
        assert test[0] in {"CMD", "CMD-SHELL"}, f"{name!r} healthcheck test: {test!r}"
        assert len(test) > 1 and all(str(part).strip() for part in test[1:])
    else:
        assert str(test).strip()


def test_web_waits_for_healthy_db_and_redis(services):
    deps = depends_on_of(services["web"])
    for name in ("db", "redis"):
        assert name in deps, f"web does not depend on {name}"
        assert deps[name].get("condition") == "service_healthy", (
            f"web should wait for {name} with condition service_healthy"
        )


@pytest.mark.parametrize("name", ("worker", "beat"))
def test_celery_services_wait_for_db_and_redis(services, name):
    deps = depends_on_of(services[name])
    for dep in ("db", "redis"):
        assert dep in deps, f"{name} does not depend on {dep}"


@pytest.mark.parametrize("name", ("db", "redis"))
def test_stateful_services_use_declared_named_volumes(compose, services, name):
    declared = compose.get("volumes") or {}
    named = []
    for volume in services[name].get("volumes") or []:
        source = volume.get("source") if isinstance(volume, dict) else volume.split(":", 1)[0]
        if source and not source.startswith((".", "/", "~", "$")):
            named.append(source)
    assert named, f"service {name!r} keeps its data in no named volume"
    for source in named:
        assert source in declared, f"volume {source!r} of {name!r} is not declared at top level"


def test_db_volume_holds_postgres_data(services):
    targets = [
        volume.get("target") if isinstance(volume, dict) else volume.split(":")[1]
        for volume in services["db"]["volumes"]
    ]
    assert "/var/lib/postgresql/data" in targets


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_database_and_redis_urls(services, name):
    env = environment_of(services[name])
    assert env.get("DATABASE_URL", "").startswith("postgres"), f"{name}: DATABASE_URL"
    assert "@db:5432/" in env["DATABASE_URL"], f"{name}: DATABASE_URL should point at db"
    assert env.get("REDIS_URL", "").startswith("redis://redis:6379"), f"{name}: REDIS_URL"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_run_without_debug_and_read_env_file(services, name):
    service = services[name]
    assert environment_of(service).get("DEBUG", "").lower() == "false"
    env_file = service.get("env_file")
    files = env_file if isinstance(env_file, list) else [env_file]
    paths = [item.get("path") if isinstance(item, dict) else item for item in files]
    assert ".env" in paths, f"{name} should read .env"


def test_web_migrates_then_serves_with_gunicorn(services):
    web = services["web"]
    assert "build" in web
    command = command_text(web.get("command"))
    assert "migrate --noinput" in command
    assert "gunicorn" in command and "portal.wsgi:application" in command
    assert command.index("migrate") < command.index("gunicorn")
    assert any(str(port).startswith("8000:8000") for port in web.get("ports", []))
    assert "/healthz/" in command_text(web["healthcheck"]["test"])


def test_worker_and_beat_commands(services):
    worker = command_text(services["worker"]["command"])
    assert "celery -A portal worker" in worker
    beat = command_text(services["beat"]["command"])
    assert "celery -A portal beat" in beat
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat
    assert "inspect ping" in command_text(services["worker"]["healthcheck"]["test"])


def test_db_and_redis_images(services):
    assert str(services["db"]["image"]).startswith("postgres:15")
    assert str(services["redis"]["image"]).startswith("redis:7")
    assert "pg_isready" in command_text(services["db"]["healthcheck"]["test"])
    assert "redis-cli" in command_text(services["redis"]["healthcheck"]["test"])
    assert "ping" in command_text(services["redis"]["healthcheck"]["test"])


# --- .env.example -------------------------------------------------------------------


def test_settings_read_the_environment():
    # Guards the regex below: if it finds nothing, the next test would pass vacuously.
    names = settings_env_names()
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= names, names


def test_env_example_names_every_setting_variable():
    missing = sorted(settings_env_names() - env_example_names())
    assert not missing, f".env.example does not mention: {', '.join(missing)}"


def test_env_example_names_compose_variables():
    names = env_example_names()
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE_FILE.read_text()))
    missing = sorted(interpolated - names)
    assert not missing, f".env.example does not mention: {', '.join(missing)}"


# --- Dockerfile ---------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = DOCKERFILE.read_text()
    logical, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        logical.append(current)
        current = ""
    if current:
        logical.append(current)
    pairs = []
    for line in logical:
        instruction, _, arguments = line.partition(" ")
        pairs.append((instruction.upper(), arguments.strip()))
    return pairs


def test_dockerfile_cmd_runs_gunicorn_with_portal_wsgi():
    cmds = [args for instruction, args in dockerfile_instructions() if instruction == "CMD"]
    assert cmds, "Dockerfile has no CMD"
    cmd = cmds[-1]
    argv = json.loads(cmd) if cmd.startswith("[") else shlex.split(cmd)
    assert argv[0].endswith("gunicorn"), argv
    assert "portal.wsgi:application" in argv, argv
    assert "0.0.0.0:8000" in " ".join(argv), argv


def test_dockerfile_builds_a_non_root_python_image():
    instructions = dockerfile_instructions()
    froms = [args for instruction, args in instructions if instruction == "FROM"]
    assert froms and froms[0].startswith("python:3.11-slim")
    users = [args for instruction, args in instructions if instruction == "USER"]
    assert users and users[-1] not in {"root", "0"}
    runs = " ".join(args for instruction, args in instructions if instruction == "RUN")
    assert "scripts/requirements.py" in runs
    assert "collectstatic" in runs
