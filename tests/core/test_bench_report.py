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
