"""docs/performance.md from a results file."""

import json
import sys
from pathlib import Path

HEADER = """# Performance

`make bench` measures the portal on PostgreSQL with gunicorn (2 workers) and a Celery worker on
Redis, with `manage.py seed_scale` data. Every target is a ratio against a baseline measured in
the same run (a bare Django view doing one query through the full middleware stack, `cp`,
`zip -0 -r`, a one-line WeasyPrint page, an in-process loop), and each figure is the median
of several runs: the machine is shared and timings are noisy. Signed-in pages are compared
with the bare view requested by a signed-in user, anonymous pages with the anonymous bare view.

Raw results: `bench/results/<date>.json` (each target has `value`, `limit` and `met`).
"""


def write_markdown(result: dict, path: Path) -> None:
    m = result["machine"]
    lines = [HEADER, f"## Latest run: {result['date']}", ""]
    lines.append(
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}; "
        f"{m['postgresql']}; {m['os']}."
    )
    sizes = ", ".join(f"{v:,} {k}" for k, v in result["sizes"].items())
    lines += ["", f"Data: {sizes} (seeded in {result['seed_seconds']} s).", ""]
    lines += ["### Pages", "", "| page | as | req/s | bare req/s | ratio (≥ 0.40) | p95 ms | bare p95 ms | ratio (≤ 2.5) |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for p in result["pages"]:
        lines.append(
            f"| {p['name']} | {p['as']} | {p['rps']} | {p['baseline_rps']} | {p['throughput_ratio']} "
            f"| {p['p95_ms']} | {p['baseline_p95_ms']} | {p['p95_ratio']} |"
        )
    lines += ["", "### SQL queries per page as data grows", "", "| page | compared | small | large |",
              "| --- | --- | ---: | ---: |"]  # fmt: skip
    for q in result["queries"]:
        lines.append(f"| {q['name']} | {q['detail']} | {q['small']} | {q['large']} |")
    lines += [
        "",
        "### All targets",
        "",
        "| target | value | limit | met |",
        "| --- | ---: | ---: | --- |",
    ]
    for name, t in result["targets"].items():
        lines.append(
            f"| {name} | {t['value']} | {t['limit']} | {'yes' if t['met'] else '**no**'} |"
        )
    lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    write_markdown(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))
