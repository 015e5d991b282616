"""The web console: operators, firms and providers read and act in their browser.

A service of its own (``bootstrap.py`` is its composition root) with no
database: every page is drawn from the intake, supply and operator HTTP APIs,
called with the logged-in person's own bearer token, so each service still
decides what that person may see and do. Pages are rendered on the server
(Jinja2), charts and the map are SVG drawn here, and the only script polls the
console's own JSON while a round runs.
"""
