# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test bench soak screenshots clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall whenever the project's metadata changes.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,export]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m app $(ARGS)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,export,bench]'
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/run_all.py

soak: $(STAMP)
	QT_QPA_PLATFORM=offscreen SOAK_SECONDS=$${SOAK_SECONDS:-300} $(PY) -m pytest tests/gui/test_monkey.py -k soak -p no:cacheprovider -s -q

# The README's pictures, made by the app itself.
screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen OVERPARAM_CONFIG_DIR=$$(mktemp -d) $(PY) -m app --demo rescaling --screenshot docs/rescaling.png
	QT_QPA_PLATFORM=offscreen OVERPARAM_CONFIG_DIR=$$(mktemp -d) $(PY) -m app --demo small-init --present --size 1024x768 --screenshot docs/presentation-small-init.png
	QT_QPA_PLATFORM=offscreen OVERPARAM_CONFIG_DIR=$$(mktemp -d) $(PY) -m app --demo gradient-growth --theme dark --screenshot docs/gradient-growth-dark.png

clean:
	rm -rf $(VENV) build dist *.egg-info
