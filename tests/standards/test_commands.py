import pytest
import yaml
from django.core.management import CommandError, call_command

from standards.models import Framework

pytestmark = pytest.mark.django_db


def test_import_standards_command_loads_and_publishes(tmp_path, sample_data, capsys):
    sample_data["status"] = "draft"
    path = tmp_path / "standards.yaml"
    path.write_text(yaml.safe_dump(sample_data), encoding="utf-8")
    call_command("import_standards", str(path), "--publish")
    assert "10 standards, 40 criteria" in capsys.readouterr().out
    assert Framework.objects.current().code == sample_data["code"]


def test_import_standards_command_prints_each_problem_and_fails(tmp_path, sample_data, capsys):
    del sample_data["standards"][3]["criteria"][0]["code"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(sample_data), encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_standards", str(path))
    err = capsys.readouterr().err
    assert "standards[3].criteria[0].code: is required" in err
    assert f"{path}: line " in err
    assert Framework.objects.count() == 0


def test_import_standards_command_unreadable_file(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("code: caf\xe9\n".encode("latin-1"))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_standards", str(path))


def test_export_standards_command_writes_the_import_format(tmp_path, sample_text):
    src = tmp_path / "in.yaml"
    src.write_text(sample_text, encoding="utf-8")
    call_command("import_standards", str(src))
    out = tmp_path / "out.yaml"
    call_command("export_standards", "ee-sample-2013", "--output", str(out))
    assert yaml.safe_load(out.read_text())["standards"] == yaml.safe_load(sample_text)["standards"]


def test_export_standards_command_unknown_code():
    with pytest.raises(CommandError, match="No framework with code 'nope'"):
        call_command("export_standards", "nope")
