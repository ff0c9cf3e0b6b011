"""Reference data shipped with the plugin: Ankang's statistical divisions and county boundaries.

``resources/data/ankang_villages.csv``: the 1,924 village/community codes (12 digits) of Ankang's ten
county-level divisions with their townships; ``ur_code_2016`` is an approximate urban/rural class
(1xx urban, 2xx rural, blank unknown).
``resources/data/ankang_counties_wgs84.geojson``: the ten county boundaries in WGS84, converted from
GCJ-02 web-map data (about 1 m residual; github.com/Vonng/adcode, CC BY 4.0). Good for samples and
tests, not an official boundary.

Plain Python (csv, json, shapely); pyproj only in :func:`transform_geometry`. No qgis or Qt import.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely

DATA_DIR = Path(__file__).resolve().parents[2] / "resources" / "data"
VILLAGES_CSV = DATA_DIR / "ankang_villages.csv"
COUNTIES_WGS84 = DATA_DIR / "ankang_counties_wgs84.geojson"

DIVISION_FIELDS = ("code", "name", "town_code", "town_name", "ur_code")


@lru_cache(maxsize=1)
def _village_rows() -> tuple[dict, ...]:
    with open(VILLAGES_CSV, encoding="utf-8", newline="") as fh:
        return tuple(dict(row) for row in csv.DictReader(fh))


@lru_cache(maxsize=1)
def _county_features() -> tuple[dict, ...]:
    with open(COUNTIES_WGS84, encoding="utf-8") as fh:
        return tuple(json.load(fh)["features"])


def _feature(county_code: str) -> dict:
    code = str(county_code).strip()[:6]
    for feature in _county_features():
        props = feature["properties"]
        if code in (props.get("current_adcode"), props.get("adcode")):
            return feature
    raise KeyError(f"no boundary for county {county_code!r} in {COUNTIES_WGS84.name}")


def list_counties() -> list[tuple[str, str]]:
    """The county-level divisions with data, as (current code, current name), sorted by code.

    旬阳县 (610928) became 旬阳市 (610981) in 2021; the current code and name are listed.
    """
    out = {}
    for feature in _county_features():
        props = feature["properties"]
        code = props.get("current_adcode") or props["adcode"]
        out[code] = props.get("current_name") or props["name"]
    return sorted(out.items())


def county_name(county_code: str) -> str:
    """The current name of a county, e.g. ``汉滨区`` for 610902 (old codes accepted)."""
    props = _feature(county_code)["properties"]
    return props.get("current_name") or props["name"]


def load_divisions(county_code: str) -> list[dict]:
    """The villages and communities of one county, sorted by code.

    Each a dict with the ``divisions`` table's fields: code, name, town_code, town_name, ur_code
    (a 3-digit string, or "" where unknown). Old county codes (610928 for 旬阳) are accepted.
    """
    code = str(county_code).strip()[:6]
    props = _feature(code)["properties"]
    wanted = {code, props.get("current_adcode"), props.get("adcode")}
    rows = [
        {
            "code": r["code"],
            "name": r["name"],
            "town_code": r["town_code"],
            "town_name": r["town_name"],
            "ur_code": (r.get("ur_code_2016") or "").strip(),
        }
        for r in _village_rows()
        if r["county_code"] in wanted
    ]
    return sorted(rows, key=lambda r: r["code"])


def load_county_boundary_wgs84(county_code: str):
    """The county boundary as a shapely (Multi)Polygon in WGS84 longitude/latitude."""
    return shapely.from_geojson(json.dumps(_feature(county_code)["geometry"]))


# ---------------------------------------------------------------- reprojection (pyproj)


def _ensure_proj_data() -> None:
    """Point pyproj at a PROJ database when its default look-up fails (e.g. a venv over Debian's pyproj)."""
    import pyproj.datadir
    import pyproj.exceptions

    try:
        pyproj.datadir.get_data_dir()
        return
    except pyproj.exceptions.DataDirError:
        pass  # look in the usual places below
    candidates = [os.environ.get("PROJ_DATA"), os.environ.get("PROJ_LIB")]
    candidates += [os.path.join(p, "share", "proj") for p in (sys.base_prefix, sys.prefix)]
    candidates += ["/usr/share/proj", "/usr/local/share/proj"]
    for candidate in candidates:
        if candidate and os.path.isfile(os.path.join(candidate, "proj.db")):
            pyproj.datadir.set_data_dir(candidate)
            return


@lru_cache(maxsize=16)
def _transformer(source: str, target: str):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _ensure_proj_data()
        import pyproj

        return pyproj.Transformer.from_crs(source, target, always_xy=True)


def transform_geometry(geometry, target: str, source: str = "EPSG:4326"):
    """Reproject a shapely geometry (or array of them) with pyproj, x/y in easting/northing order."""
    transformer = _transformer(source, target)

    def _apply(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, _apply)


def transform_xy(x, y, target: str, source: str = "EPSG:4326") -> tuple[np.ndarray, np.ndarray]:
    """Reproject coordinate arrays."""
    tx, ty = _transformer(source, target).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(tx), np.asarray(ty)
