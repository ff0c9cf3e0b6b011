"""The Processing provider: every tool of the plugin as an algorithm (models, batch, qgis_process)."""

from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..i18n import tr
from .base import ICONS

PROVIDER_ID = "community_grids"


def algorithm_classes() -> list[type]:
    from .audit_algorithms import AuditWorkspace
    from .changeset_algorithms import ApproveChangeSet, ProposeChangeSet, RejectChangeSet, ReviewChangeSet
    from .city_db_algorithms import CheckCity, LoadCityPackage
    from .division_algorithms import ProposeDivision
    from .filing_algorithms import (
        AllocateCodes,
        ComparePackages,
        ExportFilingPackage,
        MergeCountyPackages,
        RebuildCodeRegistry,
    )
    from .household_algorithms import AttachHouseholds
    from .import_algorithms import ImportGridBoundaries
    from .install_algorithm import InstallDependencies
    from .layout_algorithms import PublicNoticeMap, WorkPermits
    from .pg_algorithms import CopyPostgisToWorkspace, CopyWorkspaceToPostgis
    from .pg_changeset_algorithms import (
        PgApproveChangeSet,
        PgInstallChangeSets,
        PgListChangeSets,
        PgProposeChangeSet,
        PgRejectChangeSet,
    )
    from .staff_algorithms import ImportStaff
    from .workspace_algorithms import BuildSampleWorkspace, CreateWorkspace

    return [
        CreateWorkspace,
        BuildSampleWorkspace,
        AttachHouseholds,
        ProposeDivision,
        ImportStaff,
        ImportGridBoundaries,
        PublicNoticeMap,
        WorkPermits,
        AllocateCodes,
        RebuildCodeRegistry,
        ExportFilingPackage,
        MergeCountyPackages,
        ComparePackages,
        ProposeChangeSet,
        ReviewChangeSet,
        ApproveChangeSet,
        RejectChangeSet,
        LoadCityPackage,
        CheckCity,
        AuditWorkspace,
        CopyWorkspaceToPostgis,
        CopyPostgisToWorkspace,
        PgInstallChangeSets,
        PgProposeChangeSet,
        PgApproveChangeSet,
        PgRejectChangeSet,
        PgListChangeSets,
        InstallDependencies,
    ]


class CommunityGridsProvider(QgsProcessingProvider):
    def id(self) -> str:
        return PROVIDER_ID

    def name(self) -> str:
        return tr("Community Grids")

    def longName(self) -> str:
        return tr("Community Grids — grids of grassroots social governance")

    def icon(self) -> QIcon:
        return QIcon(str(ICONS / "community_grids.svg"))

    def loadAlgorithms(self) -> None:
        for cls in algorithm_classes():
            self.addAlgorithm(cls())
