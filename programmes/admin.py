from django.contrib import admin

from .models import ActionPoint, NationalReport, PeerVisit


@admin.register(PeerVisit)
class PeerVisitAdmin(admin.ModelAdmin):
    list_display = ("portfolio", "visit_date", "year")
    list_filter = ("year",)


@admin.register(ActionPoint)
class ActionPointAdmin(admin.ModelAdmin):
    list_display = ("portfolio", "owner", "due_date")


@admin.register(NationalReport)
class NationalReportAdmin(admin.ModelAdmin):
    list_display = ("programme", "year", "status")
