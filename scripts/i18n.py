"""Translations: extract every translatable string into i18n/community_grids_<lang>.ts, check, compile.

    python scripts/i18n.py --update     # add new strings to the .ts (keeping every translation), report the rest
    python scripts/i18n.py --check      # exit 1, listing them, if any string is missing or untranslated
    python scripts/i18n.py --export-untranslated todo.tsv   # context, source, (empty) translation
    python scripts/i18n.py --import done.tsv                # fill translations from such a file
    python scripts/i18n.py --compile    # .ts -> .qm with lrelease (`make i18n` does update + compile)

What is extracted (Python files under plugin/, read with ``ast``, so implicitly joined strings are one message):

* ``tr("…")``, ``self.tr("…")``, ``i18n.tr("…", context)``;
* ``QCoreApplication.translate("Context", "…")``, ``QT_TRANSLATE_NOOP("Context", "…")``, ``QT_TR_NOOP("…")``;
* ``tr(NAME)`` where NAME is a string constant of the same module (``MENU = "&Community Grids"``);
* class attributes read through ``tr(self.X)`` anywhere: every string constant assigned to ``X`` in a class body
  (the Processing algorithms' ``DISPLAY``, ``GROUP`` and ``HELP``);
* ``<string>`` elements of Qt Designer files (ui/*.ui, plugin/**/*.ui) without ``notr="true"``, in the
  context of the form's class, as uic translates them.

Other ``tr()`` calls (an f-string, a variable) cannot be extracted and are listed as warnings.
The default context is "CommunityGrids" (plugin.i18n.CONTEXT). Obsolete messages that have a translation are
kept as ``vanished`` (lrelease skips them; they come back if the string does). Files are written atomically.
"""

from __future__ import annotations

import argparse
import ast
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
I18N_DIR = ROOT / "i18n"
SOURCE_DIRS = ("plugin",)
UI_GLOBS = ("ui/*.ui", "plugin/**/*.ui")
DEFAULT_CONTEXT = "CommunityGrids"
DEFAULT_LANGUAGE = "zh_CN"
TR_NAMES = {"tr"}
TRANSLATE_NAMES = {"translate"}
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass
class Message:
    context: str
    source: str
    locations: list[tuple[str, int]] = field(default_factory=list)
    translation: str = ""
    kind: str = ""  # "", "unfinished", "vanished", "obsolete"

    @property
    def key(self) -> tuple[str, str]:
        return (self.context, self.source)

    @property
    def translated(self) -> bool:
        return bool(self.translation.strip()) and self.kind not in ("unfinished", "vanished", "obsolete")


@dataclass
class Extraction:
    messages: dict[tuple[str, str], Message] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, context: str, source: str, path: str, line: int) -> None:
        if not source:
            return
        message = self.messages.setdefault((context, source), Message(context, source))
        if (path, line) not in message.locations:
            message.locations.append((path, line))


# ---------------------------------------------------------------- extraction


def _constant(node: ast.AST, names: dict[str, str] | None = None) -> str | None:
    """The string value of a constant, an implicit/explicit concatenation of constants, or a known name."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _constant(node.left, names), _constant(node.right, names)
        if left is not None and right is not None:
            return left + right
    if names is not None and isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    return None


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _module_constants(tree: ast.Module) -> dict[str, str]:
    constants: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = _constant(node.value)
            if value is not None:
                constants[node.targets[0].id] = value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            value = _constant(node.value)
            if value is not None:
                constants[node.target.id] = value
    return constants


def _translated_attributes(trees: dict[str, ast.Module]) -> set[str]:
    """Attribute names X used as tr(self.X) / tr(cls.X) / tr(type(self).X) anywhere."""
    names: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _call_name(node) in TR_NAMES and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Attribute) and isinstance(arg.value, (ast.Name, ast.Call)):
                    names.add(arg.attr)
    return names


def _context_of(node: ast.Call, position: int, constants: dict[str, str]) -> str | None:
    """The context argument of tr(text, context) (positional or keyword), DEFAULT_CONTEXT when absent."""
    for keyword in node.keywords:
        if keyword.arg == "context":
            return _constant(keyword.value, constants)
    if len(node.args) > position:
        return _constant(node.args[position], constants)
    return DEFAULT_CONTEXT


def _literal_constants(tree: ast.Module) -> tuple[dict[str, object], dict[str, object]]:
    """Literal containers and strings assigned at module level and in class bodies (by attribute name)."""
    module: dict[str, object] = {}
    classes: dict[str, object] = {}

    def collect(body, into):
        for item in body:
            if isinstance(item, ast.Assign):
                targets, value = [t for t in item.targets if isinstance(t, ast.Name)], item.value
            elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and item.value is not None:
                targets, value = [item.target], item.value
            else:
                continue
            try:
                literal = ast.literal_eval(value)
            except (ValueError, SyntaxError, TypeError):
                continue
            for target in targets:
                into[target.id] = literal

    collect(tree.body, module)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            collect(node.body, classes)
    return module, classes


def _target_paths(target: ast.AST, path: tuple[int, ...] = ()):
    """(name, index path) of every name in a for-target such as ``key, (a, b)``."""
    if isinstance(target, ast.Name):
        yield target.id, path
    elif isinstance(target, (ast.Tuple, ast.List)):
        for i, element in enumerate(target.elts):
            yield from _target_paths(element, (*path, i))


def _iterable_items(node: ast.AST, module: dict, classes: dict) -> list | None:
    """The items a loop over ``node`` yields, when ``node`` is a literal constant (or a subscript of one)."""
    if isinstance(node, ast.Name) and node.id in module:
        value = module[node.id]
    elif isinstance(node, ast.Attribute) and node.attr in classes:
        value = classes[node.attr]
    elif isinstance(node, ast.Subscript):
        container = None
        base = node.value
        if isinstance(base, ast.Name) and base.id in module:
            container = module[base.id]
        elif isinstance(base, ast.Attribute) and base.attr in classes:
            container = classes[base.attr]
        if not isinstance(container, dict):
            return None
        items = []
        for entry in container.values():  # any key: every value's items
            items.extend(entry if isinstance(entry, (list, tuple)) else [entry])
        return items
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("items", "values"):
        inner = node.func.value
        value = module.get(inner.id) if isinstance(inner, ast.Name) else classes.get(getattr(inner, "attr", ""))
        if not isinstance(value, dict):
            return None
        return list(value.items()) if node.func.attr == "items" else list(value.values())
    else:
        return None
    if isinstance(value, dict):
        return list(value)
    return list(value) if isinstance(value, (list, tuple, set, frozenset)) else None


def _pick(item, path: tuple[int, ...]):
    for index in path:
        if not isinstance(item, (list, tuple)) or index >= len(item):
            return None
        item = item[index]
    return item


class _Bindings(ast.NodeVisitor):
    """Maps each tr(name) call to the strings ``name`` takes in loops over literal constants."""

    def __init__(self, module: dict, classes: dict):
        self.module, self.classes = module, classes
        self.scopes: list[dict[str, list]] = [{}]
        self.resolved: dict[int, list[str]] = {}  # id(call node) -> strings

    def _bind(self, target, iterable) -> dict[str, list]:
        items = _iterable_items(iterable, self.module, self.classes)
        if items is None:
            return {}
        return {name: [_pick(item, path) for item in items] for name, path in _target_paths(target)}

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self.scopes.append(self._bind(node.target, node.iter))
        for child in node.body + node.orelse:
            self.visit(child)
        self.scopes.pop()

    def _comprehension(self, node, parts) -> None:
        pushed = 0
        for generator in node.generators:
            self.visit(generator.iter)
            self.scopes.append(self._bind(generator.target, generator.iter))
            pushed += 1
            for condition in generator.ifs:
                self.visit(condition)
        for part in parts:
            self.visit(part)
        for _ in range(pushed):
            self.scopes.pop()

    def visit_ListComp(self, node):
        self._comprehension(node, [node.elt])

    visit_SetComp = visit_ListComp
    visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node):
        self._comprehension(node, [node.key, node.value])

    def visit_Call(self, node: ast.Call) -> None:
        if _call_name(node) in TR_NAMES and node.args and isinstance(node.args[0], ast.Name):
            for scope in reversed(self.scopes):
                if node.args[0].id in scope:
                    values = scope[node.args[0].id]
                    self.resolved[id(node)] = [v for v in values if isinstance(v, str)]
                    break
        self.generic_visit(node)


def extract_python(path: Path, tree: ast.Module, shown: str, attributes: set[str], out: Extraction) -> None:
    constants = _module_constants(tree)
    bindings = _Bindings(*_literal_constants(tree))
    bindings.visit(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.Assign):
                    targets = [t.id for t in item.targets if isinstance(t, ast.Name)]
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and item.value:
                    targets = [item.target.id]
                else:
                    continue
                for target in targets:
                    if target in attributes:
                        value = _constant(item.value, constants)
                        if value:
                            out.add(DEFAULT_CONTEXT, value, shown, item.lineno)
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name in TR_NAMES and node.args:
            arg = node.args[0]
            text = _constant(arg, constants)
            context = _context_of(node, 1, constants)
            if text is not None and context is not None:
                out.add(context, text, shown, node.lineno)
            elif id(node) in bindings.resolved and context is not None:
                for value in bindings.resolved[id(node)]:
                    out.add(context, value, shown, node.lineno)
            elif isinstance(arg, ast.Attribute) and arg.attr in attributes:
                continue  # class attributes: extracted where they are assigned
            elif not _is_forwarding(node):
                out.warnings.append(f"{shown}:{node.lineno}: tr() of a value that cannot be extracted")
        elif name in TRANSLATE_NAMES and len(node.args) >= 2 and _is_qt_translate(node):
            context = _constant(node.args[0], constants)
            text = _constant(node.args[1], constants)
            if context is not None and text is not None:
                out.add(context, text, shown, node.lineno)
            elif not _is_forwarding(node):
                out.warnings.append(f"{shown}:{node.lineno}: translate() of a value that cannot be extracted")
        elif name == "QT_TRANSLATE_NOOP" and len(node.args) >= 2:
            context, text = _constant(node.args[0], constants), _constant(node.args[1], constants)
            if context is not None and text is not None:
                out.add(context, text, shown, node.lineno)
        elif name == "QT_TR_NOOP" and node.args:
            text = _constant(node.args[0], constants)
            if text is not None:
                out.add(DEFAULT_CONTEXT, text, shown, node.lineno)


def _is_qt_translate(node: ast.Call) -> bool:
    """QCoreApplication.translate / QApplication.translate / QgsApplication.translate (not shapely's)."""
    func = node.func
    return (
        isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id.endswith("Application")
    )


def _is_forwarding(node: ast.Call) -> bool:
    """tr(text) / translate(context, text) inside a wrapper that passes its own parameters on."""
    return all(isinstance(a, ast.Name) for a in node.args) and node.args and node.args[-1].id in ("text", "source")


def extract_ui(path: Path, shown: str, out: Extraction) -> None:
    tree = ET.parse(path)
    root = tree.getroot()
    context = (root.findtext("class") or path.stem).strip()
    lines = path.read_text(encoding="utf-8").splitlines()
    for element in root.iter("string"):
        if element.get("notr") == "true" or not (element.text or "").strip():
            continue
        text = element.text
        needle = escape(text)
        line = next((i + 1 for i, ln in enumerate(lines) if needle in ln), 0)
        out.add(context, text, shown, line)


def extract(root: Path = ROOT) -> Extraction:
    out = Extraction()
    trees: dict[str, tuple[Path, ast.Module]] = {}
    for folder in SOURCE_DIRS:
        for path in sorted((root / folder).rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            shown = path.relative_to(root).as_posix()
            try:
                trees[shown] = (path, ast.parse(path.read_text(encoding="utf-8"), filename=shown))
            except SyntaxError as error:
                out.warnings.append(f"{shown}:{error.lineno}: syntax error, not read: {error.msg}")
    attributes = _translated_attributes({k: v[1] for k, v in trees.items()})
    for shown, (path, tree) in trees.items():
        extract_python(path, tree, shown, attributes, out)
    for pattern in UI_GLOBS:
        for path in sorted(root.glob(pattern)):
            extract_ui(path, path.relative_to(root).as_posix(), out)
    return out


# ---------------------------------------------------------------- .ts files


def ts_path(language: str = DEFAULT_LANGUAGE, folder: Path = I18N_DIR) -> Path:
    return folder / f"community_grids_{language}.ts"


def read_ts(path: Path) -> dict[tuple[str, str], Message]:
    messages: dict[tuple[str, str], Message] = {}
    if not path.exists():
        return messages
    root = ET.parse(path).getroot()
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for element in context.iter("message"):
            source = element.findtext("source") or ""
            translation = element.find("translation")
            text = "" if translation is None else (translation.text or "")
            kind = "" if translation is None else translation.get("type", "")
            locations = [(loc.get("filename", ""), int(loc.get("line", "0") or 0)) for loc in element.iter("location")]
            messages[(name, source)] = Message(name, source, locations, text, kind)
    return messages


def merge(extracted: Extraction, existing: dict[tuple[str, str], Message]) -> list[Message]:
    """Extracted messages with their existing translations; translated messages no longer found as vanished."""
    merged: list[Message] = []
    for key, message in extracted.messages.items():
        old = existing.get(key)
        new = Message(message.context, message.source, list(message.locations))
        if old is not None and old.translation.strip():
            new.translation = old.translation
            new.kind = "unfinished" if old.kind == "unfinished" else ""
        else:
            new.kind = "unfinished"
        merged.append(new)
    for key, old in existing.items():
        if key not in extracted.messages and old.translation.strip():
            merged.append(Message(old.context, old.source, [], old.translation, "vanished"))
    return merged


def _xml_text(text: str) -> str:
    return escape(text, {'"': "&quot;", "'": "&apos;"})


def render_ts(messages: list[Message], language: str, ts_dir: Path, root: Path = ROOT) -> str:
    contexts: dict[str, list[Message]] = {}
    for message in messages:
        contexts.setdefault(message.context, []).append(message)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!DOCTYPE TS>",
        f'<TS version="2.1" language="{language}" sourcelanguage="en">',
    ]
    for name in sorted(contexts):
        out.append("<context>")
        out.append(f"    <name>{_xml_text(name)}</name>")
        for message in contexts[name]:
            out.append("    <message>")
            for filename, line in message.locations:
                relative = os.path.relpath(root / filename, ts_dir).replace(os.sep, "/")
                out.append(f'        <location filename="{_xml_text(relative)}" line="{line}"/>')
            out.append(f"        <source>{_xml_text(message.source)}</source>")
            kind = f' type="{message.kind}"' if message.kind else ""
            out.append(f"        <translation{kind}>{_xml_text(message.translation)}</translation>")
            out.append("    </message>")
        out.append("</context>")
    out.append("</TS>")
    return "\n".join(out) + "\n"


def _default_mode() -> int:
    """The permissions a new file gets here (mkstemp would make it private)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` through a temporary file; False (nothing written) when it is unchanged."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, _default_mode())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return True


# ---------------------------------------------------------------- checks


def placeholders(text: str) -> set[str]:
    return {
        m.group(1).split("!")[0].split(":")[0] for m in PLACEHOLDER.finditer(text.replace("{{", "").replace("}}", ""))
    }


@dataclass
class Problem:
    message: Message
    reason: str

    def __str__(self) -> str:
        where = ", ".join(f"{f}:{n}" for f, n in self.message.locations[:3])
        return f"[{self.reason}] {self.message.context}: {self.message.source!r}" + (f"  ({where})" if where else "")


def problems(extracted: Extraction, existing: dict[tuple[str, str], Message]) -> list[Problem]:
    found: list[Problem] = []
    for key, message in extracted.messages.items():
        old = existing.get(key)
        if old is None:
            found.append(Problem(message, "missing from the .ts"))
        elif not old.translated:
            found.append(Problem(message, "untranslated"))
        elif placeholders(old.translation) != placeholders(message.source):
            found.append(Problem(message, "placeholders differ"))
    return found


# ---------------------------------------------------------------- TSV exchange


def export_untranslated(messages: list[Message], path: Path) -> int:
    rows = [m for m in messages if m.kind != "vanished" and not m.translated]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t", lineterminator="\n")
        writer.writerow(["context", "source", "translation"])
        for m in rows:
            writer.writerow([m.context, _tsv(m.source), _tsv(m.translation)])
    return len(rows)


def import_translations(messages: list[Message], path: Path) -> int:
    by_key = {m.key: m for m in messages}
    count = 0
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            key = (row["context"], _untsv(row["source"]))
            text = _untsv(row.get("translation") or "")
            if key in by_key and text.strip():
                by_key[key].translation = text
                by_key[key].kind = ""
                count += 1
    return count


def _tsv(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _untsv(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


# ---------------------------------------------------------------- compile


def compile_qm(ts: Path, qm: Path | None = None) -> Path:
    qm = qm or ts.with_suffix(".qm")
    lrelease = shutil.which("lrelease") or shutil.which("lrelease-qt5")
    if lrelease is None:
        raise SystemExit("lrelease not found: install qttools5-dev-tools (make system)")
    qm.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{qm.name}.", suffix=".tmp", dir=qm.parent)
    os.close(fd)
    try:
        subprocess.run([lrelease, "-silent", str(ts), "-qm", tmp], check=True)
        os.chmod(tmp, _default_mode())
        os.replace(tmp, qm)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return qm


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", default=DEFAULT_LANGUAGE, help="language of the .ts (default zh_CN)")
    parser.add_argument("--update", action="store_true", help="merge the strings of the code into the .ts")
    parser.add_argument("--check", action="store_true", help="exit 1 if a string is missing or untranslated")
    parser.add_argument("--compile", action="store_true", help="compile the .ts into a .qm with lrelease")
    parser.add_argument("--export-untranslated", type=Path, metavar="TSV")
    parser.add_argument("--import", dest="import_tsv", type=Path, metavar="TSV")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if not any((args.update, args.check, args.compile, args.export_untranslated, args.import_tsv)):
        args.check = True

    ts = ts_path(args.lang)
    extracted = extract()
    existing = read_ts(ts)
    status = 0
    for warning in extracted.warnings:
        print(f"warning: {warning}", file=sys.stderr)

    if args.update or args.import_tsv:
        merged = merge(extracted, existing)
        if args.import_tsv:
            print(f"{import_translations(merged, args.import_tsv)} translations imported from {args.import_tsv}")
        changed = write_atomic(ts, render_ts(merged, args.lang, ts.parent))
        existing = read_ts(ts)
        todo = [m for m in merged if m.kind != "vanished" and not m.translated]
        print(
            f"{ts.relative_to(ROOT)}: {len(extracted.messages)} strings, {len(todo)} untranslated"
            + (" (updated)" if changed else " (unchanged)")
        )
        if not args.quiet:
            for message in todo:
                print(f"  untranslated: {message.source!r}")
    if args.export_untranslated:
        count = export_untranslated(merge(extracted, existing), args.export_untranslated)
        print(f"{count} untranslated strings written to {args.export_untranslated}")
    if args.check:
        found = problems(extracted, existing)
        for problem in found:
            print(problem)
        if found:
            print(
                f"{len(found)} of {len(extracted.messages)} strings need work in {ts.relative_to(ROOT)} "
                "(run: python scripts/i18n.py --update, then translate)",
                file=sys.stderr,
            )
            status = 1
        elif not args.quiet:
            print(f"all {len(extracted.messages)} strings translated in {ts.relative_to(ROOT)}")
    if args.compile:
        print(f"compiled {compile_qm(ts).relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
