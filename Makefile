# hailong — run `make help` for the list of targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.hailong-installed
ROUND  ?=
ARGS   ?=
# What ruff lints (rules: [tool.ruff] in pyproject.toml).
LINTED := lib tests bench scripts

.DEFAULT_GOAL := help
.PHONY: help env report lint test test-fast lab serve sample lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml scripts/setup-env.sh
	@PYTHON=$(PYTHON) scripts/setup-env.sh
	@touch $@

env: $(STAMP) ## Create or update the environment in .venv (idempotent)

report: $(STAMP) ## Build every report of the current round into output/ (ROUND=2022 ARGS=... to choose)
	$(BIN)/hailong build $(if $(ROUND),--round $(ROUND)) $(ARGS)

lint: $(STAMP) ## Lint the code with ruff
	$(BIN)/ruff check $(LINTED)

test: $(STAMP) ## Lint, then run the whole test suite
	$(BIN)/ruff check $(LINTED)
	$(BIN)/python -m pytest $(ARGS)

test-fast: $(STAMP) ## The tests without the slow and browser ones (under a minute)
	$(BIN)/python -m pytest -m "not slow and not browser" $(ARGS)

lab: $(STAMP) ## Open JupyterLab on the notebooks with the project's kernel (start: notebooks/explore/)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(ARGS)

serve: $(STAMP) ## Open the staff page at http://127.0.0.1:8000 (PORT=8001, ROUND=2022, ARGS=... to choose)
	$(BIN)/hailong serve $(if $(PORT),--port $(PORT)) $(if $(ROUND),--round $(ROUND)) $(ARGS)

sample: $(STAMP) ## Regenerate the bundled sample data (data/sample/)
	$(BIN)/hailong sample $(ARGS)

lock: ## Re-pin requirements.lock from requirements.txt (needs network)
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install -q -r requirements.txt
	(echo "# Full pinned environment (pip freeze). Regenerate with \`make lock\` after editing requirements.txt."; \
	 .venv-lock/bin/pip freeze --exclude-editable) > requirements.lock
	rm -rf .venv-lock

clean: ## Remove generated outputs and derived data (keeps .venv)
	rm -rf output/*/ data/processed/
