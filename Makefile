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

CK := generator/frontend/checkpoints/codenet-demo.pt

# The main job: a trained CoDeNet detector (shipped checkpoint) exported to the integer network
# format, planned and generated for Ultra96-V2, C-simulated bit-exactly on a synthetic test
# image, its outputs decoded (CenterNet + NMS) into a PNG with the boxes.
demo: setup
	mkdir -p $(DEMO_DIR)
	$(VENV)/bin/accelgen info codenet-a
	$(VENV)/bin/accelgen export codenet-demo --checkpoint $(CK) --out $(DEMO_DIR)
	$(VENV)/bin/accelgen detect $(DEMO_DIR)/codenet_demo.json --synthetic 6 --out $(DEMO_DIR)/golden_boxes.png --save-input $(DEMO_DIR)/image.npz
	$(VENV)/bin/accelgen generate $(DEMO_DIR)/codenet_demo.json --board ultra96 --out $(DEMO_DIR)/codenet_demo_ultra96
	$(VENV)/bin/accelgen csim $(DEMO_DIR)/codenet_demo_ultra96 --inputs $(DEMO_DIR)/image.npz --outputs $(DEMO_DIR)/csim_outputs.npz
	$(VENV)/bin/accelgen detect $(DEMO_DIR)/codenet_demo.json --synthetic 6 --outputs $(DEMO_DIR)/csim_outputs.npz --out $(DEMO_DIR)/boxes.png --json $(DEMO_DIR)/boxes.json
	@echo "demo: $(DEMO_DIR)/boxes.png (detections from the C-simulated accelerator), project in $(DEMO_DIR)/codenet_demo_ultra96/"

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

.PHONY: calibrate measure-rtl
calibrate: setup
	$(PY) -m generator.cost.calibrate

# refresh generator/cost/measurements (yosys + RTL simulation), then `make calibrate`
measure-rtl: setup
	$(PY) -m generator.rtl.measure
