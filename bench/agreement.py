"""Agreement benchmark (issue 16, deliverable 8). Not part of the test suite. Prints JSON.

Data: 200 assessors, --portfolios portfolios (20,000 in `make bench`) x 40 criteria, each
scored by two assessors and agreed: 1.6 million ratings and 800,000 agreed ratings, written by
INSERT ... SELECT on PostgreSQL (kept between runs: seeding is skipped when the data is there).

1. One pass: every assessor's agreement (reviews.agreement.agreement_by_assessor: the GROUP BY
   aggregate, the rating scale, the AC1/CI arithmetic on the counts) against the single
   aggregate query that feeds it, alone. Interleaved medians. Target: one pass <= 1.25 x the
   aggregate (the arithmetic in Python costs next to nothing beside the SQL).
2. Queries: the assessor page (/reviews/agreement/assessors/<id>/) for an assessor with one
   portfolio and for one with about 200 across eight quarters: the same number of queries.

Its own database (never the test one), made if missing:
    BENCH_AGREEMENT_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ee_bench_agreement)
Usage: .venv/bin/python bench/agreement.py [--portfolios 20000] [--runs 7]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
DB_URL = os.environ.get(
    "BENCH_AGREEMENT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ee_bench_agreement"
)
ASSESSORS = 200
TARGET_RATIO = 1.25
BENCH_ORG = "Bench agreement (synthetic)"

os.environ.update(
    DJANGO_SETTINGS_MODULE="ee_portal.settings.base",
    DJANGO_DEBUG="1",
    DATABASE_URL=DB_URL,
    EMAIL_URL="consolemail://",
)
os.environ.pop("REDIS_URL", None)  # nothing here uses the cache or Celery
sys.path.insert(0, str(ROOT))


def _ensure_database() -> None:
    url = urlparse(DB_URL)
    name = url.path.lstrip("/")
    args = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432)]
    args += ["-U", url.username or "postgres"]
    names = subprocess.run(
        ["psql", *args, "-Atc", "SELECT datname FROM pg_database", "postgres"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    if name not in names:
        subprocess.run(["createdb", *args, name], check=True)


def _seed(portfolios: int) -> dict:
    """Seed once; returns sizes and the seconds it took (0 when the data was there)."""
    from django.db import connection, transaction  # noqa: PLC0415

    from network.models import Organisation, Unit, User  # noqa: PLC0415
    from portfolios.models import Portfolio  # noqa: PLC0415
    from reviews.models import Assignment  # noqa: PLC0415
    from standards.models import Criterion, Framework  # noqa: PLC0415
    from standards.services import framework_import  # noqa: PLC0415

    framework = Framework.objects.filter(code="ee-sample-2013").first()
    if framework is None:
        text = (ROOT / "fixtures" / "standards" / "ee-sample.yaml").read_text("utf-8")
        framework = framework_import(text=text, publish=True)
    if Organisation.objects.filter(name=BENCH_ORG).exists():
        return {"seed_seconds": 0.0}
    start = time.perf_counter()
    with transaction.atomic():
        org = Organisation.objects.create(name=BENCH_ORG)
        units = Unit.objects.bulk_create(
            Unit(organisation=org, name=f"Bench unit {i}", setting_type="housing", region="london")
            for i in range(100)
        )
        assessors = User.objects.bulk_create(
            User(email=f"bench-assessor-{i}@bench.test", full_name=f"Bench Assessor {i:03d}",
                 is_assessor=True, password="!")
            for i in range(ASSESSORS)
        )  # fmt: skip
        criteria = list(Criterion.objects.filter(standard__framework=framework))
        assert len(criteria) == 40, len(criteria)  # noqa: S101 -- the sample framework
        with connection.cursor() as cursor:
            params = {
                "n": portfolios,
                "framework": framework.pk,
                "unit0": units[0].pk,
                "units": len(units),
                "a0": assessors[0].pk,
                "assessors": len(assessors),
                "org": org.pk,
            }
            # Awarded (closed) portfolios: any number per unit.
            cursor.execute(
                f"""INSERT INTO {Portfolio._meta.db_table}
                  (unit_id, framework_id, cycle, state, title, created_at, updated_at,
                   submitted_at, closed_at)
                SELECT %(unit0)s + g %% %(units)s, %(framework)s, 'initial', 'awarded', '',
                       now(), now(), now(), now()
                FROM generate_series(0, %(n)s - 1) g""",  # noqa: S608 -- table names from _meta
                params,
            )
            # Two assessors per portfolio, submitted across eight quarters.
            cursor.execute(
                f"""INSERT INTO {Assignment._meta.db_table}
                  (portfolio_id, assessor_id, is_lead, due_date, state, declared_at,
                   conflict_reason, scores_submitted_at, created_at, updated_at)
                SELECT p.id, %(a0)s + ((p.id * 2 + k) %% %(assessors)s), k = 0,
                       current_date, 'submitted', now(), '',
                       now() - ((p.id %% 730) || ' days')::interval, now(), now()
                FROM {Portfolio._meta.db_table} p
                JOIN {Unit._meta.db_table} u ON u.id = p.unit_id AND u.organisation_id = %(org)s
                CROSS JOIN (VALUES (0), (1)) AS lead(k)""",  # noqa: S608
                params,
            )
            agreed = """CASE WHEN (p.id * 7 + c.id * 13) %% 10 = 0 THEN 'partly_met'
                             WHEN (p.id * 7 + c.id * 13) %% 29 = 0 THEN 'not_met'
                             ELSE 'met' END"""
            cursor.execute(
                f"""INSERT INTO reviews_agreedscore
                  (portfolio_id, criterion_id, rating, comment, created_at, updated_at)
                SELECT p.id, c.id, {agreed}, '', now(), now()
                FROM {Portfolio._meta.db_table} p
                JOIN {Unit._meta.db_table} u ON u.id = p.unit_id AND u.organisation_id = %(org)s
                CROSS JOIN standards_criterion c
                JOIN standards_standard s ON s.id = c.standard_id
                WHERE s.framework_id = %(framework)s""",  # noqa: S608
                params,
            )
            # Each assessor departs from the agreed rating at their own rate (1 in 5 to 1 in 24).
            cursor.execute(
                f"""INSERT INTO reviews_criterionscore
                  (assignment_id, criterion_id, rating, comment, created_at, updated_at)
                SELECT a.id, c.id,
                       CASE WHEN (a.id * 11 + c.id * 3) %% (5 + a.assessor_id %% 20) = 0
                            THEN (CASE WHEN {agreed} = 'met' THEN 'partly_met' ELSE 'met' END)
                            ELSE {agreed} END,
                       '', now(), now()
                FROM {Assignment._meta.db_table} a
                JOIN {Portfolio._meta.db_table} p ON p.id = a.portfolio_id
                JOIN {Unit._meta.db_table} u ON u.id = p.unit_id AND u.organisation_id = %(org)s
                CROSS JOIN standards_criterion c
                JOIN standards_standard s ON s.id = c.standard_id
                WHERE s.framework_id = %(framework)s""",  # noqa: S608
                params,
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"seed_seconds": round(time.perf_counter() - start, 1)}


def _interleaved_medians(fns: dict, runs: int) -> dict[str, float]:
    for fn in fns.values():  # warm-up: the tables into shared buffers
        fn()
    wall: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            wall[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in wall.items()}


def _page_queries(user) -> int:
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    url = f"/reviews/agreement/assessors/{user.pk}/"
    client.get(url)  # the session's first save is not the page's
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return len(ctx.captured_queries)


def _small_assessor():
    """An assessor with one scored, agreed portfolio (made once)."""
    from network.models import Unit, User  # noqa: PLC0415
    from portfolios.models import Portfolio  # noqa: PLC0415
    from reviews.models import AgreedScore, Assignment, CriterionScore  # noqa: PLC0415
    from standards.models import Criterion, Framework  # noqa: PLC0415

    user, created = User.objects.get_or_create(
        email="bench-assessor-small@bench.test",
        defaults={"full_name": "Bench Small", "is_assessor": True, "password": "!"},
    )
    if created:
        framework = Framework.objects.get(code="ee-sample-2013")
        unit = Unit.objects.filter(organisation__name=BENCH_ORG).first()
        portfolio = Portfolio.objects.create(unit=unit, framework=framework, state="awarded")
        assignment = Assignment.objects.create(
            portfolio=portfolio, assessor=user, due_date="2026-01-01", state="submitted",
            scores_submitted_at=portfolio.created_at,
        )  # fmt: skip
        for criterion in Criterion.objects.filter(standard__framework=framework):
            CriterionScore.objects.create(assignment=assignment, criterion=criterion, rating="met")
            AgreedScore.objects.create(portfolio=portfolio, criterion=criterion, rating="met")
    return user


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--portfolios", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    _ensure_database()
    import django  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db.models import Count, F  # noqa: PLC0415

    from network.models import User  # noqa: PLC0415
    from reviews.agreement import agreement_by_assessor, scored_against_agreed  # noqa: PLC0415
    from reviews.models import AgreedScore, CriterionScore  # noqa: PLC0415

    seeded = _seed(args.portfolios)

    def aggregate_only() -> list:
        return list(
            scored_against_agreed()
            .annotate(agreed_rating=F("agreed__rating"))
            .values_list("assignment__assessor_id", "rating", "agreed_rating")
            .annotate(n=Count("id"))
            .order_by()
        )

    rows = aggregate_only()
    figures = agreement_by_assessor()
    medians = _interleaved_medians(
        {"aggregate": aggregate_only, "one_pass": agreement_by_assessor}, args.runs
    )
    ratio = medians["one_pass"] / medians["aggregate"]
    large = User.objects.filter(email="bench-assessor-0@bench.test").get()
    small = _small_assessor()
    queries = {"small": _page_queries(small), "large": _page_queries(large)}
    result = {
        "sizes": {
            "assessors": ASSESSORS,
            "portfolios": args.portfolios,
            "ratings": CriterionScore.objects.count(),
            "agreed": AgreedScore.objects.count(),
            "aggregate_rows": len(rows),
            "assessors_with_figures": len(figures),
        },
        **seeded,
        "aggregate_seconds": round(medians["aggregate"], 3),
        "one_pass_seconds": round(medians["one_pass"], 3),
        "queries": queries,
        "targets": {
            "one_pass_vs_aggregate": {
                "value": round(ratio, 3),
                "limit": TARGET_RATIO,
                "met": ratio <= TARGET_RATIO,
            },
            "assessor_page_queries_constant": {
                "value": queries["large"],
                "limit": queries["small"],
                "met": queries["large"] == queries["small"],
            },
        },
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
