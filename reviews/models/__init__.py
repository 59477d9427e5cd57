from .assessment import AgreedScore, Assignment, CriterionScore, EvidenceRequest
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
]
