"""Headless map rendering and project writing for the demo and README pictures (not shipped)."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def render_png(layers, extent: QgsRectangle, crs, path: Path, width: int = 1600, height: int = 1200) -> Path:
    """Render ``layers`` (top first) over ``extent`` into a PNG; returns the path."""
    settings = QgsMapSettings()
    settings.setLayers(list(layers))
    settings.setDestinationCrs(crs)
    settings.setOutputSize(QSize(width, height))
    settings.setBackgroundColor(QColor("white"))
    settings.setOutputDpi(110)
    margin = max(extent.width(), extent.height()) * 0.03
    settings.setExtent(extent.buffered(margin))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    return path


def save_project(project: QgsProject, path: Path) -> Path:
    project.setFileName(str(path))
    if not project.write():
        raise OSError(f"could not write {path}: {project.error()}")
    return path
