"""Drum physics: mode tables, modal amplitudes, modal synthesis, eigenmodes of any polygon and the FDTD solver.

SI units throughout (docs/architecture.md, "Physics conventions").
"""

from .._checks import checkModeCounts
from .baselines import circleSizeFromSound, physicsSizes, rectangleFromSound, resonanceFrequencies, weylArea
from .circle import circularAmplitudes, circularFrequencies, circularSeries
from .eigenmodes import Eigenmodes, eigenmodes, polygonMesh, reflexCorners
from .fdtd import COURANT_LIMIT, fdtdCudaAvailable, fdtdEnergy, fdtdGridSpacing, fdtdReference, fdtdSynthesis
from .membrane import lossCoefficients, stiffModes, strikeWidthWeights
from .modal_synthesis import decayRate, modalSynthesis
from .rectangle import rectangularAmplitudes, rectangularFrequencies, rectangularSeries
from .triangle import (
    barycentricToCartesian,
    cartesianToBarycentric,
    equilateralTriangleAmplitudes,
    equilateralTriangleFrequencies,
    equilateralTriangleModes,
    equilateralTriangleNorms,
    equilateralTriangleSeries,
)

__all__ = [
    'COURANT_LIMIT',
    'Eigenmodes',
    'barycentricToCartesian',
    'cartesianToBarycentric',
    'checkModeCounts',
    'circleSizeFromSound',
    'circularAmplitudes',
    'circularFrequencies',
    'circularSeries',
    'decayRate',
    'eigenmodes',
    'equilateralTriangleAmplitudes',
    'equilateralTriangleFrequencies',
    'equilateralTriangleModes',
    'equilateralTriangleNorms',
    'equilateralTriangleSeries',
    'fdtdCudaAvailable',
    'fdtdEnergy',
    'fdtdGridSpacing',
    'fdtdReference',
    'fdtdSynthesis',
    'lossCoefficients',
    'modalSynthesis',
    'physicsSizes',
    'polygonMesh',
    'rectangleFromSound',
    'rectangularAmplitudes',
    'rectangularFrequencies',
    'rectangularSeries',
    'reflexCorners',
    'resonanceFrequencies',
    'stiffModes',
    'strikeWidthWeights',
    'weylArea',
]
