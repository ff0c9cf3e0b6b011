"""Qt 6 / QGIS 4 readiness: find code that only works with PyQt5 (run by `make qt6-check`, part of `make test`).

Reported, as ``file:line: message``:

* direct imports of PyQt5, PyQt6 or sip (use ``qgis.PyQt`` and ``from qgis.PyQt import sip``);
* unscoped enum values such as ``Qt.AlignLeft``, ``QgsWkbTypes.Polygon``, ``QVariant.String``,
  ``QDialog.Accepted``, ``QMessageBox.Yes`` (PyQt6 and QGIS 4 need ``Qt.AlignmentFlag.AlignLeft``,
  ``QgsWkbTypes.Type.Polygon`` / ``Qgis.WkbType.Polygon``, ``QMetaType.Type.QString`` …);
* ``exec_()`` (gone in PyQt6: ``exec()``), and classes removed from Qt 6 (``QRegExp``, ``QDesktopWidget``).

Whether ``A.B`` is an enum value is decided by looking it up in the installed PyQt / QGIS (a value whose type
is an enum, accessed directly on a class); without QGIS a list of common names is used instead. Strings and
comments are ignored. A line ending in ``# qt6: ok`` is skipped (e.g. a deliberate fallback for QGIS 3.22).

Exit status 1 when anything is found. ``--json`` prints the findings as JSON.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import sys
import tokenize
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = {
    ".venv",
    ".venv-shapely20",
    "venv",
    "build",
    "dist",
    ".git",
    "__pycache__",
    ".ruff_cache",
    ".hypothesis",
    ".qgis-settings",
}
PRAGMA = "# qt6: ok"
FORBIDDEN_MODULES = ("PyQt5", "PyQt6", "sip")
REMOVED_CLASSES = {
    "QRegExp": "QRegExp is gone in Qt 6: use QRegularExpression",
    "QDesktopWidget": "QDesktopWidget is gone in Qt 6: use QScreen (QGuiApplication.screens())",
}
# Without QGIS: unscoped values that are common in plugins (class -> names).
FALLBACK_ENUM_VALUES = {
    "Qt": {
        "AlignLeft",
        "AlignRight",
        "AlignHCenter",
        "AlignVCenter",
        "AlignCenter",
        "AlignTop",
        "AlignBottom",
        "Horizontal",
        "Vertical",
        "Checked",
        "Unchecked",
        "PartiallyChecked",
        "UserRole",
        "DisplayRole",
        "EditRole",
        "ToolTipRole",
        "DecorationRole",
        "CheckStateRole",
        "ItemIsEnabled",
        "ItemIsSelectable",
        "ItemIsEditable",
        "ItemIsUserCheckable",
        "LeftDockWidgetArea",
        "RightDockWidgetArea",
        "WaitCursor",
        "ArrowCursor",
        "CrossCursor",
        "NoPen",
        "SolidLine",
        "DashLine",
        "NoBrush",
        "SolidPattern",
        "red",
        "black",
        "white",
        "transparent",
        "KeepAspectRatio",
        "SmoothTransformation",
        "LeftButton",
        "RightButton",
        "Key_Escape",
        "Key_Return",
        "Key_Enter",
        "Key_Delete",
        "ControlModifier",
        "ShiftModifier",
        "WindowModal",
        "ApplicationModal",
        "ScrollBarAlwaysOff",
        "ElideRight",
        "AscendingOrder",
        "DescendingOrder",
        "MatchExactly",
        "CaseInsensitive",
        "ISODate",
        "LocalTime",
        "UTC",
    },
    "QgsWkbTypes": {
        "Point",
        "LineString",
        "Polygon",
        "MultiPoint",
        "MultiLineString",
        "MultiPolygon",
        "NoGeometry",
        "Unknown",
        "PointGeometry",
        "LineGeometry",
        "PolygonGeometry",
        "NullGeometry",
        "UnknownGeometry",
    },
    "QVariant": {"String", "Int", "Double", "Bool", "Date", "DateTime", "LongLong", "Invalid", "Map", "List"},
    "QDialog": {"Accepted", "Rejected"},
    "QMessageBox": {"Yes", "No", "Ok", "Cancel", "Save", "Discard", "Warning", "Critical", "Information", "Question"},
    "QDialogButtonBox": {"Ok", "Cancel", "Yes", "No", "Close", "Help", "Apply", "Save"},
    "QSizePolicy": {"Expanding", "Fixed", "Preferred", "Minimum", "Maximum", "MinimumExpanding", "Ignored"},
    "QAbstractItemView": {"SelectRows", "SingleSelection", "ExtendedSelection", "NoEditTriggers"},
    "QHeaderView": {"Stretch", "ResizeToContents", "Interactive"},
    "QFrame": {"HLine", "VLine", "Sunken", "Raised", "NoFrame", "StyledPanel"},
    "QEvent": {"DeferredDelete", "KeyPress", "MouseButtonPress", "Close", "Show"},
    "QFont": {"Bold", "Normal"},
    "QPainter": {"Antialiasing"},
    "QgsMapLayer": {"VectorLayer", "RasterLayer"},
    "QgsFeatureRequest": {"NoGeometry", "SubsetOfAttributes", "ExactIntersect"},
    "QgsVectorFileWriter": {"NoError", "CreateOrOverwriteFile", "CreateOrOverwriteLayer"},
    "QgsProcessing": {"TypeVectorPolygon", "TypeVectorPoint", "TypeVectorAnyGeometry", "TypeFile"},
    "QgsProcessingParameterNumber": {"Integer", "Double"},
    "QgsProcessingParameterField": {"Any", "Numeric", "String"},
    "QgsProcessingAlgorithm": {"FlagNoThreading", "FlagHideFromToolbox"},
}
QT_MODULES = (
    "qgis.PyQt.QtCore",
    "qgis.PyQt.QtGui",
    "qgis.PyQt.QtWidgets",
    "qgis.PyQt.QtXml",
    "qgis.PyQt.QtNetwork",
    "qgis.PyQt.QtSvg",
    "qgis.PyQt.QtPrintSupport",
    "qgis.core",
    "qgis.gui",
    "qgis.analysis",
)


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class Namespace:
    """Names of PyQt and QGIS classes and modules, resolved lazily from the installed libraries."""

    def __init__(self, use_qgis: bool = True):
        self.available = False
        self.names: dict[str, object] = {}
        self._enum_meta: tuple[type, ...] = ()
        if not use_qgis:
            return
        try:
            import importlib

            for module_name in QT_MODULES:
                try:
                    module = importlib.import_module(module_name)
                except ImportError:
                    continue
                for name in dir(module):
                    if name.startswith("Q"):
                        self.names.setdefault(name, getattr(module, name))
                self.names.setdefault(module_name.rsplit(".", 1)[-1], module)
            import enum

            from qgis.PyQt.QtCore import Qt

            # sip's enum metaclass (PyQt5) is not exported under a stable name: take it from a known enum.
            self._enum_meta = (type(type(Qt.AlignmentFlag.AlignLeft)), enum.EnumMeta)
            self.available = bool(self.names)
        except Exception:  # noqa: BLE001 - no QGIS here: use the fallback list
            self.available = False

    def is_enum_value(self, owner: object, member: str) -> bool:
        """True when ``owner.member`` is an enum value reached directly on a class (an unscoped enum)."""
        try:
            value = getattr(owner, member)
        except Exception:  # noqa: BLE001
            return False
        if isinstance(value, type):
            return False  # a class or an enum type: scoped access continues after it
        enum_type = type(value)
        if not isinstance(enum_type, self._enum_meta):
            return False
        # A value reached through its own enum type (Qt.AlignmentFlag.AlignLeft) is scoped.
        return not (isinstance(owner, type) and isinstance(owner, self._enum_meta) and enum_type is owner)


def _dotted_chains(tokens: list[tokenize.TokenInfo]):
    """Runs of NAME(.NAME)+ outside strings and comments: (names, line of each name, ends in a call)."""
    i = 0
    n = len(tokens)
    while i < n:
        token = tokens[i]
        if token.type == tokenize.NAME and not (i > 0 and tokens[i - 1].string == "."):
            names = [token.string]
            lines = [token.start[0]]
            j = i + 1
            while j + 1 < n and tokens[j].string == "." and tokens[j + 1].type == tokenize.NAME:
                names.append(tokens[j + 1].string)
                lines.append(tokens[j + 1].start[0])
                j += 2
            called = j < n and tokens[j].string == "("
            if len(names) > 1:
                yield names, lines, called
            i = j
        else:
            i += 1


def check_source(source: str, path: str, namespace: Namespace) -> list[Violation]:
    violations: list[Violation] = []
    lines = source.splitlines()

    def skipped(line: int) -> bool:
        return 0 < line <= len(lines) and lines[line - 1].rstrip().endswith(PRAGMA)

    def add(line: int, message: str) -> None:
        if not skipped(line):
            violations.append(Violation(path, line, message))

    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as error:
        return [Violation(path, error.lineno or 0, f"syntax error: {error.msg}")]
    local_names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in FORBIDDEN_MODULES:
                    add(node.lineno, f"direct import of {alias.name}: import it through qgis.PyQt")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            top = node.module.split(".")[0]
            if top in FORBIDDEN_MODULES:
                add(node.lineno, f"direct import from {node.module}: import it through qgis.PyQt")
        elif isinstance(node, ast.ClassDef):
            local_names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    local_names.add(target.id)

    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
    ]
    for index, token in enumerate(tokens):
        if token.type != tokenize.NAME:
            continue
        if token.string == "exec_" and index > 0 and tokens[index - 1].string == ".":
            add(token.start[0], "exec_() is gone in PyQt6: use exec()")
        elif token.string in REMOVED_CLASSES and not (index > 0 and tokens[index - 1].string == "."):
            add(token.start[0], REMOVED_CLASSES[token.string])

    for names, name_lines, _called in _dotted_chains(tokens):
        first = names[0]
        if first in local_names and first not in namespace.names:
            continue
        if namespace.available:
            owner = namespace.names.get(first)
            if owner is None:
                continue
            for k in range(1, len(names)):
                member = names[k]
                if namespace.is_enum_value(owner, member) and not isinstance(owner, type(sys)):
                    enum_type = type(getattr(owner, member))
                    scoped = f"{'.'.join(names[:k])}.{enum_type.__name__}.{member}"
                    add(name_lines[k], f"unscoped enum {'.'.join(names[: k + 1])}: write {scoped}")
                    break
                try:
                    owner = getattr(owner, member)
                except Exception:  # noqa: BLE001
                    break
        else:
            for k in range(len(names) - 1):
                if names[k] in FALLBACK_ENUM_VALUES and names[k + 1] in FALLBACK_ENUM_VALUES[names[k]]:
                    add(name_lines[k + 1], f"unscoped enum {names[k]}.{names[k + 1]}: use the scoped form")
                    break
    return violations


def python_files(root: Path, paths: list[Path] | None = None) -> list[Path]:
    if paths:
        files: list[Path] = []
        for path in paths:
            files.extend([path] if path.is_file() else python_files(path))
        return sorted(files)
    out = []
    for path in sorted(root.rglob("*.py")):
        if any(part in SKIP_DIRS for part in path.relative_to(root).parts):
            continue
        out.append(path)
    return out


def check(paths: list[Path] | None = None, root: Path = ROOT, use_qgis: bool = True) -> list[Violation]:
    namespace = Namespace(use_qgis)
    violations: list[Violation] = []
    for path in python_files(root, paths):
        try:
            shown = str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            shown = str(path)
        source = path.read_text(encoding="utf-8")
        violations.extend(check_source(source, shown, namespace))
    return sorted(violations, key=lambda v: (v.path, v.line, v.message))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the whole repository)")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.add_argument("--no-qgis", action="store_true", help="do not import QGIS; use the list of common names")
    args = parser.parse_args(argv)
    violations = check(args.paths or None, use_qgis=not args.no_qgis)
    if args.json:
        print(json.dumps([asdict(v) for v in violations], ensure_ascii=False, indent=1))
    else:
        for violation in violations:
            print(violation)
        files = len({v.path for v in violations})
        if violations:
            print(f"Qt 6 check: {len(violations)} problem(s) in {files} file(s).", file=sys.stderr)
        else:
            print("Qt 6 check: no problems found.", file=sys.stderr)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.path.insert(0, "/usr/share/qgis/python/plugins")
    sys.exit(main())
