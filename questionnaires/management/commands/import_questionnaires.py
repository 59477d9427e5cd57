from ee_portal.lib.commands import YamlImportCommand
from questionnaires.models import QuestionnaireSet
from questionnaires.services import QuestionnaireImportError, questionnaire_import


class Command(YamlImportCommand):
    help = "Load a questionnaire set from a YAML file (format in the README). All or nothing."
    publish_help = "Publish the set (it becomes read-only)."
    error = QuestionnaireImportError

    def load(self, *, text: str, publish: bool) -> QuestionnaireSet:
        return questionnaire_import(text=text, publish=publish)

    def summary(self, obj: QuestionnaireSet) -> str:
        return (
            f"Imported {obj.code} ({obj.status}): "
            f"{obj.items.count()} items for {', '.join(obj.audiences)}."
        )
