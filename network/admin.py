from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import (
    AssessorProfile,
    Invitation,
    Membership,
    Organisation,
    Programme,
    Unit,
    UnitRole,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_ccqi_admin", "is_assessor", "is_active", "is_staff")
    list_filter = ("is_ccqi_admin", "is_assessor", "is_active", "is_staff")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name",)}),
        (
            "Roles",
            {"fields": ("is_ccqi_admin", "is_assessor", "is_active", "is_staff", "is_superuser")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    fields = ("name", "setting_type", "region", "show_on_register")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    inlines = [UnitInline]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


class UnitRoleInline(admin.TabularInline):
    model = UnitRole
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "setting_type", "region", "show_on_register")
    list_filter = ("setting_type", "region", "show_on_register")
    search_fields = ("name", "organisation__name")
    list_select_related = ("organisation",)
    inlines = [MembershipInline, UnitRoleInline]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("unit", "programme", "start_date", "end_date", "status", "fee_reference")
    list_filter = ("programme", "status", "unit__setting_type", "unit__region")
    search_fields = ("unit__name", "unit__organisation__name", "fee_reference")
    list_select_related = ("unit", "programme")
    date_hierarchy = "end_date"


@admin.register(UnitRole)
class UnitRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role")
    list_filter = ("role", "unit__setting_type")
    search_fields = ("user__email", "unit__name")
    list_select_related = ("user", "unit")


@admin.register(AssessorProfile)
class AssessorProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "expert_by_experience", "home_organisation", "trained_on")
    list_filter = ("expert_by_experience", "trained_frameworks")
    search_fields = ("user__email", "user__full_name", "home_organisation__name")
    list_select_related = ("user", "home_organisation")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = (
        "email",
        "unit",
        "role",
        "expires_at",
        "accepted_at",
        "revoked_at",
        "sent_count",
    )
    list_filter = ("role", "expires_at", "accepted_at", "revoked_at")
    search_fields = ("email", "unit__name")
    list_select_related = ("unit",)
    # Invitations are made and re-sent in the portal (which mints and emails the token).
    exclude = ("token_hash",)
    readonly_fields = ("accepted_at", "accepted_by", "sent_count", "invited_by")

    def has_add_permission(self, request) -> bool:
        return False
