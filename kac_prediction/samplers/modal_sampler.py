"""Shared machinery of the modal samplers (circle, rectangle, equilateral triangle).

Item i belongs to drum i // strikes_per_drum. The drum's geometry is drawn from `itemRNG(seed, 0, drum)`, the strike
from `itemRNG(seed, 1, i)`; the first strike of every drum is at the centre. So an item depends only on (settings, i):
any item can be regenerated alone, and batches, workers and shards all give bit-identical audio.
"""

import math
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import checkCount, checkModeCounts, checkNumber, parseRange
from ..physics import decayRate, modalSynthesis
from .audio_sampler import Labels, itemRNG
from .item_sampler import ItemSampler

__all__ = ['ModalSampler', 'SizeRange', 'parseRange']

SizeRange = float | tuple[float, float]


@dataclass(frozen=True)
class _Item:
    index: int
    drum_id: int
    drum: dict[str, float]
    strike: tuple[float, ...]


class ModalSampler(ItemSampler[_Item]):
    """A drum with analytic modes, rendered by `physics.modalSynthesis`
    (docs/architecture.md, "Physics conventions")."""

    _centre: tuple[float, ...]  # the centre strike and default listening point, in the model's coordinates

    def __init__(self, duration: float, sample_rate: int, **settings: Any) -> None:
        super().__init__(duration, sample_rate, **settings)
        self.N, self.M = checkModeCounts(settings['N'], settings['M'])
        self.amplitude = checkNumber('amplitude', settings['amplitude'], 'the peak of the waveform', inclusive=True)
        self.decay_time = settings['decay_time']
        decayRate(self.decay_time)
        self.drum_size = parseRange('drum_size', settings['drum_size'])
        tension = checkNumber('tension', settings['tension'], 'N/m')
        density = checkNumber('material_density', settings['material_density'], 'kg/m²')
        self.wave_speed = math.sqrt(tension / density)
        self.strikes_per_drum = checkCount('strikes_per_drum', settings['strikes_per_drum'])
        self.seed: int = self.__settings__['seed']
        location = settings['listening_location']
        self.listening_location = tuple(float(v) for v in (self._centre if location is None else location))
        self._checkLocation('listening_location', self.listening_location)
        self._item: _Item | None = None

    # --- what each model defines ---

    @abstractmethod
    def _drawDrum(self, rng: np.random.Generator) -> dict[str, float]:
        """The drum's geometry labels, e.g. {'drum_size': L}."""

    @abstractmethod
    def _drawStrike(self, rng: np.random.Generator) -> tuple[float, ...]:
        """A random strike location in the model's coordinates."""

    @abstractmethod
    def _checkLocation(self, name: str, point: tuple[float, ...]) -> None:
        """Raise ValueError naming `name` if `point` is not a valid location on the drum."""

    @abstractmethod
    def _modes(
        self, drums: dict[str, npt.NDArray[np.float64]], strikes: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Frequencies (Hz) and amplitudes of the modes of B drums, each shape (B, N, M)."""

    # --- the sampler contract ---

    def _describe(self, i: int) -> _Item:
        i = checkCount('the item index', i, 0)
        drum_id = i // self.strikes_per_drum
        drum = self._drawDrum(itemRNG(self.seed, 0, drum_id))
        strike = self._centre if i % self.strikes_per_drum == 0 else self._drawStrike(itemRNG(self.seed, 1, i))
        return _Item(i, drum_id, drum, tuple(float(v) for v in strike))

    def _drawSize(self, rng: np.random.Generator) -> float:
        low, high = self.drum_size
        return low if low == high else float(rng.uniform(low, high))

    def modes(self, i: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Item i's mode frequencies (Hz) and amplitudes (s/m²), each (N, M), before the Nyquist cut
        (docs/architecture.md, "Physics conventions")."""
        item = self._describe(i)
        F, A = self._modes({key: np.array([value]) for key, value in item.drum.items()}, np.array([item.strike]))
        return F[0], A[0]

    def _labels(self, item: _Item) -> Labels:
        labels: Labels = {key: [value] for key, value in item.drum.items()}
        labels['drum_id'] = [item.drum_id]
        labels['sample_location'] = list(self.listening_location)
        labels['strike_location'] = list(item.strike)
        return dict(sorted(labels.items()))

    def _render(self, items: Sequence[_Item]) -> npt.NDArray[np.float64]:
        drums = {key: np.array([item.drum[key] for item in items]) for key in items[0].drum}
        F, A = self._modes(drums, np.array([item.strike for item in items]))
        return modalSynthesis(F, A, self.length, self.sample_rate, self.decay_time, self.amplitude)
