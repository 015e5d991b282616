"""The search: parts of a round (decompose), first solutions (start, heuristic, repair,
quick), improvement by the MIP (part, phases), worker processes (parallel)."""
