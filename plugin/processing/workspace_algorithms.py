"""Processing algorithms that create workspaces: for a county, and the embedded Hanbin sample."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from ..adapters.reproject import transform_geometries
from ..adapters.workspace import WorkspaceError, write_workspace
from ..core import reference, schema
from ..core.crs import gk3_epsg
from ..core.model import WorkspaceData
from ..i18n import tr
from .base import GridAlgorithm


class CreateWorkspace(GridAlgorithm):
    NAME = "create_workspace"
    DISPLAY = "Create grid workspace"
    HELP = (
        "Creates an empty grid workspace (one GeoPackage per county) with the layers of the schema: level 1, 2, 3 "
        "and dedicated grids, households, staff, change log and audit findings. For a county of Ankang the "
        "county boundary and the statistical village codes are filled in. The CRS is the CGCS2000 3-degree "
        "Gauss-Kruger zone (with zone prefix) of the county's longitude unless another is given."
    )
    COUNTY = "COUNTY"
    COUNTY_CODE = "COUNTY_CODE"
    COUNTY_NAME = "COUNTY_NAME"
    CRS = "CRS"
    OVERWRITE = "OVERWRITE"
    OUTPUT = "OUTPUT"

    def initAlgorithm(self, config=None):
        counties = reference.list_counties()
        self._counties = counties
        self.addParameter(
            QgsProcessingParameterEnum(
                self.COUNTY,
                tr("County (Ankang)"),
                options=[f"{name} {code}" for code, name in counties],
                defaultValue=0,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.COUNTY_CODE, tr("Other county: 6-digit code (overrides the list)"), optional=True
            )
        )
        self.addParameter(QgsProcessingParameterString(self.COUNTY_NAME, tr("Other county: name"), optional=True))
        self.addParameter(
            QgsProcessingParameterCrs(
                self.CRS, tr("Workspace CRS (default: the county's Gauss-Kruger zone)"), optional=True
            )
        )
        self.addParameter(QgsProcessingParameterBoolean(self.OVERWRITE, tr("Replace an existing file"), False))
        self.addParameter(
            QgsProcessingParameterFileDestination(self.OUTPUT, tr("Workspace GeoPackage"), tr("GeoPackage (*.gpkg)"))
        )

    def processAlgorithm(self, parameters, context, feedback):
        counties = reference.list_counties()
        code = (self.parameterAsString(parameters, self.COUNTY_CODE, context) or "").strip()
        name = (self.parameterAsString(parameters, self.COUNTY_NAME, context) or "").strip()
        if code:
            if not (len(code) == 6 and code.isdigit()):
                raise QgsProcessingException(tr("The county code must have 6 digits, not {code!r}.").format(code=code))
            known = dict(counties)
            name = name or known.get(code, "")
            if not name:
                raise QgsProcessingException(tr("Give the name of county {code}.").format(code=code))
        else:
            code, name = counties[self.parameterAsEnum(parameters, self.COUNTY, context)]
        crs = self.parameterAsCrs(parameters, self.CRS, context)
        boundary_wgs84 = reference.load_county_boundary_wgs84(code) if code in dict(counties) else None
        if crs.isValid():
            authid = crs.authid()
        elif boundary_wgs84 is not None:
            authid = gk3_epsg(boundary_wgs84.centroid.x)
        else:
            raise QgsProcessingException(
                tr("County {code} is not in the shipped reference data: choose the workspace CRS.").format(code=code)
            )
        info = schema.WorkspaceInfo(county_code=code, county_name=name, crs=authid)
        data = WorkspaceData(info=info, grids={})
        if boundary_wgs84 is not None:
            data.county_boundary = transform_geometries([boundary_wgs84], "EPSG:4326", authid)[0]
            data.divisions = reference.load_divisions(code)
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        overwrite = self.parameterAsBool(parameters, self.OVERWRITE, context)
        try:
            path = write_workspace(output, info, data, overwrite=overwrite)
        except WorkspaceError as error:
            raise QgsProcessingException(str(error)) from error
        feedback.pushInfo(
            tr("Created workspace {path} for {name} ({code}) in {crs}.").format(
                path=path, name=name, code=code, crs=authid
            )
        )
        return {self.OUTPUT: str(path)}


class BuildSampleWorkspace(GridAlgorithm):
    NAME = "build_sample_workspace"
    DISPLAY = "Build Hanbin sample workspace"
    HELP = (
        "Builds the embedded sample: a workspace for the real villages and communities of Hanbin district "
        "(汉滨区, Ankang) with level 1, 2 and 3 grids, dedicated grids, households and staff, including a handful "
        "of deliberate defects for the audit to find. Deterministic for a given seed."
    )
    SEED = "SEED"
    OVERWRITE = "OVERWRITE"
    OUTPUT = "OUTPUT"

    def initAlgorithm(self, config=None):
        from qgis.core import QgsProcessingParameterNumber

        self.addParameter(
            QgsProcessingParameterNumber(
                self.SEED, tr("Random seed"), QgsProcessingParameterNumber.Type.Integer, 20261124
            )
        )
        self.addParameter(QgsProcessingParameterBoolean(self.OVERWRITE, tr("Replace an existing file"), True))
        self.addParameter(
            QgsProcessingParameterFileDestination(self.OUTPUT, tr("Workspace GeoPackage"), tr("GeoPackage (*.gpkg)"))
        )

    def processAlgorithm(self, parameters, context, feedback):
        from ..core.sample import build_sample

        seed = self.parameterAsInt(parameters, self.SEED, context)
        feedback.pushInfo(tr("Building the Hanbin sample (seed {seed})…").format(seed=seed))
        sample = build_sample(seed=seed)
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        try:
            path = write_workspace(
                output,
                sample.data.info,
                sample.data,
                overwrite=self.parameterAsBool(parameters, self.OVERWRITE, context),
            )
        except WorkspaceError as error:
            raise QgsProcessingException(str(error)) from error
        for planted in sample.planted:
            feedback.pushInfo(
                tr("Planted defect: {kind} in {layer} ({codes})").format(
                    kind=planted.kind, layer=planted.layer, codes=", ".join(planted.codes)
                )
            )
        return {self.OUTPUT: str(path)}
