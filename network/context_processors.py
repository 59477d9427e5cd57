from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """Which entry points the signed-in person sees in the navigation bar (one query at most)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}

    def has_unit_role() -> bool:
        cached = getattr(user, "_nav_has_unit_role", None)
        if cached is None:
            cached = user.unit_roles.exists()
            user._nav_has_unit_role = cached
        return cached

    return {
        "nav": {
            "admin": user.is_ccqi_admin,
            "assessor": user.is_assessor or user.is_ccqi_admin,
            "portfolios": user.is_ccqi_admin or has_unit_role(),
        }
    }
