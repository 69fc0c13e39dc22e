"""scripts/fit_weights.py on small made-up sets: it is deterministic, moves only the weights
it may, and learns a weight the data clearly asks for."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "fit_weights.py"


@pytest.fixture(scope="module")
def fw() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fit_weights", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def made_up(fw: ModuleType, n: int = 60) -> list[Any]:
    """Names with two candidates: feature 0 (a prior) favours the wrong one a little,
    feature 1 marks the right one — as "the text says X, Y" would."""
    groups = []
    for k in range(n):
        bigger = 0.5 + (k % 5) / 10
        values = np.array([[0.0, 1.0, 0.0], [bigger, 0.0, float(k % 2)]])
        groups.append(fw.Group(values, np.array([True, False])))
    return groups


def test_the_fit_learns_the_deciding_weight(fw: ModuleType) -> None:
    groups = made_up(fw)
    start = np.array([1.0, 0.0, 0.0])
    free = np.array([False, True, True])
    w = fw.fit(groups, start, free)
    assert w[0] == 1.0, "a weight that is not free stays where it was"
    assert w[1] > 1.0, "the right candidate's feature must outweigh the prior's lead"
    assert fw.accuracy(start, groups) == 0.0
    assert fw.accuracy(w, groups) == 1.0


def test_the_fit_is_deterministic(fw: ModuleType) -> None:
    groups = made_up(fw)
    start = np.array([1.0, 0.5, -0.5])
    free = np.array([False, True, True])
    assert fw.fit(groups, start, free).tolist() == fw.fit(groups, start, free).tolist()


def test_a_feature_that_decides_too_few_names_is_not_counted(fw: ModuleType) -> None:
    groups = made_up(fw)
    counts = fw.deciding(groups)
    assert counts.tolist() == [len(groups), len(groups), len(groups) // 2]
    same = [fw.Group(np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]), np.array([True, False]))]
    assert fw.deciding(same).tolist() == [0, 0, 0]


def test_no_names_leaves_the_table_as_it_is(fw: ModuleType) -> None:
    start = np.array([1.0, 2.0])
    assert fw.fit([], start, np.array([False, True])).tolist() == [1.0, 2.0]
