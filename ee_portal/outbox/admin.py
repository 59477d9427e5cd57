from django.contrib import admin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "task_name", "created_at", "dispatched_at", "attempts", "last_error")
    list_filter = ("task_name", ("dispatched_at", admin.EmptyFieldListFilter))
    readonly_fields = (
        "task_name",
        "kwargs",
        "created_at",
        "dispatched_at",
        "attempts",
        "last_error",
    )

    def has_add_permission(self, request):
        return False
