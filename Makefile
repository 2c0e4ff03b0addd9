# accelgen: the two commands a new user runs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_DIR ?= build/demo
APT_TOOLS := iverilog verilator yosys

.PHONY: setup system-deps demo test test-all bench lint clean calibrate

setup: $(STAMP)

# As root (CI, fresh machines) install the open EDA tools when they are missing.
system-deps:
	@missing=""; for t in $(APT_TOOLS); do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing$$missing (apt)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "warning: apt-get install$$missing failed; RTL tests will be skipped"; \
	  else echo "note:$$missing not installed (run as root or install them); RTL tests will be skipped"; fi; \
	fi

$(STAMP): pyproject.toml | system-deps
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev,torch]'
	touch $(STAMP)

demo: setup
	mkdir -p $(DEMO_DIR)
	$(VENV)/bin/accelgen info tiny
	$(VENV)/bin/accelgen zoo tiny --out $(DEMO_DIR)
	$(VENV)/bin/accelgen inputs $(DEMO_DIR)/tiny.json --out $(DEMO_DIR)/inputs.npz
	$(VENV)/bin/accelgen golden $(DEMO_DIR)/tiny.json --inputs $(DEMO_DIR)/inputs.npz --outputs $(DEMO_DIR)/golden.npz
	$(VENV)/bin/accelgen generate $(DEMO_DIR)/tiny.json --board ultra96 --out $(DEMO_DIR)/tiny_ultra96
	$(VENV)/bin/accelgen csim $(DEMO_DIR)/tiny_ultra96 --inputs $(DEMO_DIR)/inputs.npz --outputs $(DEMO_DIR)/csim.npz
	@echo "demo outputs in $(DEMO_DIR)/"

test: setup
	$(PY) -m pytest -q -n 2

test-all: setup
	$(PY) -m pytest -q -n 2 -m ""

bench: setup
	$(PY) -m bench.run

lint: setup
	$(VENV)/bin/ruff check generator host sim tests bench

clean:
	rm -rf build .pytest_cache .ruff_cache .hypothesis

.PHONY: calibrate
calibrate: setup
	$(PY) -m generator.cost.calibrate
