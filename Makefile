# Community Grids — everything a fresh Debian 12 machine (as root) needs, idempotently.
#   make demo   build the Hanbin sample workspace and run the main job on it
#   make test   lint, format check and all tests (headless)
#   make bench  speed and memory figures
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(abspath .)
BUILD := $(ROOT)/build
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
STAMP := $(BUILD)/.stamps
export QT_QPA_PLATFORM ?= offscreen
export XDG_RUNTIME_DIR ?= /tmp/runtime-$(shell id -u)
export PYTHONDONTWRITEBYTECODE := 1

APT_PACKAGES := qgis qgis-providers python3-qgis python3-gdal python3-pyproj gdal-bin python3-venv \
	xvfb xauth xdotool qttools5-dev-tools pyqt5-dev-tools fonts-noto-cjk poppler-utils zip

.PHONY: help deps system venv test lint format demo bench styles translations package qgis clean i18n qt6-check

help:
	@echo "make demo   – build the sample workspace and run the main job (audit, project, map, filing package)"
	@echo "make test   – ruff lint + format check, then every test, headless"
	@echo "make bench  – benchmark figures (audit, attach households, export, diff)"
	@echo "make test-debian13 – make test and make demo inside a Debian 13 root built once under build/"

deps: system venv

# System packages: installed only when one is missing (apt-get update runs only then).
system: $(STAMP)/system
$(STAMP)/system: Makefile
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@mkdir -p $(STAMP) $(XDG_RUNTIME_DIR) && chmod 700 $(XDG_RUNTIME_DIR) && touch $@

# The venv: from Debian's /usr/bin/python3 (never a pyenv python), seeing system site packages.
venv: $(STAMP)/venv
$(STAMP)/venv: requirements.txt requirements-shapely.txt $(STAMP)/system
	@test -x $(PY) || /usr/bin/python3 -m venv --system-site-packages $(VENV)
	@echo "numpy==$$(/usr/bin/python3 -c 'import numpy; print(numpy.__version__)')" > $(BUILD)/numpy-constraint.txt
	@$(PY) -m pip install -q --disable-pip-version-check -c $(BUILD)/numpy-constraint.txt -r requirements.txt
	@$(PY) -m pip install -q --disable-pip-version-check --no-deps -r requirements-shapely.txt
	@$(PY) -c "import sys; sys.path.append('/usr/share/qgis/python/plugins'); \
	  import qgis.core, processing, shapely, numpy; from osgeo import gdal_array; \
	  assert numpy.__file__.startswith('/usr/lib/'), 'numpy must be the system one: ' + numpy.__file__; \
	  print('venv ok: numpy', numpy.__version__, '(system), shapely', shapely.__version__, 'GEOS', shapely.geos_version_string)"
	@touch $@

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: deps lint translations qt6-check
	$(PY) -m pytest -q

demo: deps translations
	$(PY) scripts/demo.py --out $(BUILD)/demo

bench: deps
	$(PY) scripts/bench.py

styles: deps
	$(PY) scripts/make_styles.py

translations: $(STAMP)/system
	@for ts in i18n/*.ts; do [ -e "$$ts" ] || continue; \
	  qm=$${ts%.ts}.qm; [ "$$qm" -nt "$$ts" ] || lrelease -silent "$$ts" -qm "$$qm"; done

# Qt 6 / QGIS 4 readiness: direct PyQt5/PyQt6/sip imports, unscoped enums, exec_() (part of `make test`).
qt6-check: venv
	$(PY) scripts/check_qt6.py

# Translations: add new strings to i18n/*.ts (keeping translations), list the untranslated ones, compile .qm.
# `python scripts/i18n.py --check` fails while any string is untranslated.
i18n: venv
	$(PY) scripts/i18n.py --update
	@$(MAKE) --no-print-directory translations

# The installable plugin: build/community_grids-<version>.zip (QGIS: Plugins → Install from ZIP).
package: venv
	$(PY) scripts/package.py --out $(BUILD)

clean:
	@! findmnt -rn -o TARGET | grep "^$(BUILD)/" || { echo "mounts active under $(BUILD): not removing it"; exit 1; }
	rm -rf --one-file-system $(BUILD)

# QGIS desktop with the plugin enabled in a throwaway profile, the sample project open (runs make demo first).
qgis: demo
	scripts/run_qgis.sh $(BUILD)/demo/hanbin_sample.qgz

# README screenshots taken from the real QGIS desktop under Xvfb.
screenshots: demo
	xvfb-run -a -s "-screen 0 1600x1000x24" env COMMUNITY_GRIDS_ROOT=$(ROOT) \
	  PYQGIS_STARTUP=$(ROOT)/scripts/screenshot_qgis.py scripts/run_qgis.sh

# Debian 13 (trixie: QGIS 3.40, Python 3.13, GDAL 3.10) from a Debian 12 host: a debootstrapped root built
# once under build/debian13-root, then `make test` and `make demo` inside it (scripts/debian13.sh).
# DEBIAN13_TARGETS="test" to run fewer targets there.
DEBIAN13_TARGETS ?= test demo
.PHONY: test-debian13
test-debian13:
	scripts/debian13.sh $(DEBIAN13_TARGETS)
