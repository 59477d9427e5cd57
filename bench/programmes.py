"""Community of Communities benchmarks (issue 14, deliverable 10). Not part of the test
suite. Prints JSON (one line) for bench/run.py.

1. The national report page (GET /programmes/cofc/national/<year>/ as a CCQI admin, through
   the whole middleware stack) against the one SQL aggregate that feeds it
   (programmes.selectors.national_aggregate_queryset), over 300 communities x 120 criteria x
   self and peer ratings. Interleaved (aggregate, page, aggregate ...), medians of wall time
   over --runs rounds after a warm-up. Target: page <= 3x the aggregate.
2. The coordinator's dashboard: SQL queries with 30 and with 300 communities. Target: equal.

It makes (and drops) its own PostgreSQL database, never the test one:
    BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ee_bench_cofc)
Usage: .venv/bin/python bench/programmes.py [--communities 300] [--criteria 120] [--runs 21]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ee_bench_cofc")
MEDIA = Path(tempfile.mkdtemp(prefix="ee-bench-cofc-"))
YEAR = 2026
TARGET_RATIO = 3.0

os.environ.update(
    DJANGO_SETTINGS_MODULE="ee_portal.settings.base",
    DJANGO_DEBUG="1",
    DATABASE_URL=DB_URL,
    EE_MEDIA_ROOT=str(MEDIA),
    EMAIL_URL="consolemail://",
)
os.environ.pop("REDIS_URL", None)  # no cache: the page is rendered every time

from bench.pgdb import recreate_database  # noqa: E402 -- stdlib-only import, after the path


def _framework(criteria: int):
    from standards.enums import FrameworkStatus  # noqa: PLC0415
    from standards.models import Criterion, Framework, Standard  # noqa: PLC0415

    framework = Framework.objects.create(
        code="cofc-bench",
        title="Bench network standards",
        version="1",
        programme="cofc",
        decision_rule=[{"type": 1, "share": 1}, {"type": 2, "share": 0.8}],
    )
    per_standard = 10
    for number in range(1, criteria // per_standard + 1):
        standard = Standard.objects.create(
            framework=framework,
            number=number,
            name=f"Standard {number}",
            value_statement="A bench standard.",
        )
        Criterion.objects.bulk_create(
            Criterion(
                standard=standard,
                code=f"{number}.{i}",
                text=f"Criterion {number}.{i}",
                order=i,
                criterion_type=(i % 3) + 1,
            )
            for i in range(1, per_standard + 1)
        )
    Framework.objects.filter(pk=framework.pk).update(status=FrameworkStatus.PUBLISHED)
    return framework


def _communities(framework, start: int, count: int, admin) -> None:
    """``count`` full members with a submitted annual cycle, self ratings and agreed peer
    ratings on every criterion (bulk inserts)."""
    import datetime as dt  # noqa: PLC0415

    from network.models import Membership, Organisation, Programme, Unit  # noqa: PLC0415
    from portfolios.models import CriterionResponse, Portfolio  # noqa: PLC0415
    from reviews.models import AgreedScore  # noqa: PLC0415
    from standards.models import Criterion  # noqa: PLC0415

    programme = Programme.objects.get(code="cofc")
    criteria = list(Criterion.objects.filter(standard__framework=framework))
    ratings = ("met", "met", "partly_met", "not_met")
    today = dt.date.today()
    for n in range(start, start + count):
        org = Organisation.objects.create(name=f"Bench organisation {n}")
        unit = Unit.objects.create(
            organisation=org, name=f"Community {n}", setting_type="therapeutic_community",
            region="london",
        )  # fmt: skip
        Membership.objects.create(
            unit=unit, programme=programme, start_date=today - dt.timedelta(days=10),
            end_date=today + dt.timedelta(days=300), membership_type="full",
        )  # fmt: skip
        portfolio = Portfolio.objects.create(
            unit=unit, framework=framework, cycle="annual", cycle_year=YEAR, state="in_review",
            created_by=admin,
        )  # fmt: skip
        CriterionResponse.objects.bulk_create(
            CriterionResponse(
                portfolio=portfolio, criterion=c, narrative="x",
                self_rating=ratings[(n + i) % 4],
            )
            for i, c in enumerate(criteria)
        )  # fmt: skip
        AgreedScore.objects.bulk_create(
            AgreedScore(portfolio=portfolio, criterion=c, rating=ratings[(n + i + 1) % 4])
            for i, c in enumerate(criteria)
        )


def dashboard_queries(client) -> int:
    """SQL queries of one dashboard request. The query log is emptied first: with debug on it
    keeps only the last 9,000 queries, and the seeding filled it."""
    from django.db import connection, reset_queries  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/programmes/cofc/")
    if response.status_code != 200:
        raise RuntimeError(f"the dashboard answered {response.status_code}")
    return len(ctx.captured_queries)


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def bench(communities: int, criteria: int, runs: int) -> dict:
    import django  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415

    recreate_database(DB_URL)
    django.setup()
    call_command("migrate", verbosity=0)

    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import setup_test_environment  # noqa: PLC0415

    from network.models import User  # noqa: PLC0415
    from programmes.selectors import national_aggregate  # noqa: PLC0415

    setup_test_environment()
    admin = User.objects.create_user(
        email="bench-admin@bench.test", password="enabling-demo", is_ccqi_admin=True
    )
    framework = _framework(criteria)
    client = Client()
    client.force_login(admin)

    small = max(communities // 10, 1)
    _communities(framework, 0, small, admin)
    small_queries = dashboard_queries(client)
    _communities(framework, small, communities - small, admin)
    large_queries = dashboard_queries(client)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    url = f"/programmes/cofc/national/{YEAR}/"

    def aggregate() -> float:
        start = time.perf_counter()
        rows = national_aggregate(year=YEAR)
        elapsed = time.perf_counter() - start
        assert len(rows) == criteria // 10
        return elapsed

    def page() -> float:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200
        return elapsed

    for _ in range(3):  # warm-up: plans, templates, connection
        aggregate()
        page()
    agg_runs, page_runs = [], []
    for _ in range(runs):
        agg_runs.append(aggregate())
        page_runs.append(page())
    ratio = round(statistics.median(page_runs) / statistics.median(agg_runs), 2)
    return {
        "communities": communities,
        "criteria": criteria,
        "ratings": communities * criteria * 2,
        "aggregate_ms": _median_ms(agg_runs),
        "page_ms": _median_ms(page_runs),
        "page_vs_aggregate": ratio,
        "dashboard_queries": {str(small): small_queries, str(communities): large_queries},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communities", type=int, default=300)
    parser.add_argument("--criteria", type=int, default=120)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    result = bench(args.communities, args.criteria, args.runs)
    queries = list(result["dashboard_queries"].values())
    # The shape bench/run.py merges: each target has value, limit and met.
    result["targets"] = {
        "national_report_vs_aggregate": {
            "value": result["page_vs_aggregate"],
            "limit": TARGET_RATIO,
            "met": result["page_vs_aggregate"] <= TARGET_RATIO,
        },
        "dashboard_queries_constant": {
            "value": queries[-1],
            "limit": queries[0],
            "met": queries[-1] == queries[0],
        },
    }
    print(json.dumps(result))  # one line: bench/run.py reads the last line


if __name__ == "__main__":
    main()
