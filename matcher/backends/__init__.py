"""The solvers behind one call: the solver-neutral linear model (linear.py) that every
backend takes, HiGHS through MathOpt (highs.py), CP-SAT (cpsat.py), and what each hands
back (raw.py)."""
