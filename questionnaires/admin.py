from django.contrib import admin

from .models import Item, QuestionnaireSet, Round


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = ("audience", "number", "standard", "criterion", "answer_type", "text", "easy_read")


@admin.register(QuestionnaireSet)
class QuestionnaireSetAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "version", "framework", "status", "min_responses", "sample")
    list_filter = ("status", "sample")
    inlines = [ItemInline]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    # Responses are not in the admin: results are only ever read through the threshold rule
    # (questionnaires.selectors).
    list_display = ("portfolio", "audience", "opens_on", "closes_on", "closed_on", "expected_count")
    list_filter = ("audience",)
    exclude = ("token",)
