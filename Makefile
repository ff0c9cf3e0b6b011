# Community Grids — everything a fresh Debian 12 machine (as root) needs, idempotently.
#   make demo   build the Hanbin sample workspace and run the main job on it
#   make test   lint, format check and all tests (headless)
#   make bench  speed and memory figures
#   make demo-postgis  the shared workspace on a private PostgreSQL/PostGIS cluster under build/pg
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(abspath .)
BUILD := $(ROOT)/build
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
STAMP := $(BUILD)/.stamps
export XDG_RUNTIME_DIR ?= /tmp/runtime-$(shell id -u)
export PYTHONDONTWRITEBYTECODE := 1

APT_PACKAGES := qgis qgis-providers python3-qgis python3-gdal python3-pyproj gdal-bin python3-venv \
	xvfb xauth xdotool qttools5-dev-tools pyqt5-dev-tools fonts-noto-cjk poppler-utils zip python3-psycopg2

.PHONY: help deps system venv wheels venv-fallback bench-venv test-fallback test lint format demo bench bench-1m styles translations package qgis clean i18n qt6-check desktop-session

help:
	@echo "make demo   – build the sample workspace and run the main job (audit, project, map, filing package)"
	@echo "make test   – ruff lint + format check, then every test, headless"
	@echo "make bench  – benchmark figures (audit, attach households, export, diff, automatic division vs spopt)"
	@echo "make bench-1m – the whole audit of a city of 1,000,000 level 3 grids in ten counties (and the fallback path)"
	@echo "make demo-postgis – the sample as a shared workspace on a private PostgreSQL/PostGIS cluster (build/pg)"
	@echo "make test-debian13 – make test and make demo inside a Debian 13 root built once under build/"
	@echo "make desktop-session – a scripted session in plain qgis with the ZIP installed (build/desktop/)"

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
# A venv that went missing (removed by hand, or by a copy that skips it) is made again with its packages:
# the stamps depend on the venvs' interpreters.
$(PY): | $(STAMP)/system
	/usr/bin/python3 -m venv --system-site-packages $(VENV)

$(STAMP)/venv: requirements.txt requirements-shapely.txt $(STAMP)/system $(PY)
	@$(PY) -m pip --version >/dev/null 2>&1 || /usr/bin/python3 -m venv --clear --system-site-packages $(VENV)
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

# Headless targets draw offscreen; the desktop (make qgis) gets the real display.
test demo demo-postgis bench bench-1m package wheels: export QT_QPA_PLATFORM ?= offscreen

test: deps pg-start lint translations qt6-check wheels
	@$(PY) -c "import pytest, pytest_qgis, shapely" 2>/dev/null || \
	  { rm -f $(STAMP)/venv && $(MAKE) --no-print-directory venv; }
	$(PY) -m pytest -q
	@$(MAKE) --no-print-directory test-fallback

# The core suite again on shapely 2.0 / GEOS 3.11 (the geometry fallbacks of plugin/core/capabilities.py),
# in a second venv with the pinned tools of requirements.txt but ruff and pytest-qgis.
VENV20 := $(ROOT)/.venv-shapely20
venv-fallback: $(STAMP)/venv-fallback
$(VENV20)/bin/python: | $(STAMP)/system
	/usr/bin/python3 -m venv --system-site-packages $(VENV20)

$(STAMP)/venv-fallback: requirements.txt requirements-fallback.txt $(STAMP)/system $(VENV20)/bin/python
	@$(VENV20)/bin/python -m pip --version >/dev/null 2>&1 || \
	  /usr/bin/python3 -m venv --clear --system-site-packages $(VENV20)
	@mkdir -p $(STAMP) && echo "numpy==$$(/usr/bin/python3 -c 'import numpy; print(numpy.__version__)')" > $(BUILD)/numpy-constraint.txt
	@grep -E '^[a-z]' requirements.txt | grep -vE '^(ruff|pytest-qgis)==' > $(BUILD)/requirements-fallback-tools.txt
	@$(VENV20)/bin/python -m pip install -q --disable-pip-version-check -c $(BUILD)/numpy-constraint.txt \
	  -r $(BUILD)/requirements-fallback-tools.txt
	@$(VENV20)/bin/python -m pip install -q --disable-pip-version-check --no-deps -r requirements-fallback.txt
	@$(VENV20)/bin/python -c "import shapely, numpy; \
	  assert numpy.__file__.startswith('/usr/lib/'), 'numpy must be the system one: ' + numpy.__file__; \
	  print('fallback venv ok: numpy', numpy.__version__, '(system), shapely', shapely.__version__, 'GEOS', shapely.geos_version_string)"
	@touch $@

test-fallback: venv-fallback
	@$(VENV20)/bin/python -c "import pytest, shapely" 2>/dev/null || \
	  { rm -f $(STAMP)/venv-fallback && $(MAKE) --no-print-directory venv-fallback; }
	$(VENV20)/bin/python -m pytest -q -p no:qgis tests/core

# spopt (PySAL) only for the division benchmark's comparison: a venv of its own, so that its dependencies
# (geopandas, pandas, pyproj, another shapely) never touch the development venv. A failed install leaves no
# stamp; the benchmark then says spopt is missing, never fakes its figures.
VENVB := $(ROOT)/.venv-bench
bench-venv: $(STAMP)/venv-bench
$(STAMP)/venv-bench: requirements-bench.txt $(STAMP)/venv
	@$(VENVB)/bin/python -m pip --version >/dev/null 2>&1 || /usr/bin/python3 -m venv --clear --system-site-packages $(VENVB)
	@$(VENVB)/bin/python -m pip install -q --disable-pip-version-check -c $(BUILD)/numpy-constraint.txt \
	  -r requirements-bench.txt && touch $@ || echo "spopt could not be installed: the division benchmark says so"

# PostgreSQL + PostGIS from Debian for the distribution's server version (postgresql-15-postgis-3 on Debian 12,
# the version of the `postgresql` metapackage elsewhere), and a private cluster under build/pg on a local port
# (CG_PG_PORT, default 55432; CG_PG_DIR). scripts/pg_cluster.sh install|start|stop|status|env.
.PHONY: postgis pg-start pg-stop pg-status pg-env demo-postgis
postgis: $(STAMP)/postgis
$(STAMP)/postgis: scripts/pg_cluster.sh | $(STAMP)/system
	scripts/pg_cluster.sh install
	@touch $@

pg-start: postgis
	scripts/pg_cluster.sh start

pg-stop:
	scripts/pg_cluster.sh stop

pg-status:
	scripts/pg_cluster.sh status

pg-env:
	@scripts/pg_cluster.sh env

# The sample county (the demo's GeoPackage, made when missing) as a shared workspace on the private cluster:
# county and township roles, an accepted and a refused township edit, an audit and a filing package from it.
demo-postgis: deps translations pg-start $(BUILD)/demo/hanbin_sample.qgz
	$(PY) scripts/demo_postgis.py --gpkg $(BUILD)/demo/hanbin_sample.gpkg --out $(BUILD)/demo_postgis

demo: deps translations
	$(PY) scripts/demo.py --out $(BUILD)/demo

bench: deps bench-venv pg-start
	$(PY) scripts/bench.py

# the 1M city (ten counties, simple detail): generating it takes minutes, so not part of make bench; the city
# is kept under build/bench_cities and reused
bench-1m: deps
	$(PY) scripts/bench_audit.py --sizes 1000000 --details simple --fallback-sizes 1000000 --bare-sizes --memory \
	  --keep $(BUILD)/bench_cities

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

# The installable plugin: build/community_grids-<version>.zip (QGIS: Plugins → Install from ZIP), and
# build/repository/: a QGIS plugin repository (plugins.xml, the ZIP, shapely wheels for the private install)
# for an intranet web server at REPOSITORY_URL. The wheels: shapely 2.2 / 2.1 / 2.0 for the Pythons of the
# QGIS builds planners run (Windows, Linux x86_64, macOS), downloaded once into build/repository-wheels.
REPOSITORY_URL ?= http://localhost:8000/
REPO_WHEELS := $(BUILD)/repository-wheels
REPO_SETS := 2.2.0:311,312,313 2.1.2:310,311,312,313 2.0.7:39
REPO_PLATFORMS := win_amd64 manylinux_2_28_x86_64+manylinux2014_x86_64 macosx_14_0_x86_64 macosx_14_0_arm64
package: venv translations
	@mkdir -p $(REPO_WHEELS)
	@for set in $(REPO_SETS); do v=$${set%%:*}; for py in $$(echo $${set#*:} | tr , ' '); do \
	  for plat in $(REPO_PLATFORMS); do \
	    done=$(REPO_WHEELS)/.done-$$v-$$py-$$plat; [ -e $$done ] && continue; \
	    $(PY) -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: -d $(REPO_WHEELS) \
	      --python-version $$py --implementation cp $$(printf -- ' --platform %s' $$(echo $$plat | tr + ' ')) \
	      shapely==$$v 2>/dev/null && touch $$done || echo "  (no shapely $$v wheel for cp$$py on $$plat)"; \
	  done; done; done
	$(PY) scripts/package.py --out $(BUILD) --repository $(BUILD)/repository --base-url $(REPOSITORY_URL) \
	  --wheels $(REPO_WHEELS)

clean:
	@! findmnt -rn -o TARGET | grep "^$(BUILD)/" || { echo "mounts active under $(BUILD): not removing it"; exit 1; }
	rm -rf --one-file-system $(BUILD)

# QGIS desktop with the plugin enabled in a profile under build/, on the planner's own copy of the sample
# (build/qgis/, made once from the demo's output and kept with its edits between starts). The demo runs only
# when its output is missing or older than the code that makes it.
SAMPLE_SOURCES := scripts/demo.py plugin/core/sample.py resources/data/ankang_villages.csv resources/data/ankang_counties_wgs84.geojson
$(BUILD)/demo/hanbin_sample.qgz: $(SAMPLE_SOURCES) | $(STAMP)/venv
	QT_QPA_PLATFORM=offscreen $(MAKE) --no-print-directory demo

qgis: $(BUILD)/demo/hanbin_sample.qgz translations
	@if [ ! -f $(BUILD)/qgis/hanbin_sample.qgz ]; then mkdir -p $(BUILD)/qgis && \
	  cp $(BUILD)/demo/hanbin_sample.gpkg $(BUILD)/demo/hanbin_sample.qgz $(BUILD)/qgis/; fi
	scripts/run_qgis.sh $(BUILD)/qgis/hanbin_sample.qgz

# shapely wheels for this machine's Python, for the tests of the private install (both geometry paths):
# downloaded once into build/wheels (tests never need the network).
WHEEL_VERSIONS := 2.2.0 2.0.7
wheels: $(STAMP)/wheels
$(STAMP)/wheels: | $(STAMP)/venv
	@mkdir -p $(BUILD)/wheels
	@for v in $(WHEEL_VERSIONS); do ls $(BUILD)/wheels/shapely-$$v-*.whl >/dev/null 2>&1 || \
	  $(PY) -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
	    -d $(BUILD)/wheels shapely==$$v; done
	@touch $@

# README screenshots taken from the real QGIS desktop under Xvfb.
screenshots: demo
	xvfb-run -a -s "-screen 0 1600x1000x24" env COMMUNITY_GRIDS_ROOT=$(ROOT) \
	  PYQGIS_STARTUP=$(ROOT)/scripts/screenshot_qgis.py scripts/run_qgis.sh

# A planner's session in plain `qgis` under Xvfb, the plugin installed from its ZIP into a fresh profile (zh_CN):
# open the sample project, subdivide and merge a grid, audit, accept a finding, export the filing package, print a
# notice map — real mouse and key events (devtools/desktop_session.py). Screenshots in build/desktop/screenshots.
desktop-session: $(BUILD)/demo/hanbin_sample.qgz translations $(STAMP)/wheels
	$(PY) scripts/desktop_session.py --project $(BUILD)/demo/hanbin_sample.qgz --out $(BUILD)/desktop

# Debian 13 (trixie: QGIS 3.40, Python 3.13, GDAL 3.10) from a Debian 12 host: a debootstrapped root built
# once under build/debian13-root, then `make test` and `make demo` inside it (scripts/debian13.sh).
# DEBIAN13_TARGETS="test" to run fewer targets there.
DEBIAN13_TARGETS ?= test demo
.PHONY: test-debian13
test-debian13:
	scripts/debian13.sh $(DEBIAN13_TARGETS)
