from .assessment import AgreedScore, Assignment, CriterionScore, EvidenceRequest
from .decisions import Decision, Report
from .reminders import ReminderLog

__all__ = [
    "AgreedScore",
    "Assignment",
    "CriterionScore",
    "Decision",
    "EvidenceRequest",
    "ReminderLog",
    "Report",
]
