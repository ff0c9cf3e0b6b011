"""Community Grids (社区网格): a QGIS plugin for the grids of grassroots social governance."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    """QGIS calls this to load the plugin (or a stand-in that explains what is missing)."""
    from .plugin.dependencies import load_plugin

    return load_plugin(iface)
