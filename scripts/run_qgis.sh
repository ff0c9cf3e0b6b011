#!/usr/bin/env bash
# `make qgis`: QGIS desktop with this checkout as an enabled plugin, in a profile under build/, opening the
# given project. QGIS's Python sees the venv's shapely (the plugin imports it deep-bound: no preload needed).
#   scripts/run_qgis.sh [project.qgz] [extra qgis arguments]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${COMMUNITY_GRIDS_BUILD:-$ROOT/build}"
# Enable the plugin in the throwaway profile (qgis_process.sh writes the same profile).
"$ROOT/scripts/qgis_process.sh" plugins >/dev/null 2>&1 || true
site=$("$ROOT/.venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
export QGIS_PLUGINPATH="$BUILD/qgis-plugins"
export QGIS_CUSTOM_CONFIG_PATH="$BUILD/qgis-config"
export PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}"
exec qgis --noversioncheck --nologo "$@"
