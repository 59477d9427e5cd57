from .assessment import AgreedScore, Assignment, CriterionScore, EvidenceRequest, ReviewEvent
from .awards import Award, Certificate, ReminderLog
from .decisions import Decision, Report

__all__ = [
    "AgreedScore",
    "Assignment",
    "Award",
    "Certificate",
    "CriterionScore",
    "Decision",
    "EvidenceRequest",
    "ReminderLog",
    "Report",
    "ReviewEvent",
]
