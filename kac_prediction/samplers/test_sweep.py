"""TestSweep: a sine sweep from 20 Hz to Nyquist, quadratic in time."""

import numpy as np

from .audio_sampler import AudioSampler, Labels, classLocalsToKwargs

__all__ = ['TestSweep']


class TestSweep(AudioSampler):
    """sin(φ(t)) with instantaneous frequency f(t) = 20 + (t / duration)²·(sample_rate/2 − 20) Hz; no labels."""

    __test__ = False  # not a pytest test class

    def __init__(self, duration: float, sample_rate: int) -> None:
        """duration in s, sample_rate in Hz; the sweep is rendered once, here."""
        super().__init__(**classLocalsToKwargs(locals()))
        t = np.arange(self.length, dtype=np.float64) / self.length
        frequency = 20.0 + t**2 * (self.sample_rate / 2.0 - 20.0)
        phase = np.concatenate(([0.0], np.cumsum(2.0 * np.pi * frequency[:-1] / self.sample_rate)))
        self.waveform = np.sin(np.mod(phase, 2.0 * np.pi))

    def updateProperties(self, i: int | None = None) -> None:
        """Nothing changes between items."""

    def generateWaveform(self) -> None:
        """The sweep was rendered at construction."""

    def getLabels(self) -> Labels:
        """No labels: {}."""
        return {}
