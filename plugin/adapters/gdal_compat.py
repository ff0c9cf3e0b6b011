"""GDAL's Python bindings as the plugin uses them, alike on GDAL 3.6 (QGIS 3.22) and GDAL ≥ 3.9 (QGIS ≥ 3.34).

Newer bindings and QGIS turn exceptions on (``gdal.UseExceptions()``, each of the gdal, ogr and osr
modules keeping its own switch), older ones return None and leave a message in ``GetLastErrorMsg()``;
the plugin's code is written for the second way. :func:`quiet_gdal` gives it whatever the bindings'
default, and collects every error GDAL reports so that the message reaching the user is GDAL's own:
``GetLastErrorMsg()`` alone is not enough, since later calls inside the bindings may reset it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from osgeo import gdal, ogr, osr


class GdalErrors(list):
    """The error messages GDAL reported inside a :func:`quiet_gdal` block, oldest first."""

    def text(self) -> str:
        """Every distinct failure message joined (the last error message when there was none)."""
        seen = []
        for message in self:
            if message and message not in seen:
                seen.append(message)
        if not seen:
            last = gdal.GetLastErrorMsg()
            return last.strip() if last else ""
        return "; ".join(seen)


@contextlib.contextmanager
def _exceptions_off():
    """Exceptions off in the gdal, ogr and osr modules inside the block, each restored after it."""
    if all(hasattr(module, "ExceptionMgr") for module in (gdal, ogr, osr)):  # GDAL ≥ 3.7
        with contextlib.ExitStack() as stack:
            for module in (gdal, ogr, osr):
                stack.enter_context(module.ExceptionMgr(useExceptions=False))
            yield
        return
    # GDAL 3.6: each module's UseExceptions() pushed an error handler, so they are switched off in the
    # reverse order of that stack (the one that refuses is not on top yet) and on again in that order.
    pending = [module for module in (osr, ogr, gdal) if module.GetUseExceptions()]
    switched = []
    while pending:
        for module in pending:
            try:
                module.DontUseExceptions()
            except RuntimeError:
                continue
            switched.append(module)
            pending.remove(module)
            break
        else:
            break  # left as they are: callers also catch RuntimeError
    try:
        yield
    finally:
        for module in reversed(switched):
            module.UseExceptions()


@contextlib.contextmanager
def quiet_gdal():
    """GDAL errors as return values (no exceptions, nothing printed) inside the block; yields a
    :class:`GdalErrors` that collects the messages of every warning-or-worse GDAL reports there."""
    errors = GdalErrors()

    def handler(level, number, message):
        if level >= gdal.CE_Failure:
            errors.append(str(message).strip())

    with _exceptions_off():
        gdal.ErrorReset()
        gdal.PushErrorHandler(handler)
        try:
            yield errors
        finally:
            gdal.PopErrorHandler()


@contextlib.contextmanager
def translate_without_arrow():
    """``gdal.VectorTranslate`` (ogr2ogr) inside the block reads row by row, not by Arrow batches.

    GDAL 3.10's Arrow path fails a reprojection ("Reprojection failed") when a batch holds a feature
    without geometry among others, as audit findings of attribute rules are; GDAL 3.6 has no such path.
    """
    key = "OGR2OGR_USE_ARROW_API"
    previous = gdal.GetThreadLocalConfigOption(key, None)
    gdal.SetThreadLocalConfigOption(key, "NO")
    try:
        yield
    finally:
        gdal.SetThreadLocalConfigOption(key, previous)


def open_vector(path: str | Path, update: bool = False):
    """``ogr.Open(path)``, or None when GDAL cannot open it (whether the bindings raise or return None)."""
    with quiet_gdal():
        try:
            return ogr.Open(str(path), 1 if update else 0)
        except RuntimeError:
            return None


def open_failure(path: str | Path, update: bool = False) -> str:
    """GDAL's own words for why the file ``path`` does not open as a vector dataset ("" when it opens).

    An existing file GDAL recognises no format in gives no GDAL message; then a short English note."""
    with quiet_gdal() as errors:
        try:
            dataset = ogr.Open(str(path), 1 if update else 0)
        except RuntimeError as error:
            errors.append(str(error))
            dataset = None
        text = errors.text()
    if dataset is not None:
        dataset = None
        return ""
    return text or "GDAL recognises no vector format in it"


def open_raster(path: str | Path):
    """``gdal.OpenEx(path)`` read-only as a raster, or None when GDAL cannot open it that way."""
    with quiet_gdal():
        try:
            return gdal.OpenEx(str(path), gdal.OF_RASTER | gdal.OF_READONLY)
        except RuntimeError:
            return None
