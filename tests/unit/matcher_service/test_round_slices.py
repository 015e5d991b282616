"""A firm's and a provider's slice of a committed round (services/matcher/adapters/round_slices.py):
what their own tokens may read, and enough of it for their PDFs to be the operator's."""

from __future__ import annotations

import json

from services.common.i18n import texts
from services.matcher.adapters.round_slices import firm_slice, provider_slice
from services.matcher.views import RoundDetail
from services.operator.adapters.exports import firm_statement_pdf, provider_award_pdf
from tests.unit.exports.test_exports import named_round


def detail(**changes) -> RoundDetail:
    return RoundDetail.model_validate({**named_round(), **changes})


def test_a_firms_slice_holds_nothing_of_the_other_firm():
    whole = detail()
    mine = firm_slice(whole, "MO-F0001")
    assert [f["firm_id"] for f in mine["firms"]] == ["MO-F0001"]
    text = json.dumps(mine)
    assert "MO-F0002" not in text and "Tipografia" not in text  # the other firm, by id or name
    lines = [line for c in mine["contracts"] for o in c["offers"] for line in o["lines"]]
    assert lines and {line["firm_id"] for line in lines} == {"MO-F0001"}
    # Nor the group's figures that count the other firm's units, nor the provider's costs.
    assert all(set(o) == {"offer_id", "tier_index", "unit_price_eur", "lines"}
               for c in mine["contracts"] for o in c["offers"])
    assert "coverage" not in mine and "total_cost_eur" not in mine


def test_the_statement_from_the_slice_is_the_statement_from_the_whole_round():
    whole = detail()
    for firm in ("MO-F0001", "MO-F0002"):
        for language in ("it", "en"):
            assert firm_statement_pdf(texts(language), firm_slice(whole, firm), firm) == \
                firm_statement_pdf(texts(language), whole.model_dump(mode="json"), firm)


def test_a_providers_slice_is_its_own_contract_and_its_award_reads_the_same():
    whole = detail()
    mine = provider_slice(whole, "MO-P0003")
    assert [c["provider_id"] for c in mine["contracts"]] == ["MO-P0003"]
    assert mine["firms"] == [] and mine["unmet"] == []
    assert "MO-P0007" not in json.dumps(mine)
    assert provider_award_pdf(texts("it"), mine, "MO-P0003") == \
        provider_award_pdf(texts("it"), whole.model_dump(mode="json"), "MO-P0003")


def test_no_slice_of_a_dry_run_an_unfinished_round_or_a_stranger():
    assert firm_slice(detail(dry_run=True), "MO-F0001") is None
    assert provider_slice(detail(dry_run=True), "MO-P0003") is None
    assert firm_slice(detail(status="running"), "MO-F0001") is None
    assert firm_slice(detail(), "MO-F9999") is None
    assert provider_slice(detail(), "MO-P9999") is None
    assert firm_slice(None, "MO-F0001") is None
