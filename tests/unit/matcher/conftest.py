"""Every round a matcher test solves goes through the independent checker."""

from __future__ import annotations

import pytest

from matcher import solve_round
from tests.support.checker import check


@pytest.fixture
def solved():
    """``solved(snapshot, **parameter overrides) -> RoundResult``, checked."""

    def run(snapshot, **overrides):
        params = snapshot.parameters.model_copy(update=overrides) if overrides else None
        result = solve_round(snapshot, params)
        assert check(snapshot, result) == []
        return result

    return run
