"""bench/report.py rewrites only the latest run's section of docs/performance.md: the notes
written by people around it (why each target is met, what was measured) are kept."""

import json
from pathlib import Path

from bench import report

ROOT = Path(__file__).resolve().parents[2]


def _result() -> dict:
    return json.loads((ROOT / "bench" / "results" / "2026-11-30.json").read_text())


def test_only_the_latest_run_is_rewritten(tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text(
        "# Performance\n\nOur own introduction.\n\n"
        f"{report.RUN_START}2000-01-01\n\nold figures\n\n"
        f"{report.NOTES_START}\n\nNotes written by hand.\n",
        encoding="utf-8",
    )
    result = _result()
    report.write_markdown(result, doc)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\nOur own introduction.\n\n")
    assert text.endswith(f"{report.NOTES_START}\n\nNotes written by hand.\n")
    assert "old figures" not in text
    assert f"{report.RUN_START}{result['date']}" in text
    met = sum(t["met"] for t in result["targets"].values())
    assert f"**{met} of {len(result['targets'])} targets met.**" in text


def test_a_new_file_gets_the_whole_document(tmp_path):
    doc = tmp_path / "performance.md"
    report.write_markdown(_result(), doc)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Performance")
    assert report.NOTES_START in text


def test_the_questionnaire_block_gets_its_row(tmp_path):
    result = _result()
    run = {"rps": 200.0, "cpu_ms": 6.0}
    result["files"]["questionnaires"] = {
        "workers": 5,
        "posting": [run, {**run, "rps": 210.0}],
        "bare": [{"rps": 500.0}, {"rps": 520.0}],
        "ratios": [0.4, 0.404],
        "stored": [300, 300],
        "cpu_ms_per_request": {"bare": 1.9, "posting": 6.0},
    }
    doc = tmp_path / "performance.md"
    report.write_markdown(result, doc)
    row = next(
        line for line in doc.read_text(encoding="utf-8").splitlines() if "questionnaire:" in line
    )
    assert "2 rounds, 5 workers" in row
    assert "posting [200.0, 210.0] req/s, bare POST [500.0, 520.0] req/s" in row
    assert "stored per round [300, 300]" in row
    assert "posting 6.0, bare POST 1.9" in row
