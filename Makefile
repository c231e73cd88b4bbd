# Humanoid Academy workspace. Every target bootstraps what is missing (idempotently) first.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ACTIVATE := source activate.bash

.PHONY: help setup demo test lint unit bench clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

setup:  ## create .venv, install pinned packages, repair the ROS wheels, colcon build
	@bash tools/bootstrap.sh

demo: setup  ## headless training session, pool it; a short program unlocks a scenario, run it
	@$(ACTIVATE) && academy session up config/sessions/demo.yaml \
	  && academy pool ingest var/episodes && academy pool summary \
	  && academy program run config/programs/tidy_basics.yaml --model aurora_h1 \
	       --robot demo_aurora --pool var/pool \
	  && academy scenario run tidy_table --model aurora_h1 --robot demo_aurora --pool var/pool \
	  && academy program status --pool var/pool

lint: setup  ## ruff (lint + format check) and mypy (strict; the modules pyproject.toml lists)
	@$(ACTIVATE) && ruff check . && ruff format --check . && mypy

unit: setup  ## unit tests only (no ROS graph)
	@$(ACTIVATE) && python -m pytest src -q

test: lint  ## lint, then unit and integration tests
	@$(ACTIVATE) && python -m pytest -q

bench: setup  ## benchmarks; JSON results in bench/results/
	@$(ACTIVATE) && bash bench/run_all.sh

clean:  ## remove build outputs (keeps .venv)
	rm -rf build install log
