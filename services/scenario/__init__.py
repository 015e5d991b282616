"""Scenario generator: realistic welfare networks modelled on the Modena network.

``generate`` builds a scenario in memory (no file I/O, same seed, same
scenario); ``write_scenario`` writes its files; ``summary`` says what is in it.
"""

from services.scenario.generator import NETWORKS, generate
from services.scenario.model import Scenario
from services.scenario.writer import summary, write_scenario

__all__ = ["NETWORKS", "Scenario", "generate", "summary", "write_scenario"]
