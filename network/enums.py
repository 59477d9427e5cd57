from django.db import models
from django.utils.translation import gettext_lazy


class OrganisationKind(models.TextChoices):
    PROVIDER = "provider", gettext_lazy("Provider")
    TRUST = "trust", gettext_lazy("NHS trust")
    CHARITY = "charity", gettext_lazy("Charity")
    PRISON_SERVICE = "prison_service", gettext_lazy("Prison or probation service")
    OTHER = "other", gettext_lazy("Other")


class SettingType(models.TextChoices):
    HEALTH_INPATIENT = "health_inpatient", gettext_lazy("Health: inpatient")
    HEALTH_COMMUNITY = "health_community", gettext_lazy("Health: community")
    PRISON_PROBATION = "prison_probation", gettext_lazy("Prison or probation")
    THERAPEUTIC_COMMUNITY = "therapeutic_community", gettext_lazy("Therapeutic community")
    EDUCATION = "education", gettext_lazy("Education")
    HOUSING = "housing", gettext_lazy("Housing or homelessness")
    SOCIAL_CARE = "social_care", gettext_lazy("Social care")
    WORKPLACE = "workplace", gettext_lazy("Workplace")
    COMMUNITY = "community", gettext_lazy("Community")
    THIRD_SECTOR = "third_sector", gettext_lazy("Third sector")
    OTHER = "other", gettext_lazy("Other")


class Region(models.TextChoices):
    NORTH_EAST = "north_east", gettext_lazy("North East")
    NORTH_WEST = "north_west", gettext_lazy("North West")
    YORKSHIRE = "yorkshire", gettext_lazy("Yorkshire and the Humber")
    EAST_MIDLANDS = "east_midlands", gettext_lazy("East Midlands")
    WEST_MIDLANDS = "west_midlands", gettext_lazy("West Midlands")
    EAST = "east", gettext_lazy("East of England")
    LONDON = "london", gettext_lazy("London")
    SOUTH_EAST = "south_east", gettext_lazy("South East")
    SOUTH_WEST = "south_west", gettext_lazy("South West")
    WALES = "wales", gettext_lazy("Wales")
    SCOTLAND = "scotland", gettext_lazy("Scotland")
    NORTHERN_IRELAND = "northern_ireland", gettext_lazy("Northern Ireland")
    OUTSIDE_UK = "outside_uk", gettext_lazy("Outside the UK")


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", gettext_lazy("Active")
    LAPSED = "lapsed", gettext_lazy("Lapsed")
    SUSPENDED = "suspended", gettext_lazy("Suspended")


class UnitRoleKind(models.TextChoices):
    LEAD = "lead", gettext_lazy("Unit lead")
    CONTRIBUTOR = "contributor", gettext_lazy("Contributor")


class ProgrammeCode(models.TextChoices):
    EE_AWARD = "ee-award", gettext_lazy("Enabling Environments Award")
    COFC = "cofc", gettext_lazy("Community of Communities")
    EE_PRISONS = "ee-prisons", gettext_lazy("Enabling Environments in prisons")


class Language(models.TextChoices):
    """The languages of the portal (settings.LANGUAGES): each named in its own language."""

    ENGLISH = "en-gb", gettext_lazy("English")
    WELSH = "cy", gettext_lazy("Cymraeg")
