from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from questionnaires.models import QuestionnaireSet
from questionnaires.services import questionnaire_export


class Command(BaseCommand):
    help = "Write a questionnaire set as YAML in the import_questionnaires format."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--output", "-o", type=Path)

    def handle(self, *args, code: str, output: Path | None, **options):
        questionnaire = (
            QuestionnaireSet.objects.select_related("framework").filter(code=code).first()
        )
        if questionnaire is None:
            known = ", ".join(QuestionnaireSet.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"No questionnaire set with code {code!r}. Known codes: {known}.")
        text = questionnaire_export(questionnaire=questionnaire)
        if output:
            output.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {output}")
        else:
            self.stdout.write(text, ending="")
