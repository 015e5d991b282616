"""``welfare demo``: the whole pipeline on the embedded defaults, end to end.

``pipeline`` runs every service in one event loop; ``loader`` feeds a generated
network in through the HTTP APIs, as firms, providers and the operator would;
``story`` runs the rounds an operator runs and prints what happened.
"""
