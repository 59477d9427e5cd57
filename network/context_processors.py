from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """Which entry points the signed-in person sees in the navigation bar (one query at most).

    ``nav.units`` lists (unit id, unit name) of a non-admin's units, for the "My unit" link.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}

    def my_units() -> list[tuple[int, str]]:
        cached = getattr(user, "_nav_units", None)
        if cached is None:
            cached = list(
                user.unit_roles.order_by("unit__name").values_list("unit_id", "unit__name")
            )
            user._nav_units = cached
        return cached

    units = [] if user.is_ccqi_admin else my_units()
    return {
        "nav": {
            "admin": user.is_ccqi_admin,
            "assessor": user.is_assessor or user.is_ccqi_admin,
            "portfolios": user.is_ccqi_admin or bool(units),
            "units": units,
        }
    }
