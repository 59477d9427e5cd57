"""A bare Debian machine: the system check before `make`, PDFs without libharfbuzz-subset0,
`make demo PORT=...` links, and derandomized property tests."""

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from ee_portal import syslibs

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "ee_portal" / "syslibs.py"
needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _run(argv: list[str], *, check: bool = False, **extra: str | None):
    """Run `argv` in the checkout with this process's environment, less pytest-django's
    settings module (manage.py picks its own), plus `extra` (None removes a variable)."""
    drop = {"DJANGO_SETTINGS_MODULE", "MAKEFLAGS", "MAKELEVEL"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env = {k: v for k, v in {**env, **extra}.items() if v is not None}
    return subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=check
    )


def _syslibs(*args: str) -> subprocess.CompletedProcess:
    # -I: the system Python runs it as a file, with nothing of ours on sys.path.
    return _run([sys.executable, "-I", str(SCRIPT), *args])


# --- WeasyPrint's import-time deprecation warning ------------------------------------------

# Runs in a fresh interpreter with every warning an error (pyproject's filterwarnings) and
# libharfbuzz-subset hidden from cffi, whether or not this machine has it.
WITHOUT_HARFBUZZ_SUBSET = """
import sys, warnings
import cffi

real_dlopen = cffi.FFI.dlopen

def dlopen(self, name, *args, **kwargs):
    if "harfbuzz-subset" in str(name):
        raise OSError(f"{name}: hidden by the test")
    return real_dlopen(self, name, *args, **kwargs)

cffi.FFI.dlopen = dlopen
warnings.simplefilter("error")
import django
django.setup()
from reviews.pdf import render_pdf
import weasyprint.text.ffi
assert weasyprint.text.ffi.harfbuzz_subset is None
pdf = render_pdf(template="pdf/base.html", context={})
assert pdf.startswith(b"%PDF"), pdf[:20]
print("rendered", len(pdf), "bytes")
"""


def test_pdf_module_imports_and_renders_without_harfbuzz_subset_with_warnings_as_errors():
    result = _run(
        [sys.executable, "-c", WITHOUT_HARFBUZZ_SUBSET],
        DJANGO_SETTINGS_MODULE="ee_portal.settings.test",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "rendered" in result.stdout


# --- the system check (ee_portal/syslibs.py) -------------------------------------------------


def test_system_check_passes_here():
    # The suite renders PDFs, so WeasyPrint's libraries are here; NOTE lines may follow.
    result = _syslibs("--venv", str(ROOT / ".venv"))
    assert result.returncode == 0, result.stdout
    assert all(line.startswith("NOTE: ") for line in result.stdout.splitlines())


def test_a_missing_required_library_stops_with_the_apt_get_line():
    result = _syslibs("--require", "ee-no-such-library=libee-no-such0")
    assert result.returncode == 1
    first, apt = result.stdout.splitlines()
    assert first.startswith("ERROR: missing ee-no-such-library (for a command-line request)")
    assert apt.strip() == "apt-get install libee-no-such0"


def test_a_missing_recommended_library_is_a_note_only():
    result = _syslibs("--recommend", "ee-no-such-library=libee-no-such0")
    assert result.returncode == 0
    assert (
        "NOTE: ee-no-such-library not found, recommended for a command-line request: "
        "apt-get install libee-no-such0"
    ) in result.stdout


def test_python3_venv_is_required_only_to_create_the_venv(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(syslibs.importlib.util, "find_spec", lambda name: None)
    assert syslibs.check(list(syslibs.REQUIRED), [], venv=tmp_path) == 1
    assert capsys.readouterr().out.splitlines()[1].strip() == "apt-get install python3-venv"
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "python").touch()
    assert syslibs.check(list(syslibs.REQUIRED), [], venv=tmp_path) == 0


def test_where_prints_the_file_the_loader_opens():
    result = _syslibs("--where", "harfbuzz")
    path = Path(result.stdout.strip())
    assert path.is_absolute()
    assert path.is_file()
    assert path.name.startswith("libharfbuzz.so")


def test_system_check_imports_only_the_standard_library():
    tree = ast.parse(SCRIPT.read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported
    assert imported <= sys.stdlib_module_names


def test_readme_lists_the_packages_the_check_asks_for():
    readme = (ROOT / "README.md").read_text()
    required = " ".join(lib.package for lib in syslibs.REQUIRED)
    recommended = " ".join(lib.package for lib in syslibs.RECOMMENDED)
    assert f"apt-get install {required}\n" in readme
    assert f"apt-get install {recommended}\n" in readme


def test_dockerfile_installs_the_libraries_the_check_asks_for():
    dockerfile = (ROOT / "Dockerfile").read_text()
    installed = set(re.findall(r"apt-get install[^&]*", dockerfile)[0].split())
    libraries = {lib.package for lib in syslibs.REQUIRED if lib.names}
    assert libraries | {"libharfbuzz-subset0"} <= installed
    assert "python -I ee_portal/syslibs.py" in dockerfile


@needs_make
@pytest.mark.parametrize("target", ["install", "test", "demo"])
def test_make_runs_the_system_check_first(target):
    commands = _make_n(target).splitlines()
    assert "ee_portal/syslibs.py" in commands[0]


# --- make demo PORT=... ----------------------------------------------------------------------


def _make_n(*args: str, **env: str | None) -> str:
    return _run(["make", "-n", *args], check=True, **env).stdout


def _site_url_seen_by(command: str) -> str:
    """Run `command` (a `manage.py` line from `make -n demo`) as make would, but asking the
    settings for EE_SITE_URL instead of seeding or serving."""
    environment, _manage = command.split(".venv/bin/python manage.py")
    extra = dict(re.findall(r"(\w+)='?([^' ]*)'?", environment))
    script = "from django.conf import settings; print(settings.EE_SITE_URL)"
    argv = [sys.executable, "manage.py", "shell", "--no-imports", "-c", script]
    return _run(argv, check=True, **extra).stdout.strip()


def _manage_lines(output: str) -> list[str]:
    return [
        line for line in output.splitlines() if "manage.py seed_demo" in line or "runserver" in line
    ]


@needs_make
def test_make_demo_links_follow_the_port():
    seed, serve = _manage_lines(_make_n("demo", "PORT=8100", EE_SITE_URL=None))
    assert serve.endswith("runserver 127.0.0.1:8100")
    for line in (seed, serve):
        assert "EE_SITE_URL='http://127.0.0.1:8100'" in line
    assert _site_url_seen_by(seed) == "http://127.0.0.1:8100"


@needs_make
def test_make_demo_on_every_interface_links_to_loopback():
    seed, serve = _manage_lines(_make_n("demo", "HOST=0.0.0.0", "PORT=8100", EE_SITE_URL=""))
    assert serve.endswith("runserver 0.0.0.0:8100")
    assert "EE_SITE_URL='http://127.0.0.1:8100'" in seed


@needs_make
def test_make_demo_keeps_an_explicit_site_url():
    output = _make_n("demo", "PORT=8100", EE_SITE_URL="https://ee.example.org")
    seed, _serve = _manage_lines(output)
    assert _site_url_seen_by(seed) == "https://ee.example.org"


# --- property tests --------------------------------------------------------------------------


@pytest.mark.skipif(
    os.environ.get("HYPOTHESIS_PROFILE", "ci") != "ci", reason="another profile was chosen"
)
def test_property_tests_run_derandomized_by_default():
    current = hypothesis_settings()
    assert current.derandomize is True
    assert current.database is None
    assert current.print_blob is True
