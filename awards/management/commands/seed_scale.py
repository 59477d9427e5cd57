"""Bulk synthetic data for benchmarks (`make bench`). Never run against a real database."""

import datetime as dt
import hashlib
import itertools
import random
import time

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from awards.models import Award, Certificate
from network.enums import MembershipStatus, Region, SettingType, UnitRoleKind
from network.models import Membership, Organisation, Programme, Unit, UnitRole, User
from portfolios.enums import Cycle, EvidenceKind, EvidenceType, PortfolioState, SelfRating
from portfolios.models import CriterionResponse, Evidence, EvidenceLink, Portfolio
from reviews.enums import AssignmentState, DecisionOutcome
from reviews.models import Assignment, CriterionScore, Decision
from standards.models import Criterion, Framework
from standards.services import framework_import

PREFIX = "Scale"
BATCH = 5000
# Portfolios per unit cycle through these (cycle, state) pairs; at most one open per cycle.
PORTFOLIO_SHAPES = [
    (Cycle.INITIAL, PortfolioState.AWARDED),
    (Cycle.INTERIM, PortfolioState.IN_REVIEW),
    (Cycle.RENEWAL, PortfolioState.DRAFT),
]
SYNTHETIC_FILES = 200


def _chunks(iterable, size=BATCH):
    it = iter(iterable)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


class Command(BaseCommand):
    help = "Create large synthetic data (units, portfolios, evidence, scores) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=2000)
        parser.add_argument("--portfolios", type=int, default=6000)
        parser.add_argument("--evidence", type=int, default=400_000)
        parser.add_argument("--scores", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=1)

    def _step(self, label: str, started: float) -> float:
        now = time.monotonic()
        self.stdout.write(f"  {label}: {now - started:.1f}s")
        return now

    def handle(self, *args, units, portfolios, evidence, scores, seed, **options):
        if not settings.DEBUG:
            raise CommandError("seed_scale writes synthetic data: run it with DJANGO_DEBUG=1.")
        if Organisation.objects.filter(name__startswith=f"{PREFIX} organisation").exists():
            raise CommandError("Scale data already exists in this database; use a fresh one.")
        if portfolios > units * len(PORTFOLIO_SHAPES):
            raise CommandError(f"At most {len(PORTFOLIO_SHAPES)} portfolios per unit.")
        rng = random.Random(seed)  # noqa: S311 -- reproducible synthetic data, not secrets
        started = t = time.monotonic()
        framework = Framework.objects.current()
        if framework is None:
            path = settings.BASE_DIR / "fixtures" / "standards" / "ee-sample.yaml"
            framework = framework_import(text=path.read_text(encoding="utf-8"), publish=True)
        criteria = list(Criterion.objects.filter(standard__framework=framework).order_by("id"))
        password = make_password("enabling-demo")
        today = timezone.localdate()

        with transaction.atomic():
            orgs = Organisation.objects.bulk_create(
                Organisation(name=f"{PREFIX} organisation {i:05d}")
                for i in range(max(1, units // 5))
            )
            settings_types = list(SettingType.values)
            regions = list(Region.values)
            unit_rows = Unit.objects.bulk_create(
                (
                    Unit(
                        organisation=orgs[i % len(orgs)],
                        name=f"{PREFIX} unit {i:05d}",
                        setting_type=settings_types[i % len(settings_types)],
                        region=regions[i % len(regions)],
                        show_on_register=i % 10 != 0,
                    )
                    for i in range(units)
                ),
                batch_size=BATCH,
            )
            programme = Programme.objects.get(code="ee-award")
            Membership.objects.bulk_create(
                (
                    Membership(
                        unit=u,
                        programme=programme,
                        start_date=today - dt.timedelta(days=rng.randint(0, 900)),
                        end_date=today + dt.timedelta(days=rng.randint(1, 400)),
                        status=MembershipStatus.ACTIVE if i % 7 else MembershipStatus.LAPSED,
                        fee_reference=f"SC-{i:06d}",
                    )
                    for i, u in enumerate(unit_rows)
                ),
                batch_size=BATCH,
            )
            users = User.objects.bulk_create(
                (
                    User(
                        email=f"scale-{kind}-{i:05d}@bench.test",
                        full_name=f"{kind} {i}",
                        password=password,
                    )
                    for i in range(units)
                    for kind in ("lead", "contributor")
                ),
                batch_size=BATCH,
            )
            UnitRole.objects.bulk_create(
                (
                    UnitRole(
                        user=users[2 * i + j],
                        unit=u,
                        role=UnitRoleKind.LEAD if j == 0 else UnitRoleKind.CONTRIBUTOR,
                    )
                    for i, u in enumerate(unit_rows)
                    for j in (0, 1)
                ),
                batch_size=BATCH,
            )
            assessors = User.objects.bulk_create(
                User(email=f"scale-assessor-{i:03d}@bench.test", full_name=f"Assessor {i}",
                     password=password, is_assessor=True)
                for i in range(max(2, units // 50))
            )  # fmt: skip
            t = self._step(f"{units} units, {len(users)} people, {len(assessors)} assessors", t)

            portfolio_rows = Portfolio.objects.bulk_create(
                (
                    Portfolio(
                        unit=unit_rows[i % units],
                        framework=framework,
                        cycle=PORTFOLIO_SHAPES[i // units][0],
                        state=PORTFOLIO_SHAPES[i // units][1],
                        created_by=users[2 * (i % units)],
                    )
                    for i in range(portfolios)
                ),
                batch_size=BATCH,
            )
            for chunk in _chunks(
                CriterionResponse(
                    portfolio=p,
                    criterion=c,
                    narrative=f"How {p.unit_id} meets {c.code}: community meetings, shared meals."
                    if (p.pk + c.pk) % 3
                    else "",
                    self_rating=SelfRating.MET if (p.pk + c.pk) % 3 else SelfRating.NOT_STARTED,
                )
                for p in portfolio_rows
                for c in criteria
            ):
                CriterionResponse.objects.bulk_create(chunk)
            t = self._step(
                f"{portfolios} portfolios with {portfolios * len(criteria)} responses", t
            )

            self._seed_evidence(portfolio_rows, criteria, users, evidence, units)
            t = self._step(f"{evidence} evidence rows and links", t)

            in_review = [p for p in portfolio_rows if p.state == PortfolioState.IN_REVIEW]
            per_assignment = len(criteria)
            needed = -(-scores // per_assignment) if scores else 0
            assignment_rows = Assignment.objects.bulk_create(
                Assignment(
                    portfolio=in_review[i % len(in_review)],
                    assessor=assessors[i % len(assessors)],
                    due_date=today + dt.timedelta(days=rng.randint(-10, 40)),
                    state=AssignmentState.SCORING,
                    declared_at=timezone.now(),
                )
                for i in range(min(needed, len(in_review)))
            ) if in_review else []  # fmt: skip
            score_iter = (
                CriterionScore(assignment=a, criterion=c, rating="met", comment="Clear evidence.")
                for a in assignment_rows
                for c in criteria
            )
            for chunk in _chunks(itertools.islice(score_iter, scores)):
                CriterionScore.objects.bulk_create(chunk)
            t = self._step(f"{len(assignment_rows)} assignments, {scores} scores", t)
            awards = self._seed_awards(portfolio_rows, today)
            t = self._step(f"{awards} awards with certificates", t)

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(f"Scale data ready in {time.monotonic() - started:.0f}s.")
        )

    def _seed_evidence(self, portfolio_rows, criteria, users, evidence: int, units: int) -> None:
        """Evidence rows sharing a pool of small real files, one criterion link each."""
        portfolios = len(portfolio_rows)
        files = []
        for i in range(SYNTHETIC_FILES):
            content = f"Synthetic evidence file {i}\nMinutes of the community meeting.\n".encode()
            name = default_storage.save(f"bench/synthetic-{i:04d}.txt", ContentFile(content))
            files.append((name, len(content), hashlib.sha256(content).hexdigest()))
        types = list(EvidenceType.values)
        uploaders = users
        for chunk in _chunks(range(evidence)):
            rows = []
            for n in chunk:
                p = portfolio_rows[n % portfolios]
                name, size, digest = files[n % SYNTHETIC_FILES]
                rows.append(
                    Evidence(
                        portfolio=p,
                        kind=EvidenceKind.FILE,
                        title=f"Evidence {n}",
                        description="Synthetic evidence for benchmarks.",
                        evidence_type=types[n % len(types)],
                        file=name,
                        original_name=f"evidence-{n}.txt",
                        content_type="text/plain",
                        size=size,
                        sha256=digest,
                        contains_identifiable=False,
                        uploaded_by=uploaders[2 * (p.unit_id % units) % len(uploaders)],
                    )
                )
            created = Evidence.objects.bulk_create(rows)
            EvidenceLink.objects.bulk_create(
                EvidenceLink(evidence=e, criterion=criteria[e.pk % len(criteria)]) for e in created
            )

    def _seed_awards(self, portfolio_rows, today: dt.date) -> int:
        """A decision, award and certificate for every awarded portfolio."""
        awarded = [p for p in portfolio_rows if p.state == PortfolioState.AWARDED]
        decisions = Decision.objects.bulk_create(
            (
                Decision(
                    portfolio=p,
                    outcome=DecisionOutcome.AWARDED,
                    rationale="All standards met.",
                    decided_on=today - dt.timedelta(days=p.pk % 1000),
                )
                for p in awarded
            ),
            batch_size=BATCH,
        )
        awards = Award.objects.bulk_create(
            (
                Award(
                    unit_id=d.portfolio.unit_id,
                    portfolio=d.portfolio,
                    decision=d,
                    framework_id=d.portfolio.framework_id,
                    start_date=d.decided_on,
                    end_date=d.decided_on + dt.timedelta(days=3 * 365),
                    interim_due=d.decided_on + dt.timedelta(days=548),
                )
                for d in decisions
            ),
            batch_size=BATCH,
        )
        Certificate.objects.bulk_create(
            (
                Certificate(
                    award=a,
                    number=f"EE-SCALE-{a.pk:06d}",
                    verify_code=hashlib.sha256(f"scale-{a.pk}".encode()).hexdigest(),
                )
                for a in awards
            ),
            batch_size=BATCH,
        )
        return len(awards)
