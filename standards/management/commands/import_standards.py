from ee_portal.lib.commands import YamlImportCommand
from standards.models import Framework
from standards.services import StandardsImportError, framework_import


class Command(YamlImportCommand):
    help = "Load a standards framework from a YAML file (format in the README). All or nothing."
    publish_help = "Publish the framework (it becomes read-only)."
    error = StandardsImportError

    def load(self, *, text: str, publish: bool) -> Framework:
        return framework_import(text=text, publish=publish)

    def summary(self, obj: Framework) -> str:
        count = sum(s.criteria.count() for s in obj.standards.all())
        return (
            f"Imported {obj.code} ({obj.status}): "
            f"{obj.standards.count()} standards, {count} criteria."
        )
