"""The schema (plugin/core/schema.py) is the only place that spells layer names and custom-property keys.

Every other module of the plugin reads them from there (``schema.GRID_LEVEL1.name``, ``schema.PROPERTY_LAYER``):
a string literal equal to one of them anywhere else is a second source that would drift. Short layer labels of
messages and reports come from ``schema.LAYER_LABELS`` too.
"""

from __future__ import annotations

import ast
from pathlib import Path

from plugin.core import schema

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "plugin"

# (file, literal): the same spelling meaning something else, each with its reason.
ALLOWED = {
    ("plugin/core/sample.py", "staff"): "a key of the sample's statistics (how many staff rows), not the layer",
    ("plugin/gui/plugin.py", "staff"): "the id of the dock's staff page, not the layer",
    ("plugin/core/diff.py", "county_boundary"): "the WorkspaceData attribute of that name, not the layer",
    ("plugin/adapters/messages.py", "staff"): "the unit of a measure (人), not the layer",
    ("plugin/gui/jobs_panel.py", "staff"): "the key of the Jobs page's staff job, not the layer",
}


def protected_literals() -> dict[str, str]:
    layers = [*schema.WORKSPACE_LAYERS, schema.PACKAGE_METADATA, schema.PACKAGE_CHANGES]
    layers += [schema.CITY_FINDINGS, schema.CITY_PACKAGES]
    field_names = {f.name for layer in layers for f in layer.fields}
    found = {layer.name: "layer name" for layer in layers if layer.name not in field_names}
    for name in dir(schema):
        value = getattr(schema, name)
        if name.startswith("PROPERTY_") and isinstance(value, str):
            found[value] = name
            found[value.split("{")[0]] = name
    found[schema.WORKSPACE_MARKER] = "WORKSPACE_MARKER"
    for zh, _en in schema.LAYER_LABELS.values():
        found[zh] = "layer label"
    return found


def literals_outside_the_schema() -> list[str]:
    protected = protected_literals()
    hits = []
    for path in sorted(PLUGIN.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative == "plugin/core/schema.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        # pieces of f-strings are sentences ("三级网格{name}没有网格长"), not names
        skipped |= {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
        for node in ast.walk(tree):
            literal = node.value if isinstance(node, ast.Constant) and id(node) not in skipped else None
            if isinstance(literal, str) and literal in protected and (relative, literal) not in ALLOWED:
                hits.append(f"{relative}:{node.lineno}: {literal!r} ({protected[literal]})")
    return hits


def test_layer_names_labels_and_property_keys_come_from_the_schema():
    assert literals_outside_the_schema() == []


def test_the_allowed_cases_still_exist():
    """An exception that is no longer needed is removed from ALLOWED."""
    for relative, literal in ALLOWED:
        tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"))
        assert any(isinstance(n, ast.Constant) and n.value == literal for n in ast.walk(tree)), (relative, literal)


def test_the_checker_sees_what_it_protects():
    protected = protected_literals()
    for literal in ("grid_level1", "county_boundary", "community_grids/layer", "community_grids/thematic", "一级网格"):
        assert literal in protected, literal
    assert "households" not in protected  # also a field name: cannot be told apart by spelling
