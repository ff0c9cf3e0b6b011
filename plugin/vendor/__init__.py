"""Small third-party modules shipped with the plugin (so that a ZIP install needs nothing from PyPI).

prcoords.py — PRCoords 1.0.2 by Mingye Wang (https://github.com/Artoria2e5/PRCoords), unchanged,
dedicated to the public domain under CC0 1.0 (and additionally GPLv3+); see LICENSE-prcoords.txt.
Used by ``plugin.core.gcj02``, which runs these very formulas on numpy arrays (a second copy of the
module whose ``math`` is numpy), so whole layers are corrected in a few array operations.
"""
