"""Issue 15's demo: Fellside Wing (PIPE), a prison unit, read in prison wording by its lead,
kept off the public register, with a photo that cannot be linked until declared."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from network.demo import DEMO_PASSWORD, seed_network
from portfolios.demo import seed_portfolios
from portfolios.models import Evidence, Portfolio
from portfolios.services import PHOTO_REFUSAL
from standards.services import framework_import
from tests.pages import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    sample = Path(settings.BASE_DIR, "fixtures/standards/ee-sample.yaml").read_text()
    framework_import(text=sample, publish=True)
    demo = seed_network()
    seed_portfolios(demo)
    seed_portfolios(seed_network())  # idempotent
    return demo


def test_fellside_lead_reads_prison_wording_and_the_photo_waits(client, demo):
    wing = Portfolio.objects.get(unit__name="Fellside Wing (PIPE)")
    assert client.login(username="lead5@demo.test", password=DEMO_PASSWORD)
    builder = visible_text(client.get(reverse("portfolios:detail", args=[wing.pk])).content)
    assert "Relationships between staff and residents, and how good they are, come first." in (
        builder
    )
    assert "New residents are welcomed warmly and helped to settle on the wing." in builder
    assert "Relationships, and how good they are, come first." not in builder
    standards = visible_text(client.get("/standards/").content)
    assert "Staff and residents can both get support." in standards
    photo = Evidence.objects.get(portfolio=wing, title="Wing mural")
    response = client.post(
        reverse("portfolios:evidence_link", args=[photo.pk]), {"criterion": "1.4"}, follow=True
    )
    assert str(PHOTO_REFUSAL) in visible_text(response.content)
    assert photo.links.count() == 0


def test_fellside_is_kept_off_the_register_as_a_secure_setting(client, demo):
    unit = demo.units["wing"]
    # Not opted out like a ward would be: the secure setting alone keeps it off.
    assert (unit.show_on_register, unit.register_opt_in) == (True, False)
    assert "Fellside" not in visible_text(client.get("/awards/").content)
    assert client.login(username="admin@demo.test", password=DEMO_PASSWORD)
    page = visible_text(client.get(reverse("network:unit_detail", args=[unit.pk])).content)
    assert "Kept off the public register: this is a secure setting" in page


def test_fellsides_award_verifies_but_its_register_entry_is_hidden(client, demo, settings):
    """Deliverable 6: a hidden register entry. The wing holds a valid award from its first
    cycle; /verify/ confirms it, /awards/ does not list it until the wing opts in."""
    from awards.demo import seed_fellside_award  # noqa: PLC0415
    from awards.models import Award  # noqa: PLC0415

    settings.EE_SITE_URL = "http://testserver"
    seed_fellside_award(demo)
    seed_fellside_award(demo)  # idempotent
    award = Award.objects.get(unit=demo.units["wing"])
    verify = client.get(f"/verify/{award.certificate.verify_code}/")
    assert verify.status_code == 200
    assert "Fellside Wing (PIPE)" in visible_text(verify.content)
    assert "Fellside" not in visible_text(client.get("/awards/").content)
    # The lead still builds this cycle's portfolio beside the awarded one.
    assert Portfolio.objects.filter(unit=demo.units["wing"], state="draft").count() == 1
    demo.units["wing"].register_opt_in = True
    demo.units["wing"].save(update_fields=["register_opt_in"])
    assert "Fellside Wing (PIPE)" in visible_text(client.get("/awards/").content)
