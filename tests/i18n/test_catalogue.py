"""Issue 15: the Welsh catalogue is complete. `makemessages` is run into a copy of locale/;
any msgid without a Welsh translation, or marked fuzzy, fails with its text. The committed
.mo files must be compiled from the committed .po files."""

import shutil
import subprocess

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

from tests.conftest import need_service

LOCALE = settings.BASE_DIR / "locale"
IGNORE = [".venv", "tests", "bench", "docs", "var", "staticfiles", "typings", "node_modules"]


def _problems(po: polib.POFile) -> list[str]:
    untranslated = [f"untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
    fuzzy = [f"fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    return untranslated + fuzzy


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory):
    """What `make messages` would write, into a copy of locale/ (the real one is untouched)."""
    need_service("gettext", bool(shutil.which("xgettext")), "apt-get install gettext")
    copy = tmp_path_factory.mktemp("locale") / "locale"
    shutil.copytree(LOCALE, copy)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(settings.BASE_DIR)
        patch.setattr(settings, "LOCALE_PATHS", [copy])
        common = {"locale": ["cy"], "no_obsolete": True, "add_location": "file", "verbosity": 0}
        call_command("makemessages", ignore_patterns=[*IGNORE, "static"], **common)
        call_command(
            "makemessages", domain="djangojs", ignore_patterns=[*IGNORE, "static/vendor"], **common
        )
    return copy / "cy" / "LC_MESSAGES"


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_string_has_a_welsh_translation_that_is_not_fuzzy(fresh_catalogues, domain):
    po = polib.pofile(str(fresh_catalogues / f"{domain}.po"))
    assert len(po) > (1000 if domain == "django" else 10)
    assert _problems(po) == [], "run `make messages`, then translate these in locale/cy"


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_committed_catalogue_is_complete_and_compiled(domain, tmp_path):
    po_path = LOCALE / "cy" / "LC_MESSAGES" / f"{domain}.po"
    po = polib.pofile(str(po_path))
    assert _problems(po) == []
    need_service("msgfmt", bool(shutil.which("msgfmt")), "apt-get install gettext")
    compiled = tmp_path / f"{domain}.mo"
    subprocess.run(  # noqa: S603 -- fixed arguments, our own files
        ["msgfmt", "--check", "-o", str(compiled), str(po_path)],  # noqa: S607
        check=True,
        capture_output=True,
    )
    committed = polib.mofile(str(po_path.with_suffix(".mo")))
    fresh = polib.mofile(str(compiled))
    assert {(e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in committed} == {
        (e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in fresh
    }, "locale/cy/LC_MESSAGES/*.mo is stale: run `make messages`"


def test_the_check_catches_an_untranslated_and_a_fuzzy_string():
    po = polib.POFile()
    po.append(polib.POEntry(msgid="Hello", msgstr=""))
    po.append(polib.POEntry(msgid="Bye", msgstr="Hwyl", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="Yes", msgstr="Ie"))
    assert _problems(po) == ["untranslated: 'Hello'", "fuzzy: 'Bye'"]
