"""Processing algorithms of the city's database (§7.5 synchronisation, ``adapters.city_db``).

* ``city_db_load_package`` — take a county's filing package in (its current grids replaced, history kept;
  the city schema is created on first use in the CRS given);
* ``city_db_check`` — the city's cross-border checks on the current grids, stored in ``city_findings``.

The database: a libpq connection string (``host=… dbname=… user=…``, ``service=…``) or the name of a saved QGIS
PostgreSQL connection.
"""

from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterCrs,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from ..adapters.package_io import PackageError
from ..i18n import prefers_chinese, tr
from .base import GridAlgorithm, add_city_check_parameters

GROUP_ID = "city"
GROUP = "City database"


def _database_parameters(algorithm) -> None:
    algorithm.addParameter(
        QgsProcessingParameterString(algorithm.DATABASE, tr("City database (connection string or QGIS connection)"))
    )
    algorithm.addParameter(QgsProcessingParameterString(algorithm.SCHEMA, tr("Schema"), defaultValue="city"))


def _connect(algorithm, parameters, context):
    from ..adapters.city_db import connect

    return connect(algorithm.parameterAsString(parameters, algorithm.DATABASE, context))


class LoadCityPackage(GridAlgorithm):
    NAME = "city_db_load_package"
    DISPLAY = "Take a county package into the city database"
    GROUP_ID = GROUP_ID
    GROUP = GROUP
    HELP = (
        "Synchronisation (§7.5): takes a county's filing package into the city's PostGIS database in one "
        "transaction. The county's current grids are replaced by the package's; the previous ones keep their "
        "history (valid_from / valid_to) and stay queryable. The city schema is created on first use, in the CRS "
        "given (a metric CRS; default: the CGCS2000 Gauss-Kruger zone of the package)."
    )
    DATABASE = "DATABASE"
    SCHEMA = "SCHEMA"
    PACKAGE = "PACKAGE"
    CRS = "CRS"
    GRIDS = "GRIDS"
    REPLACED = "REPLACED"
    COUNTY = "COUNTY"

    def initAlgorithm(self, config=None):
        _database_parameters(self)
        self.addParameter(
            QgsProcessingParameterFile(
                self.PACKAGE,
                tr("County filing package"),
                QgsProcessingParameterFile.Behavior.File,
                "gpkg",
                fileFilter=tr("GeoPackage (*.gpkg)"),
            )
        )
        self.addParameter(QgsProcessingParameterCrs(self.CRS, tr("CRS of a new city database"), optional=True))
        self.addOutput(QgsProcessingOutputString(self.COUNTY, tr("County")))
        self.addOutput(QgsProcessingOutputNumber(self.GRIDS, tr("Grids taken in")))
        self.addOutput(QgsProcessingOutputNumber(self.REPLACED, tr("Grids replaced")))

    def processAlgorithm(self, parameters, context, feedback):
        from ..adapters import city_db
        from ..adapters.intake import metric_crs, read_package

        package = self.parameterAsFile(parameters, self.PACKAGE, context)
        name = self.parameterAsString(parameters, self.SCHEMA, context) or city_db.DEFAULT_SCHEMA
        try:
            conn = _connect(self, parameters, context)
            try:
                try:
                    city_db.city_crs(conn, name)
                except city_db.CityDbError:
                    crs = self.parameterAsCrs(parameters, self.CRS, context)
                    authid = crs.authid() if crs.isValid() else metric_crs([read_package(package)])
                    city_db.create_city_db(conn, authid, name)
                    feedback.pushInfo(tr("Created the city schema {name} in {crs}.").format(name=name, crs=authid))
                result = city_db.load_package(conn, package, name, progress=lambda f: feedback.setProgress(100 * f))
            finally:
                conn.close()
        except (city_db.CityDbError, PackageError) as error:
            raise QgsProcessingException(str(error)) from error
        feedback.pushInfo(
            tr("County {county}: {grids} grids taken in, {replaced} previous grids kept as history.").format(
                county=result.county_code, grids=result.grids, replaced=result.replaced
            )
        )
        return {self.COUNTY: result.county_code, self.GRIDS: result.grids, self.REPLACED: result.replaced}


class CheckCity(GridAlgorithm):
    NAME = "city_db_check"
    DISPLAY = "Check the city database"
    GROUP_ID = GROUP_ID
    GROUP = GROUP
    HELP = (
        "The city's checks across county borders on the current grids of the city database: grid codes used in "
        "more than one county, level 1 grids overlapping across a county border, gaps between counties along "
        "their borders, level 1 codes outside their county. The findings are stored in the table city_findings "
        "under a new run id."
    )
    DATABASE = "DATABASE"
    SCHEMA = "SCHEMA"
    MIN_AREA = "MIN_AREA"
    BORDER_TOLERANCE = "BORDER_TOLERANCE"
    RUN_ID = "RUN_ID"
    FINDING_COUNT = "FINDING_COUNT"
    ERRORS = "ERRORS"

    def initAlgorithm(self, config=None):
        _database_parameters(self)
        add_city_check_parameters(self)
        self.addOutput(QgsProcessingOutputString(self.RUN_ID, tr("Run id")))
        self.addOutput(QgsProcessingOutputNumber(self.FINDING_COUNT, tr("Findings")))
        self.addOutput(QgsProcessingOutputNumber(self.ERRORS, tr("Error findings")))

    def processAlgorithm(self, parameters, context, feedback):
        from ..adapters import city_db

        name = self.parameterAsString(parameters, self.SCHEMA, context) or city_db.DEFAULT_SCHEMA
        try:
            conn = _connect(self, parameters, context)
            try:
                result = city_db.check_city(
                    conn,
                    name,
                    min_area_m2=self.parameterAsDouble(parameters, self.MIN_AREA, context),
                    border_tolerance_m=self.parameterAsDouble(parameters, self.BORDER_TOLERANCE, context),
                )
            finally:
                conn.close()
        except city_db.CityDbError as error:
            raise QgsProcessingException(str(error)) from error
        zh = prefers_chinese()
        errors = 0
        for finding in result.findings:
            text = finding.message_zh if zh else finding.message_en
            if finding.severity.value == "error":
                errors += 1
                feedback.reportError(text)
            else:
                feedback.pushWarning(text)
        feedback.pushInfo(
            tr("{count} finding(s) over {counties} counties (run {run}).").format(
                count=len(result.findings), counties=len(result.counties), run=result.run_id
            )
        )
        return {self.RUN_ID: result.run_id, self.FINDING_COUNT: len(result.findings), self.ERRORS: errors}
