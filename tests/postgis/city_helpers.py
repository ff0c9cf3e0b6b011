"""Synthetic cities of several counties for the city database's tests and bench (test/bench-only code).

One synthetic city of ``k`` counties (``generate_city(..., counties=k)``: columns of villages, so neighbouring
counties share their borders exactly) is cut by county; a one-county city can also be cut by the x position of its
villages, each part's codes given its own 6-digit county code (the rest of each code is unchanged, so codes stay
unique across the city). Each county is then written as a
workspace and exported as a real filing package (``adapters.filing.export_package``, EPSG:4490).
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import shapely


def _synthetic():
    """The synthetic generators' module, wherever it lives (it may move out of the plugin)."""
    for module in ("devtools.synthetic", "tests.synthetic", "synthetic", "tests.support.synthetic"):
        try:
            return importlib.import_module(module)
        except ImportError:
            continue
    raise ImportError("no synthetic city generator (generate_city) found")


def generate_city(*args, **kwargs):
    """``generate_city`` of the synthetic generators."""
    return _synthetic().generate_city(*args, **kwargs)


def county_codes() -> tuple:
    return tuple(_synthetic().COUNTY_CODES)


def _recode(values: np.ndarray, county: str) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = [None if v is None else county + str(v)[6:] for v in values.tolist()]
    return out


def split_counties(city, k: int | None = None, codes=None) -> dict:
    """``city`` (WorkspaceData) cut into counties: {county code: WorkspaceData}. A city of several counties
    (``generate_city(..., counties=k)``) is cut by the county codes its villages already have (``k`` None or
    their number); a one-county city into ``k`` counties by village columns, its codes given new county codes."""
    from plugin.core import schema
    from plugin.core.model import WorkspaceData

    level1 = city.grids["grid_level1"]
    own = sorted({str(c)[:6] for c in level1.codes.tolist()})
    if k is None or (len(own) == k and len(own) > 1):
        codes = own
        county_of_village = {str(c): own.index(str(c)[:6]) for c in level1.codes.tolist()}
    else:
        codes = codes or county_codes()
        x = shapely.get_x(shapely.centroid(level1.geometries))
        edges = np.quantile(x, np.linspace(0, 1, k + 1)[1:-1]) if k > 1 else np.zeros(0)
        county_of_village = dict(zip(level1.codes.tolist(), np.searchsorted(edges, x, side="right").tolist()))
    out = {}
    for n in range(len(codes) if k is None else k):
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


def synthetic_counties(n_level3: int, k: int, seed: int = 0) -> dict:
    """``k`` counties with ``n_level3`` level 3 grids in all: one synthetic city of ``k`` counties
    (``generate_city(..., counties=k)``: neighbouring counties share their borders exactly), cut by county."""
    return split_counties(generate_city(n_level3, seed=seed, counties=k), k)


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
