"""A round as the services see it: the snapshot indexed (from_snapshot, compatibility),
solved (solve_round), explained (reasons, reasons_change) and reported (result), with its
input hash and versions (reproducibility)."""
