"""Synthetic cities of several counties for the city database's tests and bench (test/bench-only code).

One synthetic city (``generate_city``) is cut into ``k`` counties by the x position of its villages (columns of
villages), so neighbouring counties share their borders exactly; each county's codes get its own 6-digit county
code (the rest of each code is unchanged, so codes stay unique across the city). Each county is then written as a
workspace and exported as a real filing package (``adapters.filing.export_package``, EPSG:4490).
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import shapely

COUNTY_CODES = ("610902", "610921", "610922", "610923", "610924", "610925", "610926", "610927", "610929", "610981")


def generate_city(*args, **kwargs):
    """``generate_city`` of the synthetic generators, wherever they live (they may move out of the plugin)."""
    for module in ("plugin.core.synthetic", "tests.synthetic", "synthetic", "tests.support.synthetic"):
        try:
            return importlib.import_module(module).generate_city(*args, **kwargs)
        except ImportError:
            continue
    raise ImportError("no synthetic city generator (generate_city) found")


def _recode(values: np.ndarray, county: str) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = [None if v is None else county + str(v)[6:] for v in values.tolist()]
    return out


def split_counties(city, k: int, codes=COUNTY_CODES) -> dict:
    """``city`` (WorkspaceData) cut into ``k`` counties by village columns: {county code: WorkspaceData}."""
    from plugin.core import schema
    from plugin.core.model import WorkspaceData

    level1 = city.grids["grid_level1"]
    x = shapely.get_x(shapely.centroid(level1.geometries))
    edges = np.quantile(x, np.linspace(0, 1, k + 1)[1:-1]) if k > 1 else np.zeros(0)
    county_of_village = dict(zip(level1.codes.tolist(), np.searchsorted(edges, x, side="right").tolist()))
    out = {}
    for n in range(k):
        county = codes[n]
        grids = {}
        for name, grid in city.grids.items():
            keep = np.asarray([county_of_village.get(str(c)[:12]) == n for c in grid.codes.tolist()], dtype=bool)
            part = grid.subset(keep)
            grids[name] = replace(
                part,
                fids=np.arange(1, len(part) + 1, dtype=np.int64),
                codes=_recode(part.codes, county),
                parent_codes=_recode(part.parent_codes, county),
            )
        boundary = shapely.union_all(grids["grid_level1"].geometries)
        info = schema.WorkspaceInfo(county_code=county, county_name=f"县{county}", crs=city.info.crs)
        divisions = [
            {**d, "code": county + str(d["code"])[6:], "town_code": county + str(d.get("town_code") or "")[6:]}
            for d in city.divisions
            if county_of_village.get(str(d["code"])) == n
        ]
        out[county] = WorkspaceData(info=info, grids=grids, county_boundary=boundary, divisions=divisions)
    return out


def write_county_package(data, folder: Path, version: str | None = None) -> Path:
    """The county as a workspace, then its filing package (as the county's export writes it)."""
    from plugin.adapters.filing import export_package
    from plugin.adapters.workspace import write_workspace

    folder.mkdir(parents=True, exist_ok=True)
    county = data.info.county_code
    workspace = write_workspace(folder / f"ws_{county}.gpkg", data.info, data, overwrite=True)
    package = folder / f"package_{county}{'_' + version if version else ''}.gpkg"
    export_package(workspace, package, record=False, version=version, validate=False)
    return package
