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
    for module in ("devtools.synthetic", "tests.synthetic", "synthetic", "tests.support.synthetic"):
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


def synthetic_counties(n_level3: int, k: int, seed: int = 0, chunk: int = 500_000) -> dict:
    """``k`` counties with ``n_level3`` level 3 grids in all. The generator's codes allow about 500,000 level 3
    grids per city (999 townships), so larger totals are made of several cities side by side, 1 km apart, each cut
    into its share of counties (counties of one city share their borders exactly)."""
    chunks = max(1, -(-n_level3 // chunk))
    if chunks > k:
        raise ValueError(f"{n_level3} grids need at least {chunks} counties")
    sizes = [n_level3 // chunks + (1 if i < n_level3 % chunks else 0) for i in range(chunks)]
    shares = [k // chunks + (1 if i < k % chunks else 0) for i in range(chunks)]
    out, x0, first = {}, None, 0
    for i, (size, share) in enumerate(zip(sizes, shares)):
        options = {} if x0 is None else {"origin": (x0, 3_600_000.0)}
        city = generate_city(size, seed=seed + i, **options)
        x0 = shapely.bounds(city.county_boundary)[2] + 1000.0
        out.update(split_counties(city, share, COUNTY_CODES[first : first + share]))
        first += share
        del city
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
