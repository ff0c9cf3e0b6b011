"""Size rules kept in the workspace: round trip, bad edits refused untouched, and the rules panel."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from plugin.adapters.rules_store import RulesError, load_rules, save_rules
from plugin.adapters.table_store import TableStoreError, read_rows, write_rows
from plugin.core import sizerules
from plugin.core.sizerules import with_rule


@pytest.fixture
def workspace(empty_workspace):
    yield empty_workspace
    empty_workspace.layers.clear()


def stored(path):
    with sqlite3.connect(path) as db:
        return db.execute("select * from size_rules order by fid").fetchall()


def test_new_workspace_holds_the_standards_defaults(workspace):
    assert load_rules(workspace) == sizerules.default_rules()
    assert load_rules(str(workspace.path)) == sizerules.default_rules()


def test_rules_round_trip_through_the_workspace(workspace):
    rules = with_rule(load_rules(workspace), "size.rural_range", max_households=60, relax_factor=1.5)
    rules = with_rule(rules, "size.high_rise_range", enabled=False)
    extra = dataclasses.replace(rules[0], id="county.mountain", clause="7.3.3 d", min_households=15, max_households=40)
    rules.append(extra)
    save_rules(workspace, rules)
    again = load_rules(workspace)
    assert again == rules
    assert [r.id for r in again][-1] == "county.mountain"
    assert next(r for r in again if r.id == "size.rural_range").max_households == 60
    assert next(r for r in again if r.id == "size.high_rise_range").enabled is False
    assert len(stored(workspace.path)) == len(rules)
    # the layer in QGIS shows the saved rows
    assert workspace.layers["size_rules"].featureCount() == len(rules)


def test_bad_edits_are_refused_and_the_table_left_unchanged(workspace):
    before = stored(workspace.path)
    good = load_rules(workspace)
    bad = [dataclasses.replace(r, min_households=80) if r.id == "size.rural_range" else r for r in good]
    with pytest.raises(RulesError) as caught:
        save_rules(workspace, bad)
    message = str(caught.value)
    assert "size.rural_range" in message and "max_households (50)" in message
    assert caught.value.problems[0].field == "min_households"
    assert stored(workspace.path) == before

    duplicate = [*good, good[0]]
    with pytest.raises(RulesError, match=r"duplicate rule id size\.rural_range"):
        save_rules(workspace, duplicate)
    with pytest.raises(RulesError, match="empty"):
        save_rules(workspace, [])
    assert stored(workspace.path) == before


def test_a_failed_write_rolls_back(workspace):
    before = stored(workspace.path)
    rows = sizerules.to_rows(sizerules.default_rules())
    rows[3]["max_households"] = "many"  # cannot be stored in an integer field
    with pytest.raises(TableStoreError, match="row 4"):
        write_rows(workspace.path, "size_rules", rows, replace=True)
    assert stored(workspace.path) == before
    assert len(read_rows(workspace.path, "size_rules")) == len(before)


def test_broken_stored_rules_are_reported_by_rule(workspace):
    with sqlite3.connect(workspace.path) as db:
        db.execute("update size_rules set severity = 'fatal', min_persons = -3 where id = 'size.urban_range'")
    with pytest.raises(RulesError) as caught:
        load_rules(workspace)
    assert "size.urban_range" in str(caught.value)
    assert {p.field for p in caught.value.problems} == {"severity", "min_persons"}


def test_rules_panel_validates_on_save(workspace, qgis_app):
    from qgis.PyQt.QtCore import Qt

    from plugin.gui.rules_panel import COLUMNS, RulesPanel

    panel = RulesPanel(workspace)
    saved = []
    panel.rulesSaved.connect(saved.append)
    assert panel.table.rowCount() == len(sizerules.default_rules())
    assert not panel.modified
    row = next(r for r in range(panel.table.rowCount()) if panel.table.item(r, 1).text() == "size.rural_range")
    max_h = COLUMNS.index("max_households")
    before = stored(workspace.path)

    panel.table.item(row, max_h).setText("twenty")
    assert panel.modified
    assert panel.save() is False
    assert "size.rural_range" in panel.status.text()
    assert panel.table.item(row, max_h).background().color().name() == "#f8c9c4"
    panel.table.item(row, max_h).setText("20")  # below the minimum of 30
    assert panel.save() is False
    assert "min_households (30) is greater than max_households (20)" in panel.status.text() or "大于" in (
        panel.status.text()
    )
    assert stored(workspace.path) == before and saved == []

    panel.table.item(row, max_h).setText("55")
    panel.table.item(row, COLUMNS.index("enabled")).setCheckState(Qt.CheckState.Unchecked)
    assert panel.save() is True
    assert not panel.modified
    (rules,) = saved
    rural = next(r for r in rules if r.id == "size.rural_range")
    assert rural.max_households == 55 and rural.enabled is False
    assert load_rules(workspace) == rules

    panel.set_rules(sizerules.default_rules())
    assert panel.modified
    panel.load()
    assert panel.rules() == rules
    panel.deleteLater()
