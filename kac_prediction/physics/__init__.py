"""Drum physics: mode tables, modal amplitudes, modal synthesis and the FDTD solver.

SI units throughout (docs/architecture.md, "Physics conventions").
"""

from .._checks import checkModeCounts
from .baselines import circleSizeFromSound, physicsSizes, rectangleFromSound, resonanceFrequencies, weylArea
from .circle import circularAmplitudes, circularFrequencies, circularSeries
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
    'barycentricToCartesian',
    'cartesianToBarycentric',
    'checkModeCounts',
    'circleSizeFromSound',
    'circularAmplitudes',
    'circularFrequencies',
    'circularSeries',
    'decayRate',
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
    'rectangleFromSound',
    'rectangularAmplitudes',
    'rectangularFrequencies',
    'rectangularSeries',
    'resonanceFrequencies',
    'stiffModes',
    'strikeWidthWeights',
    'weylArea',
]
