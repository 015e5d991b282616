"""Data shipped with the scenario generator (see SOURCES.md)."""
