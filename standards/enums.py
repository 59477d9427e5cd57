from django.db import models
from django.utils.translation import gettext_lazy


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    PUBLISHED = "published", gettext_lazy("Published")
    RETIRED = "retired", gettext_lazy("Retired")


class AwardRule(models.TextChoices):
    ALL_MET = "all_met", gettext_lazy("Every criterion met")
    ALL_STANDARDS_MET = "all_standards_met", gettext_lazy("Every standard met overall")


# The default assessor scale (DOMAIN.md §4.7). A framework may carry its own.
DEFAULT_RATING_SCALE = [
    {"value": "met", "label": "Met"},
    {"value": "partly_met", "label": "Partly met"},
    {"value": "not_met", "label": "Not met"},
]
