"""Shared fixtures: the shipped network and specs, and the paper's reference tables (copied into ppa/data)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ppa.workload import load_network
from ppa.spec import load_chip

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "ppa" / "data"


def reference(name: str) -> pd.DataFrame:
    """A reference CSV from ppa/data (comment lines name the paper table)."""
    return pd.read_csv(DATA / name, comment="#")


@pytest.fixture(scope="session")
def vgg8():
    return load_network(ROOT / "networks" / "vgg8.yaml")


@pytest.fixture(scope="session")
def dw():
    return load_chip("dw_40nm")


@pytest.fixture(scope="session")
def sram():
    return load_chip("sram_40nm")


@pytest.fixture(scope="session")
def sram3b():
    return load_chip("sram3b_40nm")
