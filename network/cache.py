"""What the network's models mean for the shared caches (ee_portal/lib/fragments.py)."""

from ee_portal.lib import fragments, pagecache

NETWORK = "network"  # the member list: units, organisations, memberships, programmes, roles
PEOPLE = "people"  # people's names as pages show them (not their sign-ins)
# Saving a user only to record a sign-in or a new password changes nothing any page shows.
INVISIBLE_USER_FIELDS = frozenset({"last_login", "password"})


def register() -> None:
    """Called from NetworkConfig.ready() in every process."""
    for label in (
        "network.Unit",
        "network.Organisation",
        "network.Membership",
        "network.Programme",
        "network.UnitRole",
        "network.SettingProfile",
    ):
        fragments.watch(label, lambda _instance: (NETWORK,))
    fragments.watch("network.User", lambda _instance: (PEOPLE,), invisible=INVISIBLE_USER_FIELDS)
    pagecache.watch_public(
        "network.Unit",
        "network.Organisation",
        "network.Membership",
        "network.Programme",
        "network.SettingProfile",  # the register hides secure settings' units
    )
