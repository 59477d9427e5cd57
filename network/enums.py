from django.db import models
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    PROVIDER = "provider", gettext_lazy("Provider")
    TRUST = "trust", gettext_lazy("NHS trust")
    CHARITY = "charity", gettext_lazy("Charity")
    PRISON_SERVICE = "prison_service", gettext_lazy("Prison or probation service")
    OTHER = "other", gettext_lazy("Other")


class SettingType(models.TextChoices):
    HEALTH_INPATIENT = "health_inpatient", gettext_lazy("Health: inpatient")
    HEALTH_COMMUNITY = "health_community", gettext_lazy("Health: community")
    SECURE_HOSPITAL = "secure_hospital", gettext_lazy("Health: secure hospital")
    PRISON_PROBATION = "prison_probation", gettext_lazy("Prison or probation")
    THERAPEUTIC_COMMUNITY = "therapeutic_community", gettext_lazy("Therapeutic community")
    EDUCATION = "education", gettext_lazy("Education")
    HOUSING = "housing", gettext_lazy("Housing or homelessness")
    SOCIAL_CARE = "social_care", gettext_lazy("Social care")
    WORKPLACE = "workplace", gettext_lazy("Workplace")
    COMMUNITY = "community", gettext_lazy("Community")
    THIRD_SECTOR = "third_sector", gettext_lazy("Third sector")
    OTHER = "other", gettext_lazy("Other")


# Secure until a CCQI admin says otherwise (network.SettingProfile rows override these).
SECURE_BY_DEFAULT = frozenset({SettingType.PRISON_PROBATION, SettingType.SECURE_HOSPITAL})


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
