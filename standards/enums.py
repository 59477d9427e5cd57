from django.db import models


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class AwardRule(models.TextChoices):
    ALL_MET = "all_met", "Every criterion met"
    ALL_STANDARDS_MET = "all_standards_met", "Every standard met overall"


# The default assessor scale (DOMAIN.md §4.7). A framework may carry its own.
DEFAULT_RATING_SCALE = [
    {"value": "met", "label": "Met"},
    {"value": "partly_met", "label": "Partly met"},
    {"value": "not_met", "label": "Not met"},
]
