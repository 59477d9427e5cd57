"""Imports point one way (DESIGN.md, docs/architecture.md): awards -> reviews -> portfolios ->
network, standards; ee_portal/lib, audit and outbox import no app."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

APPS = (
    "network",
    "standards",
    "portfolios",
    "reviews",
    "awards",
    "questionnaires",
    "programmes",
)


def _imported_modules(package: str) -> dict[str, set[str]]:
    """Every top-level module name imported anywhere under ``package`` (file -> names),
    including imports inside functions."""
    found: dict[str, set[str]] = {}
    root = Path(settings.BASE_DIR)
    for path in sorted((root / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(root))] = names
    return found


def _offenders(package: str, banned: tuple[str, ...]) -> dict[str, list[str]]:
    return {
        path: sorted(names & set(banned))
        for path, names in _imported_modules(package).items()
        if names & set(banned)
    }


def test_reviews_imports_nothing_from_awards():
    assert _offenders("reviews", ("awards",)) == {}


def test_portfolios_imports_neither_reviews_nor_awards():
    assert _offenders("portfolios", ("reviews", "awards")) == {}


@pytest.mark.parametrize(
    "package", ["ee_portal/lib", "ee_portal/audit", "ee_portal/outbox", "ee_portal/caching"]
)
def test_shared_infrastructure_imports_no_app(package):
    assert _offenders(package, APPS) == {}


def test_the_walk_sees_imports_inside_functions():
    # A check of the checker: reviews/pdf.py imports weasyprint inside a function.
    assert "weasyprint" in _imported_modules("reviews")["reviews/pdf.py"]


@pytest.mark.parametrize("package", ["network", "standards", "portfolios", "reviews", "awards"])
def test_no_other_app_imports_questionnaires(package):
    """questionnaires -> portfolios: the lower apps reach it only through registries
    (portfolios/hooks.py) it fills from its AppConfig.ready()."""
    assert _offenders(package, ("questionnaires",)) == {}


def test_questionnaires_imports_neither_awards_nor_reviews_at_module_level():
    """Only the PDF task imports reviews.pdf, inside the function (the WeasyPrint rule)."""
    root = Path(settings.BASE_DIR) / "questionnaires"
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] not in ("awards", "reviews"), path
            if isinstance(node, ast.Import):
                assert not {a.name.split(".")[0] for a in node.names} & {"awards", "reviews"}
    assert _offenders("questionnaires", ("awards",)) == {}


@pytest.mark.parametrize(
    "package", ["network", "standards", "portfolios", "reviews", "awards", "questionnaires"]
)
def test_no_other_app_imports_programmes(package):
    """programmes sits at the top beside awards (docs/programmes.md): it fills the lower apps'
    registries and is imported by none of them."""
    assert _offenders(package, ("programmes",)) == {}


def test_programmes_does_not_import_awards():
    """A network's accreditation reaches awards through reviews' "decision recorded" hook."""
    assert _offenders("programmes", ("awards", "questionnaires")) == {}
