from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from standards.models import Framework
from standards.services import framework_export


class Command(BaseCommand):
    help = "Write a framework as YAML in the import_standards format (stdout, or --output)."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--output", "-o", type=Path)

    def handle(self, *args, code: str, output: Path | None, **options):
        framework = Framework.objects.filter(code=code).first()
        if framework is None:
            known = ", ".join(Framework.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"No framework with code {code!r}. Known codes: {known}.")
        text = framework_export(framework=framework)
        if output:
            output.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {output}")
        else:
            self.stdout.write(text, ending="")
