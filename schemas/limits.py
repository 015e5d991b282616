"""The largest value every contract field may carry, in one place.

Each bound is far beyond any real welfare network, so that no honest input
meets it, and tight enough that every product the matcher stores fits its
column: units and unit-weeks fit a signed 32-bit integer (PostgreSQL's
INTEGER), and money in cents, a line's whole cost included (units x weeks x
price), fits a signed 64-bit integer (BIGINT, and SQLite's integers).
"""

from __future__ import annotations

from decimal import Decimal

# PostgreSQL INTEGER (and so every count, version and units column).
INT32_MAX = 2**31 - 1

# Two ISO years and a little: a line or an offer spans one season, at most a year.
MAX_WEEKS = 106

# Children, care hours or sessions per week in one line. The largest Italian
# employers have about 100,000 employees; one line's units never exceed that.
MAX_UNITS = 100_000

# An offer's weekly capacity: no provider runs 100,000 places a week in one offer.
MAX_CAPACITY_PER_WEEK = 100_000

# A tier's threshold in unit-weeks: beyond capacity x weeks it could never be reached.
# 10,600,000 unit-weeks also fits a 32-bit volume column with room to spare.
MAX_TIER_VOLUME = MAX_CAPACITY_PER_WEEK * MAX_WEEKS

# Employees of a firm, and respondents of a line: ten times the largest Italian employer.
MAX_EMPLOYEES = 1_000_000

# Euro per unit-week. 100,000 EUR is some hundred times a week of any care service.
# A line's whole cost, MAX_UNITS x MAX_WEEKS x this in cents, is about 1.1 x 10^14,
# far inside a signed 64-bit integer (9.2 x 10^18), and one price in cents
# (10^7) fits a 32-bit column.
MAX_UNIT_PRICE_EUR = Decimal("100000.00")

# A firm's welfare budget for the season: 100 million EUR is more than the
# welfare spend of any Italian firm, let alone a network's SME.
MAX_BUDGET_EUR = Decimal("100000000.00")

# What the network pays for each week an offer runs.
MAX_FIXED_COST_PER_WEEK_EUR = Decimal("1000000.00")

# Tags a line may require or an offer may carry ("accessible", "bilingual"...).
MAX_TAGS = 20

# Municipalities one offer serves: all of Italy has about 7,900.
MAX_MUNICIPALITIES = 8_000

# Price tiers of one offer.
MAX_TIERS = 20

# Objective weights of a round. The defaults are 1 to 5; a million times
# that still leaves the objective's terms well inside double precision.
MAX_WEIGHT = 1_000_000.0

# A firm's demand lines (its own and its survey's) and a provider's offers.
MAX_LINES_PER_FIRM = 10_000
MAX_OFFERS_PER_PROVIDER = 10_000

# Free text: names, who asked for a round, why a round failed.
MAX_NAME_LENGTH = 200
MAX_REASON_LENGTH = 2_000
