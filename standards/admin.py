from django.contrib import admin

from .models import Criterion, Framework, Standard
from .selectors import missing_welsh


@admin.display(description="Welsh still missing")
def welsh_missing(obj: Standard | Criterion) -> str:
    """Issue 15: which texts have no Welsh yet (they are shown in English, marked)."""
    return ", ".join(missing_welsh(obj)) or "none"


class _LockedWhenPublished:
    """Published frameworks are read-only here as everywhere: changes make a new draft."""

    def _framework_of(self, obj):
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        if obj is not None and not self._framework_of(obj).is_editable:
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]  # mixin

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not self._framework_of(obj).is_editable:
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc]  # mixin


class StandardInline(admin.TabularInline):
    model = Standard
    extra = 0
    fields = ("number", "name", "value_statement")
    show_change_link = True


@admin.register(Framework)
class FrameworkAdmin(_LockedWhenPublished, admin.ModelAdmin):
    list_display = ("code", "title", "version", "status", "published_at")
    list_filter = ("status",)
    search_fields = ("code", "title")
    inlines = [StandardInline]

    def _framework_of(self, obj):
        return obj


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0


@admin.register(Standard)
class StandardAdmin(_LockedWhenPublished, admin.ModelAdmin):
    list_display = ("number", "name", "framework", welsh_missing)
    list_filter = ("framework",)
    search_fields = ("name", "value_statement")
    inlines = [CriterionInline]

    def _framework_of(self, obj):
        return obj.framework


@admin.register(Criterion)
class CriterionAdmin(_LockedWhenPublished, admin.ModelAdmin):
    list_display = ("code", "standard", "text", welsh_missing)
    list_filter = ("standard__framework", "standard")
    search_fields = ("code", "text", "guidance")

    def _framework_of(self, obj):
        return obj.standard.framework
