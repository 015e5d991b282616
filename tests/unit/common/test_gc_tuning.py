"""The collector set for batches (services/common/gc_tuning.py): raised, never lowered,
and set by the matcher when it starts (issue 12, item 11)."""

from __future__ import annotations

import gc

import pytest

from services.common.gc_tuning import YOUNG_THRESHOLD, collect_less_often
from services.common.kafka import KafkaConnection
from services.common.settings import Settings
from services.matcher.bootstrap import build


@pytest.fixture
def thresholds():
    saved = gc.get_threshold()
    yield
    gc.set_threshold(*saved)


def test_the_young_threshold_is_raised_and_never_lowered(thresholds):
    gc.set_threshold(700, 10, 10)
    collect_less_often()
    assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
    gc.set_threshold(10 * YOUNG_THRESHOLD, 5, 7)
    collect_less_often()
    assert gc.get_threshold() == (10 * YOUNG_THRESHOLD, 5, 7)


async def test_the_matcher_sets_it_when_it_starts(thresholds, tmp_path):
    gc.set_threshold(700, 10, 10)
    settings = Settings(kafka_bootstrap="127.0.0.1:1", kafka_idempotent_producer=False,
                        database_url=f"sqlite:///{tmp_path}/matcher.db", data_dir=tmp_path)
    service = build(settings, KafkaConnection.from_settings(settings))
    assert gc.get_threshold()[0] == 700  # building touches nothing
    await service.on_starting()
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
