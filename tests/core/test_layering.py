"""Imports point down only: gui -> processing -> adapters -> core (read from the sources with ast).

core is plain Python (no QGIS, Qt or GDAL); adapters know QGIS but neither the plugin's Processing provider,
QGIS's Processing framework nor the plugin's gui; processing knows no gui.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "plugin"

# layer -> module prefixes (absolute names) it must not import
FORBIDDEN = {
    "core": (
        "qgis",
        "PyQt5",
        "PyQt6",
        "sip",
        "osgeo",
        "processing",
        "plugin.adapters",
        "plugin.processing",
        "plugin.gui",
    ),
    "adapters": ("processing", "plugin.processing", "plugin.gui"),
    "processing": ("plugin.gui",),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_names(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved to absolute names (also those inside functions)."""
    name = module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def violations(layer: str) -> list[str]:
    found = []
    for path in sorted((PLUGIN / layer).rglob("*.py")):
        for name in sorted(imported_names(path)):
            if any(name == prefix or name.startswith(prefix + ".") for prefix in FORBIDDEN[layer]):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_imports_point_down_only(layer):
    assert violations(layer) == []


def test_the_checker_sees_relative_and_nested_imports(tmp_path, monkeypatch):
    """The check itself: a relative import from inside a function is resolved and caught."""
    fake_root = tmp_path
    adapters = fake_root / "plugin" / "adapters"
    adapters.mkdir(parents=True)
    (adapters / "bad.py").write_text(
        "def start():\n    from ..processing.provider import Provider\n    import processing\n", encoding="utf-8"
    )
    monkeypatch.setitem(globals(), "ROOT", fake_root)
    monkeypatch.setitem(globals(), "PLUGIN", fake_root / "plugin")
    assert violations("adapters") == [
        "plugin/adapters/bad.py imports plugin.processing.provider",
        "plugin/adapters/bad.py imports plugin.processing.provider.Provider",
        "plugin/adapters/bad.py imports processing",
    ]
