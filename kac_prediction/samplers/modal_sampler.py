"""Shared machinery of the modal samplers (circle, rectangle, equilateral triangle).

Item i belongs to drum i // strikes_per_drum. The drum's geometry is drawn from `itemRNG(seed, 0, drum)`, the strike
from `itemRNG(seed, 1, i)`; the first strike of every drum is at the centre. So an item depends only on (settings, i):
any item can be regenerated alone, and batches, workers and shards all give bit-identical audio.
"""

import math
import numbers
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..physics import checkModeCounts, decayRate, modalSynthesis
from .audio_sampler import Labels, itemRNG
from .item_sampler import ItemSampler

__all__ = ['ModalSampler', 'SizeRange', 'parseRange']

SizeRange = float | tuple[float, float]


def parseRange(name: str, value: object, minimum: float = 0.0, inclusive: bool = False) -> tuple[float, float]:
    """A setting that is a number (fixed) or a (min, max) range, as (low, high); both above `minimum`."""
    pair = value if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in pair):
        raise ValueError(f'{name} must be a number or a (min, max) pair of numbers, got {value!r}.')
    low, high = float(pair[0]), float(pair[1])
    if not ((low >= minimum if inclusive else low > minimum) and low <= high < math.inf):
        bound = f'{"≥" if inclusive else ">"} {minimum:g}'
        raise ValueError(f'{name} must be finite and {bound}, and a range must have min ≤ max; got {value!r}.')
    return low, high


def _checkPositive(name: str, value: object, unit: str, zero: bool = False) -> float:
    number = float(value) if isinstance(value, numbers.Real) and not isinstance(value, bool) else math.nan
    if not ((number >= 0.0 if zero else number > 0.0) and number < math.inf):
        raise ValueError(f'{name} must be a finite number {"≥" if zero else ">"} 0 ({unit}), got {value!r}.')
    return number


@dataclass(frozen=True)
class _Item:
    index: int
    drum_id: int
    drum: dict[str, float]
    strike: tuple[float, ...]


class ModalSampler(ItemSampler[_Item]):
    """A drum with analytic modes, rendered by `physics.modalSynthesis` (DESIGN §3)."""

    _centre: tuple[float, ...]  # the centre strike and default listening point, in the model's coordinates

    def __init__(self, duration: float, sample_rate: int, **settings: Any) -> None:
        super().__init__(duration, sample_rate, **settings)
        self.N, self.M = checkModeCounts(settings['N'], settings['M'])
        self.amplitude = _checkPositive('amplitude', settings['amplitude'], 'the peak of the waveform', zero=True)
        self.decay_time = settings['decay_time']
        decayRate(self.decay_time)
        self.drum_size = parseRange('drum_size', settings['drum_size'])
        tension = _checkPositive('tension', settings['tension'], 'N/m')
        density = _checkPositive('material_density', settings['material_density'], 'kg/m²')
        self.wave_speed = math.sqrt(tension / density)
        spd = settings['strikes_per_drum']
        if isinstance(spd, bool) or not isinstance(spd, numbers.Integral) or spd < 1:
            raise ValueError(f'strikes_per_drum must be an int ≥ 1, got {spd!r}.')
        self.strikes_per_drum = int(spd)
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
        if isinstance(i, bool) or not isinstance(i, numbers.Integral) or i < 0:
            raise ValueError(f'the item index must be an int ≥ 0, got {i!r}.')
        drum_id = int(i) // self.strikes_per_drum
        drum = self._drawDrum(itemRNG(self.seed, 0, drum_id))
        strike = self._centre if i % self.strikes_per_drum == 0 else self._drawStrike(itemRNG(self.seed, 1, int(i)))
        return _Item(int(i), drum_id, drum, tuple(float(v) for v in strike))

    def _drawSize(self, rng: np.random.Generator) -> float:
        low, high = self.drum_size
        return low if low == high else float(rng.uniform(low, high))

    def modes(self, i: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Item i's mode frequencies (Hz) and amplitudes (s/m², DESIGN §3), each (N, M), before the Nyquist cut."""
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
