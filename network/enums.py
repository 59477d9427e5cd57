from django.db import models


class OrganisationKind(models.TextChoices):
    PROVIDER = "provider", "Provider"
    TRUST = "trust", "NHS trust"
    CHARITY = "charity", "Charity"
    PRISON_SERVICE = "prison_service", "Prison or probation service"
    OTHER = "other", "Other"


class SettingType(models.TextChoices):
    HEALTH_INPATIENT = "health_inpatient", "Health: inpatient"
    HEALTH_COMMUNITY = "health_community", "Health: community"
    SECURE_HOSPITAL = "secure_hospital", "Health: secure hospital"
    PRISON_PROBATION = "prison_probation", "Prison or probation"
    THERAPEUTIC_COMMUNITY = "therapeutic_community", "Therapeutic community"
    EDUCATION = "education", "Education"
    HOUSING = "housing", "Housing or homelessness"
    SOCIAL_CARE = "social_care", "Social care"
    WORKPLACE = "workplace", "Workplace"
    COMMUNITY = "community", "Community"
    THIRD_SECTOR = "third_sector", "Third sector"
    OTHER = "other", "Other"


# Secure until a CCQI admin says otherwise (network.SettingProfile rows override these).
SECURE_BY_DEFAULT = frozenset({SettingType.PRISON_PROBATION, SettingType.SECURE_HOSPITAL})


class Region(models.TextChoices):
    NORTH_EAST = "north_east", "North East"
    NORTH_WEST = "north_west", "North West"
    YORKSHIRE = "yorkshire", "Yorkshire and the Humber"
    EAST_MIDLANDS = "east_midlands", "East Midlands"
    WEST_MIDLANDS = "west_midlands", "West Midlands"
    EAST = "east", "East of England"
    LONDON = "london", "London"
    SOUTH_EAST = "south_east", "South East"
    SOUTH_WEST = "south_west", "South West"
    WALES = "wales", "Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"
    OUTSIDE_UK = "outside_uk", "Outside the UK"


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    LAPSED = "lapsed", "Lapsed"
    SUSPENDED = "suspended", "Suspended"


class UnitRoleKind(models.TextChoices):
    LEAD = "lead", "Unit lead"
    CONTRIBUTOR = "contributor", "Contributor"


class ProgrammeCode(models.TextChoices):
    EE_AWARD = "ee-award", "Enabling Environments Award"
    COFC = "cofc", "Community of Communities"
    EE_PRISONS = "ee-prisons", "Enabling Environments in prisons"
