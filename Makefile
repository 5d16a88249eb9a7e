# Build and test the privacy-council traceability site.
# `make help` lists the targets.

PYTHON  ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
# Debian/Ubuntu packages the build needs: a Japanese LaTeX engine with
# embeddable fonts, graphviz for trace graphs, poppler for PDF checks and
# Chromium for the browser tests.
APT_PACKAGES := texlive-lang-japanese texlive-latex-recommended texlive-latex-extra \
	texlive-fonts-recommended lmodern latexmk graphviz \
	poppler-utils poppler-data chromium fonts-noto-cjk
# A command from each package group above: when one is missing, apt installs all.
SYSTEM_COMMANDS := uplatex dvipdfmx latexmk dot pdftotext pdffonts chromium

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show this help
	@grep -E '^[a-z][a-zA-Z_-]*:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

.PHONY: venv
venv: $(STAMP) ## Create the virtualenv from pyproject.toml

.PHONY: system-deps
system-deps: ## Install the TeX, font, graphviz and browser packages (Debian/Ubuntu) when missing
	@missing=""; for c in $(SYSTEM_COMMANDS); do command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	if [ -n "$$missing" ]; then \
		echo "missing:$$missing; installing Debian packages"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) >/dev/null; \
	fi

.PHONY: site
site: system-deps $(STAMP) ## Build the whole site (HTML, PDF, exports) into _build/site
	$(BIN)/council-build --output _build/site

.PHONY: html
html: $(STAMP) ## Build the HTML only, into _build/html (quick check while editing)
	$(BIN)/sphinx-build -b html -W --keep-going -q . _build/html

.PHONY: preview
preview: $(STAMP) ## Live preview: rebuilds on save, serves http://127.0.0.1:8000 (CASE=cases/x.md: that case only, in seconds)
	@test -x $(BIN)/sphinx-autobuild || $(BIN)/pip install --quiet -e '.[test,preview]'
ifdef CASE
	$(BIN)/python -m council_publish.case_check --serve $(CASE)
else
	$(BIN)/sphinx-autobuild -b html --keep-going --port 8000 --ignore '*/_build/*' . _build/preview
endif

.PHONY: check-case
check-case: $(STAMP) ## Check one case page against every rule, in seconds: make check-case CASE=cases/x.md
	$(BIN)/council-build --case $(CASE)

.PHONY: test
test: system-deps $(STAMP) ## Run the test suite
	$(BIN)/pytest

.PHONY: snapshots
snapshots: $(STAMP) ## Rewrite the doctree snapshots (tests/snapshots) after an intended change of output; review the diff
	$(BIN)/pytest tests/snapshots -q --update-snapshots

.PHONY: bench
bench: $(STAMP) ## Benchmark builds on synthetic corpora of 100, 300 and 1000 cases (slow; see docs/performance.md)
	$(BIN)/python -m council_bench.bench --workdir _build/bench

.PHONY: release
release: $(STAMP) ## Record the published site's needs under releases/ (更新履歴, feed.xml); commit the file
	$(BIN)/council-release --needs _build/site/html/needs.json

.PHONY: accessibility-report
accessibility-report: $(STAMP) ## Run axe over every page type of _build/site/html; writes docs/accessibility-results.json
	$(BIN)/council-a11y-report _build/site/html

.PHONY: clean
clean: ## Remove build output (keeps the virtualenv)
	rm -rf _build
