"""Drum physics: mode tables, modal amplitudes and modal synthesis (SI units, DESIGN §3)."""

from ._validation import checkModeCounts
from .circle import circularAmplitudes, circularFrequencies, circularSeries
from .modal_synthesis import decayRate, modalSynthesis
from .rectangle import rectangularAmplitudes, rectangularFrequencies, rectangularSeries

__all__ = [
    'checkModeCounts',
    'circularAmplitudes',
    'circularFrequencies',
    'circularSeries',
    'decayRate',
    'modalSynthesis',
    'rectangularAmplitudes',
    'rectangularFrequencies',
    'rectangularSeries',
]
