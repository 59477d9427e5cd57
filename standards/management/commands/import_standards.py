from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from standards.services import StandardsImportError, framework_import


class Command(BaseCommand):
    help = "Load a standards framework from a YAML file (format in the README). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--publish", action="store_true", help="Publish the framework (it becomes read-only)."
        )

    def handle(self, *args, path: Path, publish: bool, **options):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            framework = framework_import(text=text, publish=publish)
        except StandardsImportError as exc:
            for error in exc.errors:
                self.stderr.write(f"{path}: {error}")
            raise CommandError(
                f"{len(exc.errors)} problem(s) in {path}; nothing was imported."
            ) from exc
        count = sum(s.criteria.count() for s in framework.standards.all())
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {framework.code} ({framework.status}): "
                f"{framework.standards.count()} standards, {count} criteria."
            )
        )
