from django.db import models
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    PUBLISHED = "published", gettext_lazy("Published")
    RETIRED = "retired", gettext_lazy("Retired")


class AwardRule(models.TextChoices):
    ALL_MET = "all_met", gettext_lazy("Every criterion met")
    ALL_STANDARDS_MET = "all_standards_met", gettext_lazy("Every standard met overall")


class CriterionType(models.IntegerChoices):
    """CCQI's criterion types. A framework without types (the EE sample) leaves them empty."""

    ESSENTIAL = 1, _("Type 1: essential")
    EXPECTED = 2, _("Type 2: expected")
    DESIRABLE = 3, _("Type 3: desirable")


# The programme a framework belongs to when its file does not say (network.enums.ProgrammeCode
# values; standards does not import network).
DEFAULT_PROGRAMME = "ee-award"

# The default assessor scale (DOMAIN.md §4.7). A framework may carry its own.
DEFAULT_RATING_SCALE = [
    {"value": "met", "label": "Met"},
    {"value": "partly_met", "label": "Partly met"},
    {"value": "not_met", "label": "Not met"},
]
