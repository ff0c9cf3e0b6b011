#!/usr/bin/env bash
# Run QGIS's own command-line Processing executor with this checkout as an enabled plugin,
# in a throwaway QGIS profile under build/ (the user's own profile is never touched).
#   scripts/qgis_process.sh list | grep community_grids
#   scripts/qgis_process.sh run community_grids:audit_workspace -- WORKSPACE=build/demo/hanbin_sample.gpkg ...
# Debian's /usr/bin/qgis_process wrapper passes an option 3.22 rejects, so the .bin is called directly.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${COMMUNITY_GRIDS_BUILD:-$ROOT/build}"
mkdir -p "$BUILD/qgis-plugins" "$BUILD/qgis-config" "${XDG_RUNTIME_DIR:=/tmp/runtime-$(id -u)}"
chmod 700 "$XDG_RUNTIME_DIR"
ln -sfn "$ROOT" "$BUILD/qgis-plugins/community_grids"
export XDG_RUNTIME_DIR
export QGIS_PLUGINPATH="$BUILD/qgis-plugins"
export QGIS_CUSTOM_CONFIG_PATH="$BUILD/qgis-config"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
# The development profile has no private shapely install: QGIS's Python sees the venv's shapely 2.2 instead
# (the plugin imports it deep-bound, so its GEOS never mixes with the GEOS qgis_process links).
if [ -d "$ROOT/.venv" ]; then
  site=$("$ROOT/.venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  export PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}"
fi
if ! grep -qs "community_grids=true" "$QGIS_CUSTOM_CONFIG_PATH/profiles/default/QGIS/QGIS3.ini"; then
  qgis_process.bin plugins enable community_grids >/dev/null 2>&1 || true
fi
exec qgis_process.bin "$@"
