from django.contrib import admin

from .models import Award, Certificate


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ("unit", "start_date", "end_date", "status")
    list_filter = ("status",)
    search_fields = ("unit__name", "certificate__number")
    list_select_related = ("unit",)


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("number", "award", "status", "attempts", "rendered_at")
    list_filter = ("status",)
    search_fields = ("number",)
    readonly_fields = ("verify_code",)
