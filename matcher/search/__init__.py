"""The search: parts of a round (decompose), first solutions (start, heuristic, repair,
quick), improvement by the MIP (part, phases, rins, lns), the Lagrangean bound of a
facility location (lagrangean), worker processes (parallel)."""
