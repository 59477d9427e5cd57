"""Demo portfolios for `manage.py seed_demo` (idempotent)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from network.demo import DemoNetwork
from standards.models import Criterion, Framework

from .enums import Cycle, EvidenceType, PortfolioState, SelfRating
from .models import CriterionResponse, Portfolio
from .services import (
    evidence_create_text,
    evidence_upload,
    portfolio_create,
    portfolio_submit,
    response_save,
)


def demo_pdf_bytes(title: str) -> bytes:
    """A tiny but valid one-page PDF showing ``title`` (ASCII)."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def demo_png_bytes(colour: tuple[int, int, int] = (11, 95, 99)) -> bytes:
    image = Image.new("RGB", (64, 48), colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


NARRATIVE = (
    "Every morning we hold a community meeting where residents and staff sit together, "
    "share how they are and plan the day. New people are introduced by a resident buddy. "
    "The minutes and our welcome pack show how this works in practice."
)


def _write(portfolio: Portfolio, actor, codes: list[str], rating: str) -> None:
    for response in CriterionResponse.objects.filter(
        portfolio=portfolio, criterion__code__in=codes
    ).select_related("criterion"):
        response.portfolio = portfolio
        if response.narrative:
            continue
        response_save(
            response=response,
            actor=actor,
            base_version=response.version,
            narrative=f"{response.criterion.code}: {NARRATIVE}",
            self_rating=rating,
        )


def _files(portfolio: Portfolio, actor, criterion_ids: list[int], declare: bool) -> None:
    files = [
        ("Community meeting minutes.pdf", demo_pdf_bytes("Community meeting minutes"),
         EvidenceType.MINUTES),
        ("Garden project photo.png", demo_png_bytes(), EvidenceType.PHOTO),
        ("Welcome pack notes.txt", b"Welcome pack\n\nYou are expected and wanted here.\n",
         EvidenceType.DOCUMENT),
    ]  # fmt: skip
    for name, content, kind in files:
        evidence_upload(
            portfolio=portfolio,
            actor=actor,
            upload=SimpleUploadedFile(name, content),
            title=name.rsplit(".", 1)[0],
            evidence_type=kind,
            contains_identifiable=False if declare else None,
            criterion_ids=criterion_ids,
        )


def seed_portfolios(demo: DemoNetwork) -> None:
    """Demo Ward: a draft about half complete; Riverside Hostel: complete and submitted."""
    framework = Framework.objects.current()
    if framework is None:
        return
    criteria = list(
        Criterion.objects.filter(standard__framework=framework).order_by(
            "standard__number", "order", "code"
        )
    )
    portfolios = demo.extra.setdefault("portfolios", {})

    ward = demo.units["demo_ward"]
    p1 = Portfolio.objects.filter(unit=ward, cycle=Cycle.INITIAL).order_by("-id").first()
    if p1 is None:
        lead, contributor = demo.users["lead"], demo.users["contributor"]
        p1 = portfolio_create(unit=ward, framework=framework, cycle=Cycle.INITIAL, actor=lead)
        half = criteria[: len(criteria) // 2]
        _write(p1, lead, [c.code for c in half], SelfRating.MET)
        _files(p1, contributor, [c.pk for c in half[:-2]], declare=True)
        evidence_create_text(
            portfolio=p1,
            actor=contributor,
            title="What a resident told us",
            text="“When I arrived someone showed me round and made me a cup of tea.”",
            evidence_type=EvidenceType.FEEDBACK,
            criterion_ids=[half[0].pk],
        )
    portfolios["demo_ward"] = p1

    riverside = demo.units["riverside"]
    p2 = Portfolio.objects.filter(unit=riverside, cycle=Cycle.INITIAL).order_by("-id").first()
    if p2 is None:
        lead2 = demo.users["lead2"]
        p2 = portfolio_create(unit=riverside, framework=framework, cycle=Cycle.INITIAL, actor=lead2)
        _write(p2, lead2, [c.code for c in criteria], SelfRating.MET)
        _files(p2, lead2, [c.pk for c in criteria], declare=True)
        portfolio_submit(portfolio=p2, actor=lead2)
        p2.refresh_from_db()
    elif p2.state == PortfolioState.DRAFT:
        portfolio_submit(portfolio=p2, actor=demo.users["lead2"])
        p2.refresh_from_db()
    portfolios["riverside"] = p2
    portfolios["wing"] = _seed_fellside(demo, framework, criteria)


FELLSIDE_NARRATIVE = (
    "Every weekday starts with a wing community meeting. Residents chair it in turn, officers "
    "and the psychologist take part as equals, and new arrivals are welcomed by a peer mentor."
)


def _seed_fellside(demo: DemoNetwork, framework: Framework, criteria: list) -> Portfolio:
    """Issue 15: Fellside Wing (PIPE), a prison unit, with a draft in prison wording: three
    narratives, a resident's quote, and a photo not yet declared free of residents, so the
    lead can see why it cannot be linked until it is."""
    wing = demo.units["wing"]
    portfolio = (
        Portfolio.objects.filter(unit=wing, cycle=Cycle.INITIAL)
        .exclude(state=PortfolioState.AWARDED)  # its first award (awards.demo)
        .order_by("-id")
        .first()
    )
    if portfolio is not None:
        return portfolio
    lead = demo.users["lead5"]
    portfolio = portfolio_create(unit=wing, framework=framework, cycle=Cycle.INITIAL, actor=lead)
    first = criteria[:3]
    for response in CriterionResponse.objects.filter(
        portfolio=portfolio, criterion__in=first
    ).select_related("criterion"):
        response.portfolio = portfolio
        response_save(
            response=response,
            actor=lead,
            base_version=response.version,
            narrative=FELLSIDE_NARRATIVE,
            self_rating=SelfRating.WORKING_TOWARDS,
        )
    evidence_create_text(
        portfolio=portfolio,
        actor=lead,
        title="What a resident said at the wing forum",
        text="“Here the officers ask what we think, and then they actually do something.”",
        evidence_type=EvidenceType.FEEDBACK,
        contains_identifiable=False,
        criterion_ids=[c.pk for c in first],
    )
    evidence_upload(
        portfolio=portfolio,
        actor=lead,
        upload=SimpleUploadedFile("Wing mural.png", demo_png_bytes((120, 60, 140))),
        title="Wing mural",
        evidence_type=EvidenceType.PHOTO,
        contains_identifiable=False,
    )
    return portfolio
