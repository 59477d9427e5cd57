"""The YAML import and export commands every kind of versioned data shares (standards,
questionnaires): read a file, import all or nothing, say each problem with its line; write one
version by code. Each app's command names its own services and words."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import QuerySet


class YamlImportCommand(BaseCommand):
    """``import_<thing> PATH [--publish]``. Subclasses set ``publish_help`` and ``error`` (the
    import error class, with a list of messages in ``errors``) and write load() and
    summary()."""

    publish_help = "Publish it (it becomes read-only)."
    error: type[Exception] = Exception

    def load(self, *, text: str, publish: bool) -> Any:
        raise NotImplementedError

    def summary(self, obj: Any) -> str:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--publish", action="store_true", help=self.publish_help)

    def handle(self, *args, path: Path, publish: bool, **options):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            obj = self.load(text=text, publish=publish)
        except self.error as exc:
            errors = getattr(exc, "errors", [str(exc)])
            for error in errors:
                self.stderr.write(f"{path}: {error}")
            raise CommandError(
                f"{len(errors)} problem(s) in {path}; nothing was imported."
            ) from exc
        self.stdout.write(self.style.SUCCESS(self.summary(obj)))


class YamlExportCommand(BaseCommand):
    """``export_<thing> CODE [--output PATH]``: the version with that code as YAML, on
    stdout or in a file. Subclasses set ``noun`` and write versions() and dump()."""

    noun = "version"

    def versions(self) -> QuerySet[Any]:
        raise NotImplementedError

    def dump(self, obj: Any) -> str:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--output", "-o", type=Path)

    def handle(self, *args, code: str, output: Path | None, **options):
        obj = self.versions().filter(code=code).first()
        if obj is None:
            known = ", ".join(self.versions().values_list("code", flat=True)) or "none"
            raise CommandError(f"No {self.noun} with code {code!r}. Known codes: {known}.")
        text = self.dump(obj)
        if output:
            output.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {output}")
        else:
            self.stdout.write(text, ending="")
