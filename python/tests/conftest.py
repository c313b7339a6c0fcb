"""The package under test is the build tree's (CTest sets PYTHONPATH to <build>/python) or an
installed one; the examples are the repository's."""

import os
import pathlib

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def examples():
    return EXAMPLES


def eight_schools_data():
    return {"J": 8, "y": np.array([28.0, 8, -3, 7, -1, 1, 18, 12]),
            "sigma": np.array([15.0, 10, 16, 11, 9, 11, 10, 18])}


SCHOOLS = ["Choate", "Deerfield", "Phillips Andover", "Phillips Exeter", "Hotchkiss",
           "Lawrenceville", "St. Paul's", "Mt. Hermon"]


@pytest.fixture(autouse=True)
def _no_config_writes(tmp_path, monkeypatch):
    # The engine writes ~/.stochos/stochos.json on first use; tests keep $HOME untouched.
    monkeypatch.setenv("STOCHOS_HOME", str(tmp_path / "stochos-home"))
    monkeypatch.delenv("STOCHOS_BACKEND", raising=False)
    yield


os.environ.setdefault("OMP_NUM_THREADS", "1")
