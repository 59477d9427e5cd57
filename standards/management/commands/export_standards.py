from ee_portal.lib.commands import YamlExportCommand
from standards.models import Framework
from standards.services import framework_export


class Command(YamlExportCommand):
    help = "Write a framework as YAML in the import_standards format (stdout, or --output)."
    noun = "framework"

    def versions(self):
        return Framework.objects.all()

    def dump(self, obj: Framework) -> str:
        return framework_export(framework=obj)
