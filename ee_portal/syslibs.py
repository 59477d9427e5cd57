"""System check run by `make install`, `make test` and `make demo` before anything else.

    python3 ee_portal/syslibs.py        # exit 1 and an apt-get line if a required one is missing
    python3 ee_portal/syslibs.py --where harfbuzz-subset  # the file the dynamic loader would open

Standard library only: it runs with the system Python, before .venv exists, so it is run as a
file rather than `-m ee_portal.syslibs` (the package's __init__ imports Celery) and it must
never import Django or anything installed by pip.

Libraries are looked up as WeasyPrint 70 does (weasyprint/text/ffi.py, through cffi's dlopen):
each of the same names is dlopen'ed as given, then through ctypes.util.find_library. Names and
Debian package names are for Debian 12 (bookworm); README "System requirements" lists them.
"""

import argparse
import ctypes
import ctypes.util
import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Library:
    key: str  # what --require/--where call it
    package: str  # the Debian package that installs it
    why: str
    names: tuple[str, ...] = ()  # dlopen names, in WeasyPrint's order (empty: not a library)
    executable: str = ""  # or a program that must exist


REQUIRED = (
    Library(
        "pango-1.0",
        "libpango-1.0-0",
        "WeasyPrint's PDFs",
        ("libpango-1.0-0", "pango-1.0-0", "pango-1.0", "libpango-1.0.so.0"),
    ),
    Library(
        "pangoft2-1.0",
        "libpangoft2-1.0-0",
        "WeasyPrint's PDFs",
        ("libpangoft2-1.0-0", "pangoft2-1.0-0", "pangoft2-1.0", "libpangoft2-1.0.so.0"),
    ),
    Library(
        "harfbuzz",
        "libharfbuzz0b",
        "WeasyPrint's PDFs",
        ("libharfbuzz-0", "harfbuzz", "harfbuzz-0.0", "libharfbuzz.so.0"),
    ),
    Library(
        "fontconfig",
        "libfontconfig1",
        "WeasyPrint's PDFs",
        ("libfontconfig-1", "fontconfig-1", "fontconfig", "libfontconfig.so.1"),
    ),
    Library(
        "gobject-2.0",
        "libglib2.0-0",
        "WeasyPrint's PDFs",
        ("libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0", "libgobject-2.0.so.0"),
    ),
    # Debian leaves ensurepip out of python3.11 itself; without it `python3 -m venv` fails.
    Library("ensurepip", "python3-venv", "creating .venv"),
)

RECOMMENDED = (
    Library(
        "harfbuzz-subset",
        "libharfbuzz-subset0",
        "smaller PDFs (WeasyPrint embeds only the glyphs used)",
        (
            "libharfbuzz-subset-0",
            "harfbuzz-subset",
            "harfbuzz-subset-0.0",
            "libharfbuzz-subset.so.0",
        ),
    ),
    Library(
        "chromium",
        "chromium",
        "browser tests (-m browser); without it they are skipped",
        executable=os.environ.get("EE_CHROMIUM", "/usr/bin/chromium"),
    ),
    Library(
        "clamd",
        "clamav-daemon",
        "the upload virus-scanner tests; without it they are skipped",
        executable="/usr/sbin/clamd",
    ),  # The Welsh .mo files are committed, so the portal runs without gettext; `make messages`
    # and the catalogue check (tests/i18n/test_catalogue.py) need it.
    Library(
        "msgfmt",
        "gettext",
        "`make messages` and the Welsh catalogue tests; without it they are skipped",
        executable="/usr/bin/msgfmt",
    ),
)


def _dlopen(name: str) -> ctypes.CDLL | None:
    """cffi's FFI.dlopen: the name as given, then what ctypes.util.find_library finds."""
    try:
        return ctypes.CDLL(name)
    except OSError:
        pass
    path = ctypes.util.find_library(name)
    if path is None:
        return None
    try:
        return ctypes.CDLL(path)
    except OSError:  # e.g. listed by ldconfig but unreadable (hidden by .ci/run)
        return None


def _loaded_path(handle: ctypes.CDLL) -> str | None:
    """The file the dynamic loader mapped for `handle` (Linux: /proc/self/maps)."""
    stem = Path(handle._name).name.split(".so")[0]  # "libharfbuzz-subset"
    try:
        maps = Path("/proc/self/maps").read_text().splitlines()
    except OSError:
        return None
    for line in maps:
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and Path(fields[5]).name.split(".so")[0] == stem:
            return os.path.realpath(fields[5])
    return None


def find(library: Library) -> str | None:
    """Where `library` is (a path, or the name it loaded by), or None when it is missing."""
    if library.executable:
        path = Path(library.executable)
        ok = path.is_file() and os.access(path, os.X_OK)
        return str(path) if ok else None
    if not library.names:
        spec = importlib.util.find_spec(library.key)  # a module of the Python running this
        return spec.origin if spec else None
    for name in library.names:
        handle = _dlopen(name)
        if handle is not None:
            return _loaded_path(handle) or name
    return None


def _apt(packages: list[str]) -> str:
    return "apt-get install " + " ".join(packages)


def _extra(specs: list[str]) -> list[Library]:
    """--require/--recommend NAME=PACKAGE: another library by its dlopen name (tests use this)."""
    libraries = []
    for spec in specs:
        name, _, package = spec.partition("=")
        libraries.append(Library(name, package or name, "a command-line request", (name,)))
    return libraries


def check(required: list[Library], recommended: list[Library], *, venv: Path | None) -> int:
    if venv is not None and (venv / "bin" / "python").exists():
        required = [lib for lib in required if lib.package != "python3-venv"]
    missing = [lib for lib in required if find(lib) is None]
    if missing:
        needs: dict[str, list[str]] = {}
        for lib in missing:
            needs.setdefault(lib.why, []).append(lib.key)
        names = "; ".join(f"{', '.join(keys)} (for {why})" for why, keys in needs.items())
        print(f"ERROR: missing {names}. Install as root, then run make again:")
        print(f"  {_apt([lib.package for lib in missing])}")
        return 1
    for lib in recommended:
        if find(lib) is None:
            print(f"NOTE: {lib.key} not found, recommended for {lib.why}: {_apt([lib.package])}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--require", action="append", default=[], metavar="NAME=PACKAGE")
    parser.add_argument("--recommend", action="append", default=[], metavar="NAME=PACKAGE")
    parser.add_argument("--venv", type=Path, help="skip the python3-venv check if this exists")
    parser.add_argument(
        "--where",
        metavar="KEY",
        help="print the real path of library KEY if it loads, else nothing",
    )
    args = parser.parse_args(argv)
    if args.where:
        known = {lib.key: lib for lib in (*REQUIRED, *RECOMMENDED)}
        if args.where not in known:
            parser.error(f"--where takes one of {', '.join(known)}")
        path = find(known[args.where])
        if path and os.path.isabs(path):
            print(path)
        return 0
    return check(
        [*REQUIRED, *_extra(args.require)],
        [*RECOMMENDED, *_extra(args.recommend)],
        venv=args.venv,
    )


if __name__ == "__main__":
    sys.exit(main())
