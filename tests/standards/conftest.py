from pathlib import Path

import pytest
import yaml

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "standards" / "ee-sample.yaml"


@pytest.fixture
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def sample_data(sample_text) -> dict:
    return yaml.safe_load(sample_text)
