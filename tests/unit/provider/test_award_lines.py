"""What ``welfare provider listen`` prints of an award: every line, in Italian and English."""

from __future__ import annotations

from schemas.assignments import AwardedLine, AwardedOffer, ContractAwarded
from services.cli.provider_cmd import describe_award_lines, weeks
from services.common.i18n import texts

NBSP = "\xa0"


def award() -> ContractAwarded:
    ceramiche = AwardedLine(
        firm_id="MO-F0001", line_id="MO-F0001.childcare", units=6,
        weeks=["2027-W27", "2027-W28", "2027-W30"], unit_price_eur="1100.00",
        cost_eur="19800.00", firm_name="Ceramiche Sassuolo", municipality="036023",
        municipality_name="Modena (MO)", category="childcare",
        required_tags=["accessible", "gluten_free"])
    old = AwardedLine(  # as an award written before lines named anything
        firm_id="MO-F0002", line_id="MO-F0002.childcare", units=1, weeks=["2027-W27"],
        unit_price_eur="1100.00", cost_eur="1100.00")
    return ContractAwarded(
        network_id="modena", entity_version=1, contract_id="r1:gulliver", round_id="r1",
        provider_id="gulliver", provider_name="Cooperativa Gulliver",
        offers=[AwardedOffer(offer_id="gulliver.camp", tier_index=0, unit_price_eur="1100.00",
                             volume_unit_weeks=19,
                             running_weeks=["2027-W27", "2027-W28", "2027-W30"],
                             fixed_cost_eur="0.00", lines=[ceramiche, old])])


def test_every_line_in_italian():
    assert describe_award_lines(award(), texts("it")) == [
        "aggiudicazione r1:gulliver a Cooperativa Gulliver (gulliver): 1 offerta, "
        "2 righe di imprese, 19 unità-settimana",
        "  offerta gulliver.camp: fascia 1 a 1.100,00\xa0€ per unità-settimana, "
        "settimane 27–28, 5–18 luglio 2027 e settimana 30, 26 luglio – 1 agosto 2027",
        "    Ceramiche Sassuolo (MO-F0001), riga MO-F0001.childcare: 6 unità a settimana, "
        "Servizi per l'infanzia nelle chiusure scolastiche, a 036023 Modena (MO); "
        "requisiti: accessible, gluten_free; settimane 27–28, 5–18 luglio 2027 e "
        "settimana 30, 26 luglio – 1 agosto 2027; 1.100,00\xa0€ per unità-settimana, "
        "19.800,00\xa0€ in tutto",
        "    MO-F0002, riga MO-F0002.childcare: 1 unità a settimana, –, a –; requisiti: "
        "nessuno in particolare; settimana 27, 5–11 luglio 2027; 1.100,00\xa0€ per "
        "unità-settimana, 1.100,00\xa0€ in tutto",
    ]


def test_every_line_in_english():
    lines = describe_award_lines(award(), texts("en"))
    assert lines[0] == ("award r1:gulliver to Cooperativa Gulliver (gulliver): 1 offer, "
                        "2 firm lines, 19 unit-weeks")
    assert lines[2] == (
        "    Ceramiche Sassuolo (MO-F0001), line MO-F0001.childcare: 6 units a week, "
        "Childcare during school closures, in 036023 Modena (MO); requires: accessible, "
        "gluten_free; weeks 27–28, 5–18 July 2027 and week 30, 26 July – 1 August 2027; "
        "€1,100.00 per unit-week, €19,800.00 in all")


def test_weeks_are_told_as_runs_across_the_year_end():
    assert weeks(texts("en"), ["2027-W52", "2028-W01", "2027-W51"]) == (
        "weeks 2027-W51–2028-W01, 20 December 2027 – 9 January 2028")
