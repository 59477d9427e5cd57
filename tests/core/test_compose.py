"""No Docker engine runs here, so the production shape is checked by reading it."""

import importlib.util
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command(service: dict) -> str:
    command = service.get("command")
    return " ".join(command) if isinstance(command, list) else (command or "")


def _module_exists(dotted: str) -> bool:
    return importlib.util.find_spec(dotted) is not None


def test_compose_has_the_production_services():
    assert set(COMPOSE["services"]) == {
        "web",
        "worker",
        "beat",
        "db",
        "redis",
        "clamav",
        "mailpit",
    }


def test_compose_app_services_share_one_dockerfile():
    for name in ("web", "worker", "beat"):
        service = COMPOSE["services"][name]
        assert service["build"] == "."
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:")
    assert (ROOT / "Dockerfile").is_file()


def test_compose_commands_name_modules_and_files_that_exist():
    web = _command(COMPOSE["services"]["web"])
    assert (ROOT / "manage.py").is_file()
    assert "manage.py migrate" in web
    (wsgi,) = re.findall(r"gunicorn (\S+):application", web)
    assert _module_exists(wsgi)
    for name in ("worker", "beat"):
        command = _command(COMPOSE["services"][name])
        (app,) = re.findall(r"celery -A (\S+) (?:worker|beat)", command)
        assert _module_exists(f"{app}.celery_app")


def test_compose_dockerfile_default_command_is_importable():
    dockerfile = (ROOT / "Dockerfile").read_text()
    (wsgi,) = re.findall(r'"gunicorn", "(\S+):application"', dockerfile)
    assert _module_exists(wsgi)


def test_env_example_lists_every_variable_the_settings_read():
    settings_src = (ROOT / "ee_portal" / "settings" / "base.py").read_text()
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z0-9_]+)"', settings_src))
    read |= set(re.findall(r'_required\("([A-Z0-9_]+)"', settings_src))
    example = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert read - example == set()


def _bytes(size: str) -> int:
    """clamd.conf sizes: 210M, 400M, 1G, or plain bytes."""
    units = {"K": 1024, "M": 1024**2, "G": 1024**3}
    return int(size[:-1]) * units[size[-1].upper()] if size[-1].isalpha() else int(size)


def test_compose_runs_clamav_for_the_app_services():
    clamav = COMPOSE["services"]["clamav"]
    assert clamav["image"].startswith("clamav/clamav:")  # the official image, with freshclam
    assert any(v.endswith(":/var/lib/clamav") for v in clamav["volumes"])  # signatures kept
    assert clamav["volumes"][0].split(":")[0] in COMPOSE["volumes"]
    assert "clamdcheck.sh" in clamav["healthcheck"]["test"]
    # clamd must accept a stream as large as the largest upload, or large uploads are refused.
    limit = _bytes(clamav["environment"]["CLAMD_CONF_StreamMaxLength"])
    assert limit >= 200 * 1024**2
    assert _bytes(clamav["environment"]["CLAMD_CONF_MaxFileSize"]) >= limit
    for name in ("web", "worker"):
        service = COMPOSE["services"][name]
        assert service["environment"]["EE_CLAMD_URL"] == "tcp://clamav:3310"
        assert "clamav" in service["depends_on"]
