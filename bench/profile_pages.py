"""Profile the benchmarked pages in-process (CPU per request, queries, top functions).

Not part of `make bench`: a tool for finding where a page spends its time. It uses the same
production settings as the bench, calls Django's WSGI handler directly (no HTTP), and prints
the CPU milliseconds per request of each page next to the bare one-query view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ee_perf python bench/profile_pages.py [--make]
        [--only builder,standard] [--n 200] [--profile builder]

--make creates the bench fixtures (users, sessions, portfolios) in that database first and
stores the page list in var/bench-profile.json; later runs reuse it.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATE = ROOT / "var" / "bench-profile.json"


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ee_portal.settings.base")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("EE_BENCH_VIEWS", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.pop("DJANGO_DEBUG", None)
    sys.path.insert(0, str(ROOT))
    import django  # noqa: PLC0415

    django.setup()


def call(handler, path: str, cookie: str | None) -> tuple[str, bytes]:
    from urllib.parse import urlsplit  # noqa: PLC0415

    parts = urlsplit(path)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8765",
        "HTTP_HOST": "127.0.0.1:8765",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    status = []

    def start_response(s, headers, exc_info=None):
        status.append(s)

    body = b"".join(handler(environ, start_response))
    return status[0], body


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--make", action="store_true")
    parser.add_argument("--only", default="")
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--profile", default="")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    setup()
    from django.core.wsgi import get_wsgi_application  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    if args.make or not STATE.exists():
        from bench import fixtures  # noqa: PLC0415

        fx = fixtures.make()
        state = {"pages": fx["pages"], "baselines": fx["baselines"]}
        STATE.parent.mkdir(exist_ok=True)
        STATE.write_text(json.dumps(state))
    state = json.loads(STATE.read_text())
    handler = get_wsgi_application()
    only = set(filter(None, args.only.split(",")))
    pages = [p for p in state["pages"] if not only or p["name"] in only]
    bare = {
        "name": "bare(signed in)",
        "path": "/bench/bare/",
        "cookie": state["baselines"]["lead"],
    }
    for page in [bare, *pages]:
        status, body = call(handler, page["path"], page["cookie"])
        if not status.startswith("200"):
            print(page["name"], status, body[:300])
            continue
        sqls: list[str] = []

        def record(execute, sql, params, many, context, sqls=sqls):  # noqa: PLR0917
            sqls.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            call(handler, page["path"], page["cookie"])
        started = time.process_time()
        for _ in range(args.n):
            call(handler, page["path"], page["cookie"])
        cpu_ms = (time.process_time() - started) / args.n * 1000
        print(
            f"{page['name']:20} {cpu_ms:7.2f} ms CPU  {len(sqls):3} queries  "
            f"{len(body) // 1024:4} KiB  {page['path']}"
        )
        if args.profile == page["name"] or args.profile == "all":
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(args.n):
                call(handler, page["path"], page["cookie"])
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(args.top)
            pstats.Stats(prof).sort_stats("tottime").print_stats(args.top)
        if args.profile == "sql" or args.profile == page["name"] + ":sql":
            for sql in sqls:
                print("   ", sql[:300])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
