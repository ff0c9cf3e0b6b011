"""Common ground of the plugin's Processing algorithms: names, groups, translation, help."""

from __future__ import annotations

import re
from pathlib import Path

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorLayer,
)
from qgis.PyQt.QtGui import QIcon

from ..i18n import tr

ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"


class GridAlgorithm(QgsProcessingAlgorithm):
    """Subclasses set NAME, DISPLAY (English, translated at run time), GROUP_ID, GROUP and HELP."""

    NAME = ""
    DISPLAY = ""
    GROUP_ID = "workspace"
    GROUP = "Workspace"
    HELP = ""

    def tr(self, text: str) -> str:
        return tr(text)

    def createInstance(self):
        return type(self)()

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:
        return tr(self.DISPLAY)

    def group(self) -> str:
        return tr(self.GROUP)

    def groupId(self) -> str:
        return self.GROUP_ID

    def shortHelpString(self) -> str:
        return tr(self.HELP)

    def icon(self) -> QIcon:
        return QIcon(str(ICONS / "community_grids.svg"))

    def checkParameterValues(self, parameters, context):  # noqa: N802
        """An input file that exists but GDAL cannot read is named as such, with GDAL's words (QGIS alone
        would report it as "not found")."""
        problem = unreadable_input(self, parameters)
        if problem:
            return False, problem
        return super().checkParameterValues(parameters, context)

    def canExecute(self):  # noqa: N802
        """Refuse, with the reason and the way to install, while shapely is missing or unusable."""
        from ..bootstrap import loader

        outcome = loader.ensure_shapely(loader.qgis_profile())
        return (outcome.ok, "" if outcome.ok else outcome.problem.message)


TEXT_TABLES = (".csv", ".tsv", ".txt")


def add_city_check_parameters(algorithm: QgsProcessingAlgorithm) -> None:
    """The two thresholds of the city's cross-border checks: ``MIN_AREA`` (smallest overlap or gap reported,
    m²) and ``BORDER_TOLERANCE`` (m), both 1 by default and never negative."""
    for name, label in (
        (algorithm.MIN_AREA, tr("Smallest overlap or gap reported (m²)")),
        (algorithm.BORDER_TOLERANCE, tr("Border tolerance (m)")),
    ):
        algorithm.addParameter(
            QgsProcessingParameterNumber(name, label, QgsProcessingParameterNumber.Type.Double, 1.0, minValue=0.0)
        )


def is_utf8(path: Path, limit: int = 1 << 20) -> bool:
    """Whether the first ``limit`` bytes of ``path`` are UTF-8 (a character cut at the limit is fine)."""
    import codecs

    with open(path, "rb") as handle:
        data = handle.read(limit)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def unreadable_input(algorithm: QgsProcessingAlgorithm, parameters: dict) -> str:
    """The message for the first vector input of ``parameters`` that is an existing file GDAL cannot open
    ("" when there is none): the file exists, it is not readable as a vector file, and GDAL's reason."""
    from ..adapters.gdal_compat import open_failure

    kinds = (QgsProcessingParameterFeatureSource, QgsProcessingParameterVectorLayer)
    for definition in algorithm.parameterDefinitions():
        wrong_kind = wrong_file_kind(definition, parameters.get(definition.name()))
        if wrong_kind:
            return wrong_kind
        if not isinstance(definition, kinds):
            continue
        value = parameters.get(definition.name())
        if isinstance(value, QgsProcessingFeatureSourceDefinition):
            value = value.source.staticValue()
        if not isinstance(value, str) or not value:
            continue
        path = Path(value.partition("|")[0])
        try:
            if not path.is_file():
                continue
        except (OSError, ValueError):
            continue
        if path.suffix.lower() in TEXT_TABLES and not is_utf8(path):
            return tr(
                "{name}: {path} is not UTF-8 text (GBK/GB18030?). QGIS reads text tables as UTF-8, so its Chinese "
                "headers and values would be garbled; save it as UTF-8 CSV (Excel: “CSV UTF-8”) and run again."
            ).format(name=definition.description(), path=path)
        error = open_failure(path)
        if error:
            return tr(
                "{name}: the file {path} exists but cannot be read as a GeoPackage or other vector file: {error}"
            ).format(name=definition.description(), path=path, error=error)
    return ""


def wrong_file_kind(definition, value) -> str:
    """For a file parameter with a file filter: the message for an existing file of another kind ("" when
    the kind is right or the value is no file). QGIS alone says only "Incorrect parameter value"."""
    if not isinstance(definition, QgsProcessingParameterFile) or not isinstance(value, str) or not value:
        return ""
    if definition.behavior() != QgsProcessingParameterFile.Behavior.File:
        return ""
    wanted = [e.lower() for e in re.findall(r"\*\.(\w+)", definition.fileFilter() or "")]
    if definition.extension():
        wanted.append(definition.extension().lower())
    path = Path(value)
    try:
        if not wanted or not path.is_file():
            return ""
    except (OSError, ValueError):
        return ""
    suffix = path.suffix.lower().lstrip(".")
    if suffix in wanted:
        return ""
    return tr(
        "{name}: {path} is a {kind} file; this input takes {kinds} files. Save it in one of those formats."
    ).format(
        name=definition.description(),
        path=path,
        kind=f".{suffix}" if suffix else tr("(no extension)"),
        kinds=", ".join(f".{e}" for e in dict.fromkeys(wanted)),
    )
