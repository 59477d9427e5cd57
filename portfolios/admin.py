from django.contrib import admin

from .models import (
    CriterionResponse,
    Evidence,
    EvidenceLink,
    Portfolio,
    PortfolioEvent,
    PortfolioRevision,
)


@admin.register(Portfolio)
class PortfolioAdmin(admin.ModelAdmin):
    list_display = ("__str__", "unit", "cycle", "state", "submitted_at")
    list_filter = ("state", "cycle", "framework")
    search_fields = ("unit__name", "title")
    list_select_related = ("unit",)
    readonly_fields = ("state", "submitted_at", "closed_at")


@admin.register(CriterionResponse)
class CriterionResponseAdmin(admin.ModelAdmin):
    list_display = ("portfolio", "criterion", "self_rating", "updated_at")
    list_filter = ("self_rating",)
    search_fields = ("portfolio__unit__name", "criterion__code")
    list_select_related = ("portfolio__unit", "criterion")


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    # Metadata only: the file itself is reached through the audited download view.
    list_display = ("title", "portfolio", "evidence_type", "kind", "size", "created_at")
    list_filter = ("evidence_type", "kind", "contains_identifiable")
    search_fields = ("title", "description", "portfolio__unit__name")
    list_select_related = ("portfolio__unit",)
    exclude = ("file",)
    readonly_fields = ("sha256", "size", "content_type", "original_name")


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(admin.ModelAdmin):
    list_display = ("evidence", "criterion", "created_at")
    search_fields = ("evidence__title", "criterion__code")


@admin.register(PortfolioRevision)
class PortfolioRevisionAdmin(admin.ModelAdmin):
    list_display = ("portfolio", "number", "created_at")
    search_fields = ("portfolio__unit__name",)
    readonly_fields = ("snapshot",)


@admin.register(PortfolioEvent)
class PortfolioEventAdmin(admin.ModelAdmin):
    list_display = ("portfolio", "from_state", "to_state", "actor", "created_at")
    list_filter = ("to_state",)
    search_fields = ("portfolio__unit__name", "note")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
