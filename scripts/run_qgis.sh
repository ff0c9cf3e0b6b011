#!/usr/bin/env bash
# `make qgis`: QGIS desktop with this checkout as an enabled plugin, in a throwaway profile under build/,
# with shapely's GEOS preloaded (plugin/adapters/runtime.py explains why), opening the given project.
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
preload=$(ls "$site"/shapely.libs/libgeos-*.so* "$site"/shapely.libs/libgeos_c-*.so* | tr '\n' ' ')
export LD_PRELOAD="${preload}${LD_PRELOAD:-}"
exec qgis --noversioncheck --nologo "$@"
