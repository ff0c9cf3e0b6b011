"""One schema, two stores: a GeoPackage workspace copied into PostGIS and back, opened through QGIS's postgres
provider with the schema's layers, aliases and styles; the sample county audited from both gives the same
findings; a filing package exported from the database."""

from __future__ import annotations

from contextlib import closing

import numpy as np
import pytest
import shapely

from plugin.adapters import pg_store
from plugin.adapters.plain_workspace import open_plain_workspace
from plugin.adapters.workspace import read_info
from plugin.core import schema


def same_data(a, b):
    for layer_def in schema.GRID_LAYERS:
        ga, gb = a.grids[layer_def.name], b.grids[layer_def.name]
        order_a, order_b = np.argsort(ga.codes.astype(str)), np.argsort(gb.codes.astype(str))
        assert list(ga.codes[order_a]) == list(gb.codes[order_b]), layer_def.name
        assert list(ga.names[order_a]) == list(gb.names[order_b]), layer_def.name
        assert shapely.equals(ga.geometries[order_a], gb.geometries[order_b]).all(), layer_def.name
    assert shapely.equals(a.county_boundary, b.county_boundary)
    assert sorted(r["name"] for r in a.staff) == sorted(r["name"] for r in b.staff)


def test_copy_in_open_and_copy_back(shared_workspace, tmp_path):
    ws = shared_workspace
    pg_store.save_pg_styles(ws.admin, ws.name)
    opened = pg_store.open_pg_workspace(ws.admin, ws.name)
    gpkg = open_plain_workspace(ws.gpkg)
    try:
        assert set(opened.layers) == {d.name for d in schema.WORKSPACE_LAYERS}
        level3 = opened.grid_layer(3)
        assert level3.providerType() == "postgres"
        assert level3.attributeAlias(level3.fields().indexOf("code")) == "网格编码"
        assert level3.customProperty(schema.PROPERTY_LAYER) == "grid_level3"
        assert opened.info.county_code == "610902" and opened.info.schema_version == schema.SCHEMA_VERSION
        same_data(gpkg.read_data(), opened.read_data())
        with closing(pg_store.connect(ws.admin)) as conn, conn.cursor() as cur:
            cur.execute(
                "select f_table_name from public.layer_styles where f_table_schema = %s and useasdefault",
                (ws.name,),
            )
            assert {r[0] for r in cur.fetchall()} == {d.name for d in schema.WORKSPACE_LAYERS}
        back = pg_store.copy_pg_to_gpkg(ws.admin, ws.name, tmp_path / "back.gpkg")
        assert read_info(back).county_code == "610902"
        copied = open_plain_workspace(back)
        same_data(gpkg.read_data(), copied.read_data())
        assert sorted(r["phone"] for r in copied.read_data().staff) == ["13900000001", "13900000002"]
        # copied out by a township planner: the phones it may not read stay in the county
        town_copy = open_plain_workspace(pg_store.copy_pg_to_gpkg(ws.logins[ws.town_a], ws.name, tmp_path / "t.gpkg"))
        assert [r["phone"] for r in town_copy.read_data().staff] == [None, None]
        for w in (copied, town_copy):
            w.layers.clear()
    finally:
        opened.layers.clear()
        gpkg.layers.clear()


def test_copy_into_an_existing_schema_is_refused_unchanged(shared_workspace):
    ws = shared_workspace
    with pytest.raises(pg_store.PgStoreError) as refused:
        pg_store.copy_gpkg_to_pg(ws.gpkg, ws.admin, ws.name)
    assert ws.name in str(refused.value)
    with closing(pg_store.connect(ws.admin)) as conn, conn.cursor() as cur:
        cur.execute(f'select count(*) from "{ws.name}".grid_level3')
        assert cur.fetchone() == (4,)


@pytest.fixture(scope="module")
def sample_in_postgis(pg_cluster, tmp_path_factory, qgis_app):
    """The sample county (build_sample) as a GeoPackage and copied into PostGIS (once for the module)."""
    import os
    import uuid

    from plugin.adapters.workspace import write_workspace
    from plugin.core.sample import build_sample

    os.environ["PGPASSFILE"] = pg_cluster["PGPASSFILE"]
    admin = pg_store.PgParams(
        host=pg_cluster["PGHOST"],
        port=int(pg_cluster["PGPORT"]),
        dbname=pg_cluster["PGDATABASE"],
        user=pg_cluster["PGUSER"],
        passfile=pg_cluster["PGPASSFILE"],
    )
    sample = build_sample()
    path = tmp_path_factory.mktemp("pgsample") / "hanbin.gpkg"
    write_workspace(path, sample.data.info, sample.data)
    name = "sample_" + uuid.uuid4().hex[:8]
    pg_store.copy_gpkg_to_pg(path, admin, name)
    try:
        yield admin, name, path
    finally:
        with closing(pg_store.connect(admin)) as conn:
            pg_store.drop_pg_workspace(conn, name)


def test_sample_audit_from_postgis_gives_the_geopackage_findings(sample_in_postgis, tmp_path):
    admin, name, path = sample_in_postgis
    gpkg = open_plain_workspace(path)
    pg = pg_store.open_pg_workspace(admin, name, styled=False)
    try:
        from_gpkg = pg_store.audit_open_workspace(gpkg)
        from_pg = pg_store.audit_open_workspace(pg, write=True)
    finally:
        gpkg.layers.clear()
    assert len(from_gpkg.findings) >= 10 and any(f.severity.value == "error" for f in from_gpkg.findings)

    def key(f):
        return (f.rule_id, f.severity, tuple(sorted(f.codes)), f.fingerprint)

    assert sorted(map(key, from_pg.findings)) == sorted(map(key, from_gpkg.findings))
    assert pg.layers["audit_findings"].featureCount() == len(from_pg.findings)
    pg.layers.clear()

    # the filing package from the database: refused while errors stand, written with a reason
    from plugin.adapters.filing import FilingRefused

    with pytest.raises(FilingRefused):
        pg_store.export_filing_from_pg(admin, name, tmp_path / "refused.gpkg", tmp_path)
    _copy, result = pg_store.export_filing_from_pg(
        admin, name, tmp_path / "package.gpkg", tmp_path, override_reason="演示 demonstration"
    )
    assert (tmp_path / "package.gpkg").is_file() and result.counts["grid_level3"] == 5532


def test_processing_copies_to_postgis_and_back(pg_admin, pg_cluster, unique_name, tmp_path, provider):
    import processing
    from pg_helpers import small_data
    from qgis.core import QgsProcessingException

    from plugin.adapters.workspace import write_workspace

    data = small_data()
    gpkg = tmp_path / "small.gpkg"
    write_workspace(gpkg, data.info, data)
    conninfo = f"host={pg_admin.host} port={pg_admin.port} dbname={pg_admin.dbname} user={pg_admin.user}"
    try:
        result = processing.run(
            "community_grids:copy_workspace_to_postgis",
            {"WORKSPACE": str(gpkg), "CONNECTION": conninfo, "SCHEMA": unique_name, "STYLES": False},
        )
        assert result["SCHEMA"] == unique_name
        with pytest.raises(QgsProcessingException) as exists:
            processing.run(
                "community_grids:copy_workspace_to_postgis",
                {"WORKSPACE": str(gpkg), "CONNECTION": conninfo, "SCHEMA": unique_name},
            )
        assert unique_name in str(exists.value)
        back = processing.run(
            "community_grids:copy_postgis_to_workspace",
            {"CONNECTION": conninfo, "SCHEMA": unique_name, "OUTPUT": str(tmp_path / "back.gpkg")},
        )
        copied, original = open_plain_workspace(back["OUTPUT"]), open_plain_workspace(gpkg)
        same_data(original.read_data(), copied.read_data())
        copied.layers.clear()
        original.layers.clear()
        with pytest.raises(QgsProcessingException) as bad_name:
            processing.run(
                "community_grids:copy_postgis_to_workspace",
                {"CONNECTION": conninfo, "SCHEMA": "Bad-Name", "OUTPUT": str(tmp_path / "x.gpkg")},
            )
        assert "Bad-Name" in str(bad_name.value)
    finally:
        with closing(pg_store.connect(pg_admin)) as conn:
            pg_store.drop_pg_workspace(conn, unique_name)


def test_county_registers_held_codes_then_allocation_continues_after_them(shared_workspace):
    ws = shared_workspace
    opened = pg_store.open_pg_workspace(ws.admin, ws.name, styled=False)
    try:
        assert pg_store.rebuild_pg_registry(opened) == (8, 0)  # 2 villages, 2 sections, 4 groups
        assert pg_store.rebuild_pg_registry(opened) == (0, 0)
        assert not [f for f in pg_store.audit_open_workspace(opened).findings if f.rule_id.startswith("registry")]
    finally:
        opened.layers.clear()
    with closing(pg_store.connect(ws.logins[ws.town_a])) as conn:
        assert pg_store.allocate_code(conn, ws.name, "61090200100101", 3) == "61090200100101003"
