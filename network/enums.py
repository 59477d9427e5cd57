from django.db import models
from django.utils.translation import gettext_lazy as _


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


class MembershipType(models.TextChoices):
    """Community of Communities membership types (DOMAIN.md §5.1). Empty for the EE Award."""

    ASSOCIATE = "associate", _("Associate")
    DEVELOPMENTAL = "developmental", _("Developmental")
    FULL = "full", _("Full")
    ACCREDITATION = "accreditation", _("Accreditation")


class CycleStep(models.TextChoices):
    """The steps a programme's annual cycle can have; the membership type picks which."""

    SELF_REVIEW = "self_review", _("Self-review")
    PEER_REVIEW = "peer_review", _("Peer-review visit")
    ANNUAL_REPORT = "annual_report", _("Annual report")
    DECISION = "decision", _("Accreditation decision")


# Programmes whose memberships carry a type, and what each type gets. Associates read the
# standards and resources only; developmental members self-review and get a report; full
# members also get a peer-review visit; accreditation members also get a committee decision.
TYPED_PROGRAMMES = frozenset({"cofc"})
CYCLE_STEPS: dict[str, tuple[str, ...]] = {
    MembershipType.ASSOCIATE: (),
    MembershipType.DEVELOPMENTAL: (CycleStep.SELF_REVIEW, CycleStep.ANNUAL_REPORT),
    MembershipType.FULL: (CycleStep.SELF_REVIEW, CycleStep.PEER_REVIEW, CycleStep.ANNUAL_REPORT),
    MembershipType.ACCREDITATION: (
        CycleStep.SELF_REVIEW,
        CycleStep.PEER_REVIEW,
        CycleStep.ANNUAL_REPORT,
        CycleStep.DECISION,
    ),
}


class ReviewerKind(models.TextChoices):
    STAFF = "staff", _("Staff member of a member community")
    SERVICE_USER = "service_user", _("Service user of a member community")
    FORMER_STAFF = "former_staff", _("Former staff member (independent)")
    FORMER_RESIDENT = "former_resident", _("Former resident (independent)")


# A peer team needs at least one reviewer with lived experience.
LIVED_EXPERIENCE_KINDS = frozenset({ReviewerKind.SERVICE_USER, ReviewerKind.FORMER_RESIDENT})


class ReviewerStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated, awaiting approval")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")
