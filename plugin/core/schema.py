"""The one definition of the grid workspace: layers, fields, types, aliases and value lists.

Everything that creates, reads, styles, exports or displays a workspace reads it from here.
Plain Python: no qgis or Qt import, so the core and its tests run without QGIS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

SCHEMA_VERSION = 1
WORKSPACE_MARKER = "community_grids_workspace"

# Custom properties the plugin sets on each QGIS layer of an open workspace; a saved project keeps them,
# so that reopening the project finds the workspace its layers come from.
PROPERTY_LAYER = "community_grids/layer"  # the schema layer name (e.g. "grid_level1")
PROPERTY_WORKSPACE = "community_grids/workspace"  # the workspace file's path when the layer was opened
PROPERTY_BASEMAP = "community_grids/basemap"  # a basemap layer the plugin added
PROPERTY_THEMATIC = "community_grids/thematic"  # a thematic (compliance) layer the plugin made
PROPERTY_DIVISION_PREVIEW = "community_grids/division_preview"  # the temporary layer of a proposed division
PROPERTY_COMPLIANCE = "community_grids/compliance/{cls}"  # count of one compliance class on a thematic layer


class FieldType(Enum):
    """Logical field types; adapters map them onto QGIS / OGR types."""

    STRING = "string"
    INTEGER = "integer"
    REAL = "real"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    BINARY = "binary"  # a file's bytes (the map image of a change request)


class GeometryKind(Enum):
    NONE = "none"
    POINT = "point"
    POLYGON = "polygon"
    MULTIPOLYGON = "multipolygon"


@dataclass(frozen=True)
class ValueOption:
    """One allowed value of a coded field: the stored key and its labels."""

    key: str
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: FieldType
    alias_zh: str
    alias_en: str
    length: int = 0
    required: bool = False
    options: tuple[ValueOption, ...] = ()
    default: object = None

    def option_keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options)


@dataclass(frozen=True)
class LayerDef:
    name: str
    geometry: GeometryKind
    title_zh: str
    title_en: str
    fields: tuple[FieldDef, ...]
    style: str | None = None  # .qml file name in resources/styles
    level: int | None = None  # grid level for grid layers (0 = dedicated)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldDef:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    @property
    def is_grid(self) -> bool:
        return self.level is not None


def _options(*triples: tuple[str, str, str]) -> tuple[ValueOption, ...]:
    return tuple(ValueOption(*t) for t in triples)


# ---------------------------------------------------------------- value lists

GRID_KINDS = _options(
    ("comprehensive", "综合网格", "comprehensive grid"),
    ("dedicated", "专属网格", "dedicated grid"),
)

DEDICATED_TYPES = _options(
    ("park", "园区", "industrial or business park"),
    ("factory", "厂区", "factory area"),
    ("scenic", "景区", "scenic area"),
    ("market", "商圈市场", "market or business district"),
    ("office", "商务楼宇", "office building"),
    ("school", "学校", "school"),
    ("hospital", "医院", "hospital"),
    ("station", "车站", "station"),
    ("airport", "机场", "airport"),
    ("institution", "企事业单位", "enterprise or institution"),
)

AREA_CLASSES = _options(
    ("rural", "农村", "rural"),
    ("urban", "城镇", "urban"),
)

SETTLEMENT_TYPES = _options(
    ("villager_group", "村民小组", "villager group"),
    ("street", "街巷", "street"),
    ("compound", "小区", "residential compound"),
    ("high_rise", "高层住宅小区", "high-rise compound"),
    ("relocation_site", "搬迁安置点", "relocation site"),
)

GRID_STATUSES = _options(
    ("active", "在用", "active"),
    ("retired", "已撤销", "retired"),
)

STAFF_ROLES = _options(
    ("grid_head", "网格长", "grid head"),
    ("grid_admin", "网格管理员", "grid administrator"),
    ("supervisor", "监督员", "supervisor"),
)

CHANGE_KINDS = _options(
    ("create", "新建", "created"),
    ("reshape", "调整边界", "reshaped"),
    ("split", "拆分", "split"),
    ("merge", "合并", "merged"),
    ("recode", "重新编码", "re-coded"),
    ("retire", "撤销", "retired"),
    ("edit", "修改属性", "attributes edited"),
)

SEVERITIES = _options(
    ("error", "错误", "error"),
    ("warning", "警告", "warning"),
    ("info", "提示", "info"),
)

# ---------------------------------------------------------------- grid fields

GRID_FIELDS: tuple[FieldDef, ...] = (
    FieldDef("code", FieldType.STRING, "网格编码", "grid code", 32),
    FieldDef("parent_code", FieldType.STRING, "上级网格编码", "parent grid code", 32),
    FieldDef("name", FieldType.STRING, "网格名称", "grid name", 100, required=True),
    FieldDef("level", FieldType.INTEGER, "网格层级", "grid level", required=True),
    FieldDef("kind", FieldType.STRING, "网格类型", "grid kind", 16, True, GRID_KINDS, "comprehensive"),
    FieldDef("dedicated_type", FieldType.STRING, "专属网格类别", "dedicated grid type", 16, options=DEDICATED_TYPES),
    FieldDef("area_class", FieldType.STRING, "城乡类别", "urban or rural", 8, options=AREA_CLASSES),
    FieldDef("settlement_type", FieldType.STRING, "居住形态", "settlement type", 16, options=SETTLEMENT_TYPES),
    FieldDef("households", FieldType.INTEGER, "户数", "households", default=0),
    FieldDef("population", FieldType.INTEGER, "人口数", "population", default=0),
    FieldDef(
        "relocated_households", FieldType.INTEGER, "搬迁户及空挂户数", "relocated or absent households", default=0
    ),
    FieldDef("status", FieldType.STRING, "状态", "status", 8, True, GRID_STATUSES, "active"),
    FieldDef("valid_from", FieldType.DATE, "启用日期", "valid from"),
    FieldDef("valid_to", FieldType.DATE, "停用日期", "valid to"),
    FieldDef("remarks", FieldType.STRING, "备注", "remarks", 255),
)

LEVEL_DEDICATED = 0
GRID_LEVELS = (1, 2, 3)


def _grid_layer(name: str, level: int, title_zh: str, title_en: str) -> LayerDef:
    return LayerDef(name, GeometryKind.MULTIPOLYGON, title_zh, title_en, GRID_FIELDS, f"{name}.qml", level)


GRID_LEVEL1 = _grid_layer("grid_level1", 1, "一级网格（村/社区）", "Level 1 grids (villages and communities)")
GRID_LEVEL2 = _grid_layer("grid_level2", 2, "二级网格（片区）", "Level 2 grids (sections)")
GRID_LEVEL3 = _grid_layer(
    "grid_level3", 3, "三级网格（村民小组/街巷/小区/楼栋）", "Level 3 grids (groups, streets, buildings)"
)
GRID_DEDICATED = _grid_layer("grid_dedicated", LEVEL_DEDICATED, "专属网格", "Dedicated grids")

GRID_LAYERS: tuple[LayerDef, ...] = (GRID_LEVEL1, GRID_LEVEL2, GRID_LEVEL3, GRID_DEDICATED)
GRID_LAYER_BY_LEVEL = {layer.level: layer for layer in GRID_LAYERS}

# ---------------------------------------------------------------- other layers and tables

COUNTY_BOUNDARY = LayerDef(
    "county_boundary",
    GeometryKind.MULTIPOLYGON,
    "县级行政区界",
    "County boundary",
    (
        FieldDef("county_code", FieldType.STRING, "县级区划代码", "county code", 12),
        FieldDef("county_name", FieldType.STRING, "县级区划名称", "county name", 50),
    ),
    "county_boundary.qml",
)

HOUSEHOLDS = LayerDef(
    "households",
    GeometryKind.POINT,
    "住户",
    "Households",
    (
        FieldDef("household_no", FieldType.STRING, "户编号", "household number", 40),
        FieldDef("address", FieldType.STRING, "地址", "address", 200),
        FieldDef("persons", FieldType.INTEGER, "人口数", "persons", default=1),
        FieldDef("relocated", FieldType.BOOLEAN, "搬迁户", "relocated household", default=False),
        FieldDef("absent", FieldType.BOOLEAN, "空挂户", "registered but absent", default=False),
        FieldDef("grid_code", FieldType.STRING, "所属网格编码", "grid code", 32),
    ),
    "households.qml",
)

STAFF = LayerDef(
    "staff",
    GeometryKind.NONE,
    "网格工作人员",
    "Grid staff",
    (
        FieldDef("name", FieldType.STRING, "姓名", "name", 50, required=True),
        FieldDef("phone", FieldType.STRING, "联系电话", "phone", 20),
        FieldDef("role", FieldType.STRING, "岗位", "role", 16, True, STAFF_ROLES),
        FieldDef("grid_code", FieldType.STRING, "网格编码", "grid code", 32, required=True),
        FieldDef("supervision_phone", FieldType.STRING, "监督电话", "supervision phone", 20),
        FieldDef("duties", FieldType.STRING, "工作职责", "duties", 255),
        FieldDef("position", FieldType.STRING, "职务", "position", 50),
        FieldDef("safety_officer", FieldType.BOOLEAN, "单位安全负责人", "unit safety officer", default=False),
        FieldDef("photo_path", FieldType.STRING, "照片", "photo", 255),
    ),
)

CHANGE_LOG = LayerDef(
    "change_log",
    GeometryKind.NONE,
    "网格变动记录",
    "Grid change log",
    (
        FieldDef("changed_at", FieldType.DATETIME, "变动时间", "changed at", required=True),
        FieldDef("user", FieldType.STRING, "操作人", "user", 50),
        FieldDef("change_kind", FieldType.STRING, "变动类型", "kind of change", 16, True, CHANGE_KINDS),
        FieldDef("layer", FieldType.STRING, "图层", "layer", 32),
        FieldDef("old_code", FieldType.STRING, "原编码", "old code", 32),
        FieldDef("new_code", FieldType.STRING, "新编码", "new code", 32),
        FieldDef("area_before", FieldType.REAL, "变动前面积（平方米）", "area before (m²)"),
        FieldDef("area_after", FieldType.REAL, "变动后面积（平方米）", "area after (m²)"),
        FieldDef("reason", FieldType.STRING, "变动原因", "reason", 255),
        FieldDef("approval_ref", FieldType.STRING, "批复文号", "approval reference", 100),
        FieldDef("filed_at", FieldType.DATETIME, "备案时间", "filed at"),
    ),
)

AUDIT_FINDINGS = LayerDef(
    "audit_findings",
    GeometryKind.MULTIPOLYGON,
    "审核问题",
    "Audit findings",
    (
        FieldDef("run_id", FieldType.STRING, "审核批次", "audit run", 40, required=True),
        FieldDef("run_at", FieldType.DATETIME, "审核时间", "audited at"),
        FieldDef("rule_id", FieldType.STRING, "规则编号", "rule id", 40, required=True),
        FieldDef("severity", FieldType.STRING, "严重程度", "severity", 8, True, SEVERITIES),
        FieldDef("layer", FieldType.STRING, "图层", "layer", 32),
        FieldDef("codes", FieldType.STRING, "涉及网格编码", "grid codes", 255),
        FieldDef("feature_ids", FieldType.STRING, "涉及要素编号", "feature ids", 255),
        FieldDef("measure", FieldType.REAL, "量值", "measure"),
        FieldDef("unit", FieldType.STRING, "单位", "unit", 8),
        FieldDef("location_x", FieldType.REAL, "位置X", "location x"),
        FieldDef("location_y", FieldType.REAL, "位置Y", "location y"),
        FieldDef("message_zh", FieldType.STRING, "问题说明", "message (Chinese)", 500),
        FieldDef("message_en", FieldType.STRING, "问题说明（英文）", "message (English)", 500),
        FieldDef("fingerprint", FieldType.STRING, "问题指纹", "fingerprint", 64),
        FieldDef("accepted", FieldType.BOOLEAN, "已接受例外", "accepted exception", default=False),
        FieldDef("accepted_reason", FieldType.STRING, "接受理由", "reason for acceptance", 255),
    ),
    "audit_findings.qml",
)

AUDIT_EXCEPTIONS = LayerDef(
    "audit_exceptions",
    GeometryKind.NONE,
    "审核例外",
    "Accepted audit exceptions",
    (
        FieldDef("fingerprint", FieldType.STRING, "问题指纹", "fingerprint", 64, required=True),
        FieldDef("rule_id", FieldType.STRING, "规则编号", "rule id", 40),
        FieldDef("codes", FieldType.STRING, "涉及网格编码", "grid codes", 255),
        FieldDef("reason", FieldType.STRING, "接受理由", "reason", 255, required=True),
        FieldDef("accepted_by", FieldType.STRING, "接受人", "accepted by", 50),
        FieldDef("accepted_at", FieldType.DATETIME, "接受时间", "accepted at"),
    ),
)

DIVISIONS = LayerDef(
    "divisions",
    GeometryKind.NONE,
    "统计用区划",
    "Statistical divisions",
    (
        FieldDef("code", FieldType.STRING, "村/社区区划代码", "village or community code", 12, required=True),
        FieldDef("name", FieldType.STRING, "村/社区名称", "village or community name", 100),
        FieldDef("town_code", FieldType.STRING, "乡镇/街道代码", "township code", 9),
        FieldDef("town_name", FieldType.STRING, "乡镇/街道名称", "township name", 100),
        FieldDef("ur_code", FieldType.STRING, "城乡分类代码", "urban-rural class code", 3),
    ),
)

SIZE_RULES = LayerDef(
    "size_rules",
    GeometryKind.NONE,
    "网格规模标准",
    "Grid size rules",
    (
        FieldDef("id", FieldType.STRING, "规则编号", "rule id", 40, required=True),
        FieldDef("clause", FieldType.STRING, "条款", "clause", 20),
        FieldDef("kind", FieldType.STRING, "规则类型", "kind of rule", 16),
        FieldDef("area_classes", FieldType.STRING, "适用城乡类别", "applies to area classes", 40),
        FieldDef("settlement_types", FieldType.STRING, "适用居住形态", "applies to settlement types", 100),
        FieldDef("min_households", FieldType.INTEGER, "最少户数", "minimum households"),
        FieldDef("max_households", FieldType.INTEGER, "最多户数", "maximum households"),
        FieldDef("min_persons", FieldType.INTEGER, "最少人数", "minimum persons"),
        FieldDef("max_persons", FieldType.INTEGER, "最多人数", "maximum persons"),
        FieldDef("combine", FieldType.STRING, "户数与人数关系", "households and persons combined by", 8),
        FieldDef("relax_share", FieldType.REAL, "放宽条件（搬迁户空挂户比例）", "relaxed above share relocated/absent"),
        FieldDef("relax_factor", FieldType.REAL, "上限放宽系数", "upper bound relaxed by factor"),
        FieldDef("severity", FieldType.STRING, "严重程度", "severity", 8, options=SEVERITIES),
        FieldDef("title_zh", FieldType.STRING, "说明", "description (Chinese)", 200),
        FieldDef("title_en", FieldType.STRING, "说明（英文）", "description (English)", 200),
        FieldDef("enabled", FieldType.BOOLEAN, "启用", "enabled", default=True),
    ),
)

CODE_REGISTRY = LayerDef(
    "code_registry",
    GeometryKind.NONE,
    "网格编码登记簿",
    "Grid code registry",
    (
        FieldDef("code", FieldType.STRING, "网格编码", "grid code", 32, required=True),
        FieldDef("layer", FieldType.STRING, "图层", "layer", 32),
        FieldDef("level", FieldType.INTEGER, "网格层级", "grid level"),
        FieldDef("parent_code", FieldType.STRING, "上级网格编码", "parent grid code", 32),
        FieldDef("status", FieldType.STRING, "状态", "status", 8, options=GRID_STATUSES),
        FieldDef("issued_on", FieldType.DATE, "赋码日期", "issued on"),
        FieldDef("retired_on", FieldType.DATE, "停用日期", "retired on"),
        FieldDef("note", FieldType.STRING, "备注", "note", 255),
    ),
)

WORKSPACE_INFO = LayerDef(
    "workspace_info",
    GeometryKind.NONE,
    "工作空间信息",
    "Workspace information",
    (
        FieldDef("key", FieldType.STRING, "项", "key", 64, required=True),
        FieldDef("value", FieldType.STRING, "值", "value", 2000),
    ),
)

WORKSPACE_LAYERS: tuple[LayerDef, ...] = (
    *GRID_LAYERS,
    COUNTY_BOUNDARY,
    HOUSEHOLDS,
    STAFF,
    CHANGE_LOG,
    AUDIT_FINDINGS,
    AUDIT_EXCEPTIONS,
    SIZE_RULES,
    CODE_REGISTRY,
    DIVISIONS,
    WORKSPACE_INFO,
)
LAYER_BY_NAME = {layer.name: layer for layer in WORKSPACE_LAYERS}

# Short names of layers in messages, findings and reports (Chinese, English); the titles above are the long
# names of the Layers panel. English grid labels take " grid" where a noun is needed ("level 1 grid").
LAYER_LABELS = {
    GRID_LEVEL1.name: ("一级网格", "level 1"),
    GRID_LEVEL2.name: ("二级网格", "level 2"),
    GRID_LEVEL3.name: ("三级网格", "level 3"),
    GRID_DEDICATED.name: ("专属网格", "dedicated"),
    COUNTY_BOUNDARY.name: ("县界", "county boundary"),
    WORKSPACE_INFO.name: ("工作空间", "workspace"),
}
LEVEL_LABELS = {layer.level: LAYER_LABELS[layer.name] for layer in GRID_LAYERS}
COUNTY_LABEL = LAYER_LABELS[COUNTY_BOUNDARY.name]
# The Layers panel's group of a workspace, after the county's name (Chinese, like the layers' titles: a project
# keeps the name it was saved with, whatever the language of the QGIS that made it)
WORKSPACE_GROUP_ZH = "{county}网格工作空间"

# ---------------------------------------------------------------- filing packages and the city's intake
# Layers a filing package or a merged city workspace has besides the workspace layers above.

PACKAGE_METADATA = LayerDef(
    "package_metadata",
    GeometryKind.NONE,
    "备案数据包信息",
    "Filing package metadata",
    (
        FieldDef("key", FieldType.STRING, "项", "key", 64, required=True),
        FieldDef("value", FieldType.STRING, "值", "value", 4000),
    ),
)

# layers a package holds (households only when asked)
PACKAGE_GRID_LAYERS = tuple(layer.name for layer in GRID_LAYERS)
PACKAGE_LAYERS = (
    *PACKAGE_GRID_LAYERS,
    COUNTY_BOUNDARY.name,
    HOUSEHOLDS.name,
    STAFF.name,
    CHANGE_LOG.name,
    AUDIT_FINDINGS.name,
    AUDIT_EXCEPTIONS.name,
)
PHONE_FIELDS = ("phone",)  # personal phones; the supervision phone is published (§7.6) and always kept

# the changed grids of a comparison
PACKAGE_CHANGES = LayerDef(
    "package_changes",
    GeometryKind.MULTIPOLYGON,
    "网格变动（数据包比对）",
    "Changed grids (package comparison)",
    (
        FieldDef("kind", FieldType.STRING, "变动类型", "kind of change", 16),
        FieldDef("kind_label", FieldType.STRING, "变动类型说明", "kind of change (label)", 32),
        FieldDef("layer", FieldType.STRING, "图层", "layer", 32),
        FieldDef("old_code", FieldType.STRING, "原编码", "old code", 32),
        FieldDef("new_code", FieldType.STRING, "新编码", "new code", 32),
        FieldDef("before_fid", FieldType.INTEGER, "原要素编号", "feature id before"),
        FieldDef("after_fid", FieldType.INTEGER, "新要素编号", "feature id after"),
        FieldDef("area_before", FieldType.REAL, "变动前面积（平方米）", "area before (m²)"),
        FieldDef("area_after", FieldType.REAL, "变动后面积（平方米）", "area after (m²)"),
        FieldDef("changed_area", FieldType.REAL, "变动面积（平方米）", "changed area (m²)"),
    ),
)

# the city's findings over merged counties: the audit_findings layout + the counties involved
CITY_FINDINGS = LayerDef(
    "city_findings",
    GeometryKind.MULTIPOLYGON,
    "市级汇总审核问题",
    "City intake findings",
    (
        *AUDIT_FINDINGS.fields,
        FieldDef("counties", FieldType.STRING, "涉及县区", "counties", 100),
    ),
)

CITY_PACKAGES = LayerDef(
    "city_packages",
    GeometryKind.NONE,
    "汇总的县级数据包",
    "County packages merged",
    (
        FieldDef("county_code", FieldType.STRING, "县级区划代码", "county code", 12),
        FieldDef("county_name", FieldType.STRING, "县级区划名称", "county name", 50),
        FieldDef("file", FieldType.STRING, "文件", "file", 255),
        FieldDef("version", FieldType.STRING, "版本", "version", 40),
        FieldDef("created_at", FieldType.STRING, "生成时间", "created at", 40),
        FieldDef("grids", FieldType.INTEGER, "网格数", "grids"),
    ),
)

# Keys of the workspace_info table.
INFO_MARKER = "workspace"
INFO_SCHEMA_VERSION = "schema_version"
INFO_COUNTY_CODE = "county_code"
INFO_COUNTY_NAME = "county_name"
INFO_CRS = "crs"
INFO_CODE_RULE = "code_rule"
INFO_CREATED = "created"
INFO_UPDATED = "updated"


@dataclass
class WorkspaceInfo:
    """The workspace's metadata, as stored in ``workspace_info``."""

    county_code: str
    county_name: str
    crs: str
    code_rule: str = "village12+2+3"
    schema_version: int = SCHEMA_VERSION
    created: str = ""
    updated: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def to_rows(self) -> list[tuple[str, str]]:
        rows = [
            (INFO_MARKER, WORKSPACE_MARKER),
            (INFO_SCHEMA_VERSION, str(self.schema_version)),
            (INFO_COUNTY_CODE, self.county_code),
            (INFO_COUNTY_NAME, self.county_name),
            (INFO_CRS, self.crs),
            (INFO_CODE_RULE, self.code_rule),
            (INFO_CREATED, self.created),
            (INFO_UPDATED, self.updated),
        ]
        rows.extend(sorted(self.extra.items()))
        return rows

    @classmethod
    def from_rows(cls, rows: dict[str, str]) -> WorkspaceInfo:
        known = {
            INFO_MARKER,
            INFO_SCHEMA_VERSION,
            INFO_COUNTY_CODE,
            INFO_COUNTY_NAME,
            INFO_CRS,
            INFO_CODE_RULE,
            INFO_CREATED,
            INFO_UPDATED,
        }
        return cls(
            county_code=rows.get(INFO_COUNTY_CODE, ""),
            county_name=rows.get(INFO_COUNTY_NAME, ""),
            crs=rows.get(INFO_CRS, ""),
            code_rule=rows.get(INFO_CODE_RULE, "village12+2+3"),
            schema_version=int(rows.get(INFO_SCHEMA_VERSION, "0") or 0),
            created=rows.get(INFO_CREATED, ""),
            updated=rows.get(INFO_UPDATED, ""),
            extra={k: v for k, v in rows.items() if k not in known},
        )


def option_label(options: tuple[ValueOption, ...], key: str | None, language: str = "zh") -> str:
    """The label of a coded value, or the key itself when it is not in the list."""
    for option in options:
        if option.key == key:
            return option.label_zh if language == "zh" else option.label_en
    return "" if key is None else str(key)


# ---------------------------------------------------------------- change requests (§7.6) and the city's database
# A township's proposed change set: the written application (one row of change_sets), what changes (one row of
# change_set_items per grid, with the geometry after the change) and the geometries before (change_set_before).
# The same tables make a change-set package (GeoPackage) and the change-set tables of a shared PostGIS workspace.

CHANGE_SET_STATUSES = _options(
    ("proposed", "待审批", "proposed"),
    ("approved", "已批准", "approved"),
    ("rejected", "已驳回", "rejected"),
)

CHANGE_SET_ACTIONS = _options(
    ("add", "新增", "added"),
    ("modify", "修改", "modified"),
    ("retire", "撤销", "retired"),
)

CHANGE_SETS = LayerDef(
    "change_sets",
    GeometryKind.NONE,
    "网格变更申请",
    "Grid change requests",
    (
        FieldDef("set_id", FieldType.STRING, "申请编号", "request id", 40, required=True),
        FieldDef("county_code", FieldType.STRING, "县级区划代码", "county code", 12),
        FieldDef("township_code", FieldType.STRING, "乡镇/街道代码", "township code", 9, required=True),
        FieldDef("title", FieldType.STRING, "申请标题", "title", 200),
        FieldDef("reason", FieldType.STRING, "变更理由", "reason for the change", 2000, required=True),
        FieldDef("application", FieldType.STRING, "书面申请", "written application", 8000),
        FieldDef("proposed_by", FieldType.STRING, "申请人", "proposed by", 50),
        FieldDef("proposed_at", FieldType.DATETIME, "申请时间", "proposed at"),
        FieldDef("status", FieldType.STRING, "状态", "status", 12, True, CHANGE_SET_STATUSES, "proposed"),
        FieldDef("decided_by", FieldType.STRING, "审批人", "decided by", 50),
        FieldDef("decided_at", FieldType.DATETIME, "审批时间", "decided at"),
        FieldDef("approval_ref", FieldType.STRING, "批复文号", "approval reference", 100),
        FieldDef("rejection_reason", FieldType.STRING, "驳回理由", "reason for rejection", 2000),
        FieldDef("crs", FieldType.STRING, "坐标系", "CRS", 64),
        FieldDef("map_png", FieldType.BINARY, "变更示意图", "map of the change (PNG)"),
    ),
)

CHANGE_SET_ITEMS = LayerDef(
    "change_set_items",
    GeometryKind.MULTIPOLYGON,
    "网格变更内容",
    "Grid changes requested",
    (
        FieldDef("set_id", FieldType.STRING, "申请编号", "request id", 40, required=True),
        FieldDef("item_no", FieldType.INTEGER, "序号", "item number", required=True),
        FieldDef("layer", FieldType.STRING, "图层", "layer", 32, required=True),
        FieldDef("action", FieldType.STRING, "变更类型", "kind of change", 8, True, CHANGE_SET_ACTIONS),
        FieldDef("grid_fid", FieldType.INTEGER, "要素编号", "feature id"),
        FieldDef("code", FieldType.STRING, "网格编码", "grid code", 32),
        FieldDef("before_code", FieldType.STRING, "原编码", "code before", 32),
        FieldDef("name", FieldType.STRING, "网格名称", "grid name", 100),
        FieldDef("area_before", FieldType.REAL, "变更前面积（平方米）", "area before (m²)"),
        FieldDef("area_after", FieldType.REAL, "变更后面积（平方米）", "area after (m²)"),
        FieldDef("before_values", FieldType.STRING, "变更前属性", "values before", 4000),
        FieldDef("after_values", FieldType.STRING, "变更后属性", "values after", 4000),
    ),
)

CHANGE_SET_BEFORE = LayerDef(
    "change_set_before",
    GeometryKind.MULTIPOLYGON,
    "网格变更前范围",
    "Grids before the requested change",
    (
        FieldDef("set_id", FieldType.STRING, "申请编号", "request id", 40, required=True),
        FieldDef("item_no", FieldType.INTEGER, "序号", "item number", required=True),
    ),
)

CHANGE_SET_LAYERS: tuple[LayerDef, ...] = (CHANGE_SETS, CHANGE_SET_ITEMS, CHANGE_SET_BEFORE)
