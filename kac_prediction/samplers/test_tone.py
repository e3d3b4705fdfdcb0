"""TestTone: a periodic test signal (sine, sawtooth, square or triangle) of fixed or random pitch."""

import math
from typing import Literal, get_args

import numpy as np

from .._checks import checkChoice, checkCount, isNumber
from .audio_sampler import AudioSampler, Labels, SamplerSettings, classLocalsToKwargs, itemRNG

__all__ = ['TestTone', 'Waveshape']

Waveshape = Literal['saw', 'sin', 'sqr', 'tri']


class TestTone(AudioSampler):
    """A tone of `f_0` Hz (0: drawn per item from U(110, 880) Hz) and `waveshape` 'saw', 'sin', 'sqr' or 'tri'.

    The waveform starts at phase 0 and peaks at 1 (the square wave at 0.95, as the original). Labels: `f_0` [Hz].
    """

    __test__ = False  # not a pytest test class

    class Settings(SamplerSettings, total=False):
        """TestTone's settings."""

        f_0: float
        seed: int | None
        waveshape: Waveshape

    def __init__(
        self,
        duration: float,
        sample_rate: int,
        f_0: float = 0.0,
        seed: int | None = None,
        waveshape: Waveshape = 'sin',
    ) -> None:
        """f_0 in Hz (0 for a random pitch per item, otherwise 0 < f_0 < sample_rate / 2)."""
        super().__init__(**classLocalsToKwargs(locals()))
        checkChoice('waveshape', waveshape, get_args(Waveshape))
        if not (isNumber(f_0) and 0 <= f_0 < self.sample_rate / 2):
            raise ValueError(f'f_0 must be 0 (random) or in (0, sample_rate / 2) Hz, got {f_0!r}.')
        self.f_0 = float(f_0)
        self.seed: int = self.__settings__['seed']
        self.waveshape: Waveshape = waveshape
        self._index: int | None = None
        self._pitch: float = 0.0

    def updateProperties(self, i: int | None = None) -> None:
        """Prepare item i: its pitch is f_0, or drawn from U(110, 880) Hz by `itemRNG(seed, 1, i)`."""
        i = (0 if self._index is None else self._index + 1) if i is None else i
        self._index = checkCount('the item index', i, 0)
        self._pitch = self.f_0 if self.f_0 else float(itemRNG(self.seed, 1, self._index).uniform(110.0, 880.0))

    def generateWaveform(self) -> None:
        """Render the tone into `waveform`."""
        if self._index is None:
            raise RuntimeError('call updateProperties(i) before generateWaveform().')
        phase = self._pitch * np.arange(self.length, dtype=np.float64) / self.sample_rate
        cycle = phase - np.floor(phase)
        match self.waveshape:
            case 'saw':
                self.waveform = 2.0 * cycle - 1.0
            case 'sin':
                self.waveform = np.sin(2.0 * math.pi * phase)
            case 'sqr':
                self.waveform = np.where(cycle < 0.5, 0.95, -0.95)
            case 'tri':
                self.waveform = 4.0 * np.minimum(cycle, 1.0 - cycle) - 1.0

    def getLabels(self) -> Labels:
        """{'f_0': [pitch in Hz]} ({} before the first `updateProperties`)."""
        return {} if self._index is None else {'f_0': [self._pitch]}
