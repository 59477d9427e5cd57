from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from questionnaires.services import QuestionnaireImportError, questionnaire_import


class Command(BaseCommand):
    help = "Load a questionnaire set from a YAML file (format in the README). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--publish", action="store_true", help="Publish the set (it becomes read-only)."
        )

    def handle(self, *args, path: Path, publish: bool, **options):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            questionnaire = questionnaire_import(text=text, publish=publish)
        except QuestionnaireImportError as exc:
            for error in exc.errors:
                self.stderr.write(f"{path}: {error}")
            raise CommandError(
                f"{len(exc.errors)} problem(s) in {path}; nothing was imported."
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {questionnaire.code} ({questionnaire.status}): "
                f"{questionnaire.items.count()} items for {', '.join(questionnaire.audiences)}."
            )
        )
