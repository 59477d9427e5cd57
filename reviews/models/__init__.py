from .assessment import AgreedScore, Assignment, CriterionScore, EvidenceRequest
from .calibration import CalibrationExercise, ReferenceRating
from .decisions import Decision, Report
from .reminders import ReminderLog

__all__ = [
    "AgreedScore",
    "Assignment",
    "CalibrationExercise",
    "CriterionScore",
    "Decision",
    "EvidenceRequest",
    "ReferenceRating",
    "ReminderLog",
    "Report",
]
