"""Community Grids (社区网格): a QGIS plugin for the grids of grassroots social governance."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    """QGIS calls this to load the plugin (or a stand-in that explains what is missing)."""
    from .plugin.dependencies import MissingDependenciesPlugin, missing_dependencies

    problem = missing_dependencies()
    if problem:
        return MissingDependenciesPlugin(iface, problem)
    from .plugin.gui.plugin import CommunityGridsPlugin

    return CommunityGridsPlugin(iface)
