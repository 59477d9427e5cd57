from ee_portal.lib.commands import YamlExportCommand
from questionnaires.models import QuestionnaireSet
from questionnaires.services import questionnaire_export


class Command(YamlExportCommand):
    help = "Write a questionnaire set as YAML in the import_questionnaires format."
    noun = "questionnaire set"

    def versions(self):
        return QuestionnaireSet.objects.select_related("framework")

    def dump(self, obj: QuestionnaireSet) -> str:
        return questionnaire_export(questionnaire=obj)
