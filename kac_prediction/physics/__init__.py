"""Drum physics: mode tables, modal amplitudes and modal synthesis (SI units, DESIGN §3)."""

from ._validation import checkModeCounts
from .circle import circularAmplitudes, circularFrequencies, circularSeries
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
    'barycentricToCartesian',
    'cartesianToBarycentric',
    'checkModeCounts',
    'circularAmplitudes',
    'circularFrequencies',
    'circularSeries',
    'decayRate',
    'equilateralTriangleAmplitudes',
    'equilateralTriangleFrequencies',
    'equilateralTriangleModes',
    'equilateralTriangleNorms',
    'equilateralTriangleSeries',
    'modalSynthesis',
    'rectangularAmplitudes',
    'rectangularFrequencies',
    'rectangularSeries',
]
