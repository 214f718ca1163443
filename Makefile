# Two set-up commands for a fresh machine: `make demo` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
JOBS   ?= 2

.PHONY: demo test test-all bench lint install clean

$(PY):
	python3 -m venv $(VENV)

# torch first, pinned: 2.13.0 is the local CPU wheel (an open range pulls a multi-GB CUDA build).
$(STAMP): $(PY) pyproject.toml setup.py quines_text/_opmeter.c quines_text/_opmeter_library.c quines_text/_opmeter_policy.c quines_text/_opmeter.h quines_text/_bfengine.c
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[neural,plot,dev,phoenix]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/rsi report --out report --quick

test: $(STAMP)
	HYPOTHESIS_PROFILE=ci $(PY) -m pytest -q -n $(JOBS)

test-all: $(STAMP)
	$(PIP) install -q -e '.[neural,plot,dev,phoenix,dist]'
	HYPOTHESIS_PROFILE=thorough $(PY) -m pytest -q -n $(JOBS) -m ''

bench: $(STAMP)
	for f in bench/*.py; do $(PY) $$f || exit 1; done

lint: $(STAMP)
	$(VENV)/bin/ruff check rsi quines_text proofs neural tests bench scripts
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) build *.egg-info
