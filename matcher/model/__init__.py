"""The model: the round as index-based data (problem, prepare, markets) and the MIP
built from it as a backends.linear model (variables, one function per constraint
family, the objective, integrality); the same rules for plans given as units (rules);
and what any plan can reach, counted without a solver (ceiling, knapsack)."""
