"""The CLI's round report in Italian and in English, against expected text for a fixed round.

The round (tests/unit/i18n/round_detail.py) is fixed: no solver, no timing.
Money is compared with plain spaces; that the report puts a no-break space
between a sum and its euro sign is checked once, apart.
"""

from __future__ import annotations

from services.operator.report import format_round, format_round_list, headline
from tests.unit.i18n.round_detail import NAMES, fixed_round

NBSP = "\u00a0"

ITALIAN = """\
round modena-2027-r3 (definitivo, riassegnazione) completato: qualità non dimostrata nel tempo disponibile: si potrebbe servire al più il 12% in più (copertura ponderata per priorità 75,0%, al massimo 84,0%)
  settimane 24–36, 14 giugno – 12 settembre 2027
  copertura: 340 delle 400 unità-settimana richieste (80,0%); ponderata per priorità 75,0%
  costo totale 12.095,00 €
  2 contratti di gruppo con 2 fornitori: assegnati 2, accettati 1, rifiutati 0; 3 righe accettate mantenute
  durata 31,2 s (calcolo 29,6 s)
  contratti di gruppo (prima i più grandi):
    Assistenza domiciliare Il Faro (MO-P0007.care) di Cooperativa Sociale Il Faro (MO-P0007): 300 unità-settimana a 22,50 € per unità-settimana, 1 settimana; in attesa di risposta
    Centro estivo Arcobaleno (MO-P0003.camp) di Asilo Nido Arcobaleno (MO-P0003): 40 unità-settimana a 120,00 € per unità-settimana, 2 settimane; accettato
  per impresa (copertura, costo / budget):
    Tipografia Bassi (MO-F0002)   28,6%  1.920,00 € / 1.920,00 €
    Ceramiche Rossi (MO-F0001)    94,2%  9.630,00 € / 10.000,00 €
  domanda non servita, per motivo:
    il budget welfare dell'impresa è esaurito: 20 unità (1 riga)
      per esempio: 2.400,00 € di budget in più per Tipografia Bassi (MO-F0002) pagherebbero 20 unità in più presso Centro estivo Arcobaleno (MO-P0003.camp)
    troppo poche unità per formare il gruppo minimo del fornitore: 4 unità (1 riga)
      per esempio: 6 unità in più nella settimana 29, 19–25 luglio 2027 aprirebbero Centro estivo Arcobaleno (MO-P0003.camp)
    nessun fornitore offre questo servizio nel comune: 2 unità (1 riga)
"""

ENGLISH = """\
round modena-2027-r3 (committed, repair) completed: quality not proven within the time: at most 12% more could be served (priority-weighted coverage 75.0%, at most 84.0%)
  weeks 24–36, 14 June – 12 September 2027
  coverage: 340 of the 400 unit-weeks asked for (80.0%); priority-weighted 75.0%
  total cost €12,095.00
  2 group contracts with 2 providers: 2 awarded, 1 accepted, 0 declined; 3 accepted lines kept
  took 31.2 secs (solving 29.6 secs)
  group contracts (largest first):
    Assistenza domiciliare Il Faro (MO-P0007.care) of Cooperativa Sociale Il Faro (MO-P0007): 300 unit-weeks at €22.50 per unit-week, 1 week; awaiting an answer
    Centro estivo Arcobaleno (MO-P0003.camp) of Asilo Nido Arcobaleno (MO-P0003): 40 unit-weeks at €120.00 per unit-week, 2 weeks; accepted
  per firm (coverage, cost / budget):
    Tipografia Bassi (MO-F0002)   28.6%  €1,920.00 / €1,920.00
    Ceramiche Rossi (MO-F0001)    94.2%  €9,630.00 / €10,000.00
  unmet demand, by reason:
    the firm's welfare budget is spent: 20 units (1 line)
      for example: €2,400.00 more budget for Tipografia Bassi (MO-F0002) would pay for 20 more units at Centro estivo Arcobaleno (MO-P0003.camp)
    too few units to form the provider's minimum group: 4 units (1 line)
      for example: 6 more units in week 29, 19–25 July 2027 would open Centro estivo Arcobaleno (MO-P0003.camp)
    no provider offers this service in the municipality: 2 units (1 line)
"""

ITALIAN_LIST = """\
round           tipo                        stato       copertura        costo  settimane
modena-2027-r3  definitivo, riassegnazione  completato      80,0%  12.095,00 €  settimane 24–36, 14 giugno – 12 settembre 2027
"""

ENGLISH_LIST = """\
round           kind               status     coverage        cost  weeks
modena-2027-r3  committed, repair  completed     80.0%  €12,095.00  weeks 24–36, 14 June – 12 September 2027
"""


def plain(text: str) -> str:
    return text.replace(NBSP, " ")


def test_the_round_report_in_italian():
    assert plain(format_round(fixed_round(), "it", NAMES)) + "\n" == ITALIAN


def test_the_round_report_in_english():
    assert plain(format_round(fixed_round(), "en", NAMES)) + "\n" == ENGLISH


def test_the_round_list_in_both_languages():
    assert plain(format_round_list([fixed_round()], "it")) + "\n" == ITALIAN_LIST
    assert plain(format_round_list([fixed_round()], "en")) + "\n" == ENGLISH_LIST
    assert format_round_list([], "it") == "ancora nessun round"


def test_money_keeps_its_sign_on_the_same_line():
    assert f"costo totale 12.095,00{NBSP}€" in format_round(fixed_round(), "it")


def test_without_names_the_ids_stand_alone():
    text = format_round(fixed_round(), "en")
    assert "    MO-F0002   28.6%" in text and "(MO-F0002)" not in text


def test_the_environment_chooses_the_language_when_the_caller_does_not(monkeypatch):
    monkeypatch.setenv("WELFARE_LOCALE", "en_GB")
    assert headline(fixed_round()).startswith("round modena-2027-r3 (committed, repair) completed")
    monkeypatch.delenv("WELFARE_LOCALE")
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    assert headline(fixed_round()).startswith("round modena-2027-r3 (definitivo, riassegnazione)")


def test_a_round_not_yet_finished_or_failed():
    running = {**fixed_round(), "status": "running", "outcome": None}
    assert format_round(running, "it") == (
        "round modena-2027-r3 (definitivo, riassegnazione) in corso\n"
        "  settimane 24–36, 14 giugno – 12 settembre 2027")
    failed = {**fixed_round(), "status": "failed", "outcome": None,
              "failure_reason": "the worker process died"}
    assert headline(failed, "en") == (
        "round modena-2027-r3 (committed, repair) failed: the worker process died")


def test_the_names_the_round_detail_carries_stand_next_to_their_ids():
    detail = fixed_round()
    detail["firms"][1]["firm_name"] = "Tipografia Bassi"
    detail["contracts"][1]["provider_name"] = "Cooperativa Sociale Il Faro"
    text = format_round(detail, "it")
    assert "    Tipografia Bassi (MO-F0002)" in text
    assert "di Cooperativa Sociale Il Faro (MO-P0007)" in text
    assert "Tipografia Bassi (MO-F0002) pagherebbero" in text  # in the smallest change too
