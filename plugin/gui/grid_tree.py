"""The grid tree of the dock: county → township → level 1 → level 2 → level 3, dedicated grids under their village.

``build_tree`` is plain Python over attribute rows (testable without a canvas); ``GridTreeModel``
shows it in Qt. Nodes carry their GridRef so that the dock can select, zoom and edit.
Households: the sum of a grid's comprehensive children once they have households, otherwise the
grid's own value (so a village shows the households of its groups, and a freshly subdivided village
keeps its figure until its sections are counted); retired grids are shown but not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qgis.core import QgsFeatureRequest
from qgis.PyQt.QtCore import QSortFilterProxyModel, Qt
from qgis.PyQt.QtGui import QBrush, QColor, QFont, QStandardItem, QStandardItemModel

from ..adapters.arrays import python_value
from ..adapters.editing import COUNTY, GRID, TOWNSHIP, GridRef
from ..core import schema
from ..i18n import tr

TOWNSHIP_DIGITS = 9
REF_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
COLUMNS = ("Grid", "Code", "Grids", "Households")


@dataclass
class TreeNode:
    ref: GridRef
    name: str
    code: str = ""
    households: int = 0
    own_households: int = 0
    retired: bool = False
    children: list[TreeNode] = field(default_factory=list)

    @property
    def active_children(self) -> list[TreeNode]:
        return [c for c in self.children if not c.retired]

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, predicate):
        return next((node for node in self.walk() if predicate(node)), None)


def _key(row) -> tuple:
    return (row.get("code") or "~", row.get("name") or "")


def build_tree(
    rows_by_level: dict[int, list[dict]], divisions: list[dict], county_code: str, county_name: str
) -> TreeNode:
    """The tree from attribute rows (each with fid, code, parent_code, name, households, status)."""
    root = TreeNode(GridRef(COUNTY, None, None, county_code, county_name), county_name, county_code)
    town_names = {str(d.get("town_code")): str(d.get("town_name") or "") for d in divisions if d.get("town_code")}
    townships: dict[str, TreeNode] = {}
    unassigned = TreeNode(GridRef(TOWNSHIP, None, None, "", tr("Without parent")), tr("Without parent"))

    def township(code: str | None) -> TreeNode:
        town = (code or "")[:TOWNSHIP_DIGITS]
        if len(town) < TOWNSHIP_DIGITS:
            return unassigned
        if town not in townships:
            name = town_names.get(town) or tr("Township {code}").format(code=town)
            townships[town] = TreeNode(GridRef(TOWNSHIP, None, None, town, name), name, town)
        return townships[town]

    nodes: dict[tuple[int, str], TreeNode] = {}

    def grid_node(level: int, row: dict) -> TreeNode:
        households = int(row.get("households") or 0)
        return TreeNode(
            GridRef(GRID, level, int(row["fid"]), row.get("code"), row.get("name")),
            row.get("name") or tr("(no name)"),
            row.get("code") or "",
            own_households=households,
            retired=row.get("status") == "retired",
        )

    for row in sorted(rows_by_level.get(1, []), key=_key):
        node = grid_node(1, row)
        if row.get("code"):
            nodes[(1, row["code"])] = node
        township(row.get("code") or row.get("parent_code")).children.append(node)
    for level, parent_level in ((2, 1), (3, 2), (schema.LEVEL_DEDICATED, 1)):
        for row in sorted(rows_by_level.get(level, []), key=_key):
            node = grid_node(level, row)
            if row.get("code"):
                nodes.setdefault((level, row["code"]), node)
            parent = nodes.get((parent_level, row.get("parent_code") or ""))
            (parent.children if parent is not None else unassigned.children).append(node)
    for town in sorted(townships):
        root.children.append(townships[town])
    if unassigned.children:
        root.children.append(unassigned)
    _sum_households(root)
    return root


def _sum_households(node: TreeNode) -> int:
    for child in node.children:
        _sum_households(child)
    if node.retired:
        node.households = 0
        return 0
    comprehensive = [
        c for c in node.active_children if not (c.ref.kind == GRID and c.ref.level == schema.LEVEL_DEDICATED)
    ]
    below = sum(c.households for c in comprehensive)
    # the children's households once they are counted; until then (new, empty children) the grid's own figure
    node.households = below if comprehensive and below > 0 else node.own_households
    return node.households


def read_rows(layer) -> list[dict]:
    """Attribute rows of a grid layer (no geometry), from its edit buffer."""
    names = layer.fields().names()
    wanted = [n for n in ("code", "parent_code", "name", "households", "status") if n in names]
    request = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)
    request.setSubsetOfAttributes(wanted, layer.fields())
    rows = []
    for feature in layer.getFeatures(request):
        row = {name: python_value(feature.attribute(name)) for name in wanted}
        row["fid"] = feature.id()
        rows.append(row)
    return rows


def read_tree(workspace) -> TreeNode:
    rows = {level: read_rows(workspace.grid_layer(level)) for level in (1, 2, 3, schema.LEVEL_DEDICATED)}
    divisions = read_rows_plain(workspace.layer(schema.DIVISIONS.name))
    return build_tree(rows, divisions, workspace.info.county_code, workspace.info.county_name)


def read_rows_plain(layer) -> list[dict]:
    names = layer.fields().names()
    request = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)
    return [{n: python_value(f.attribute(n)) for n in names} for f in layer.getFeatures(request)]


# ---------------------------------------------------------------- Qt model


def _level_label(node: TreeNode) -> str:
    if node.ref.kind == GRID and node.ref.level == schema.LEVEL_DEDICATED:
        return tr("dedicated")
    return ""


class GridTreeModel(QStandardItemModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.root: TreeNode | None = None

    def set_tree(self, root: TreeNode) -> None:
        self.removeRows(0, self.rowCount())
        self.root = root
        self.invisibleRootItem().appendRow(self._row(root))

    def _row(self, node: TreeNode) -> list[QStandardItem]:
        label = node.name
        extra = _level_label(node)
        if extra:
            label = f"{label} [{extra}]"
        if node.retired:
            label = f"{label} ({tr('retired')})"
        items = [
            QStandardItem(label),
            QStandardItem(node.code or ""),
            QStandardItem(str(len(node.active_children)) if node.children else ""),
            QStandardItem(f"{node.households:,}" if node.households else ""),
        ]
        search = f"{node.name} {node.code}".lower()
        for item in items:
            item.setEditable(False)
            item.setData(node.ref, REF_ROLE)
            item.setData(search, SEARCH_ROLE)
        items[2].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        items[3].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if node.retired:
            font = QFont()
            font.setItalic(True)
            for item in items:
                item.setFont(font)
                item.setForeground(QBrush(QColor(140, 140, 140)))
        if node.ref.kind in (COUNTY, TOWNSHIP):
            font = QFont()
            font.setBold(True)
            items[0].setFont(font)
        for child in node.children:
            items[0].appendRow(self._row(child))
        return items

    def index_of(self, predicate):
        """The model index of the first node whose GridRef satisfies ``predicate``."""
        stack = [self.invisibleRootItem()]
        while stack:
            item = stack.pop()
            for row in range(item.rowCount()):
                child = item.child(row, 0)
                ref = child.data(REF_ROLE)
                if ref is not None and predicate(ref):
                    return child.index()
                stack.append(child)
        return None


class GridFilterProxy(QSortFilterProxyModel):
    """Matches the search text against code and name; ancestors of a match stay visible."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.text = ""

    def set_text(self, text: str) -> None:
        self.text = (text or "").strip().lower()
        self.invalidateFilter()

    def filterAcceptsRow(self, source_row, source_parent) -> bool:  # noqa: N802
        if not self.text:
            return True
        index = self.sourceModel().index(source_row, 0, source_parent)
        return self.text in (index.data(SEARCH_ROLE) or "")
