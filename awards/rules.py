"""Permissions for awards, certificates and feedback reports (`rules` predicates).

The permission names carry the app label, awards (they were reviews.* before issue 12).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from network.rules import is_ccqi_admin

if TYPE_CHECKING:
    from network.models import User
    from network.rules import AnyUser
    from reviews.models import Report

    from .models import Award


def _unit_ids(user: User) -> set[int]:
    cache: set[int] | None = getattr(user, "_ee_award_unit_ids", None)
    if cache is None:
        cache = set(user.unit_roles.values_list("unit_id", flat=True))
        user._ee_award_unit_ids = cache
    return cache


@rules.predicate
def is_award_unit_member(user: AnyUser, award: Award | None) -> bool:
    if award is None or not user.is_authenticated:
        return False
    return award.unit_id in _unit_ids(user)


@rules.predicate
def is_report_unit_member(user: AnyUser, report: Report | None) -> bool:
    if report is None or not user.is_authenticated:
        return False
    return report.portfolio.unit_id in _unit_ids(user)


@rules.predicate
def is_released(user: AnyUser, report: Report | None) -> bool:
    return report is not None and report.released_at is not None


rules.add_perm("awards.view_award", is_ccqi_admin | is_award_unit_member)
rules.add_perm("awards.download_certificate", is_ccqi_admin | is_award_unit_member)
rules.add_perm("awards.manage_award", is_ccqi_admin)
rules.add_perm(
    "awards.download_feedback_report", is_ccqi_admin | (is_report_unit_member & is_released)
)
