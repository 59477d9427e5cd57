from django.contrib import admin

from .models import (
    AgreedScore,
    Assignment,
    CriterionScore,
    Decision,
    EvidenceRequest,
    ReminderLog,
    Report,
)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("portfolio", "assessor", "is_lead", "state", "due_date")
    list_filter = ("state", "is_lead")
    search_fields = ("portfolio__unit__name", "assessor__email")
    list_select_related = ("portfolio__unit", "assessor")


@admin.register(CriterionScore)
class CriterionScoreAdmin(admin.ModelAdmin):
    list_display = ("assignment", "criterion", "rating")
    list_filter = ("rating",)
    search_fields = ("assignment__portfolio__unit__name", "criterion__code")


@admin.register(AgreedScore)
class AgreedScoreAdmin(admin.ModelAdmin):
    list_display = ("portfolio", "criterion", "rating")
    list_filter = ("rating",)
    search_fields = ("portfolio__unit__name", "criterion__code")


@admin.register(EvidenceRequest)
class EvidenceRequestAdmin(admin.ModelAdmin):
    list_display = ("portfolio", "due_date", "resolved_at")
    search_fields = ("portfolio__unit__name", "message")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("portfolio", "kind", "status", "released_at")
    list_filter = ("kind", "status")
    search_fields = ("portfolio__unit__name",)


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("portfolio", "outcome", "decided_on")
    list_filter = ("outcome",)
    search_fields = ("portfolio__unit__name", "rationale")


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ("key", "sent_at")
    search_fields = ("key",)
