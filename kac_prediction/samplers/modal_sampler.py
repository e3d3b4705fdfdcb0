"""Shared machinery of the modal samplers (circle, rectangle, equilateral triangle).

Item i belongs to drum i // strikes_per_drum. The drum's geometry, then its membrane values (samplers/membrane.py),
are drawn from `itemRNG(seed, 0, drum)`; the strike, then the listening point (`listening_location='random'`), then
the strike's duration (when a range) from `itemRNG(seed, 1, i)`; the first strike of every drum is at the centre. So
an item depends only on (settings, i): any item can be regenerated alone, and batches, workers and shards all give
bit-identical audio.
"""

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .._checks import checkCount, checkModeCounts, checkNumber, parseRange
from ..physics import modalSynthesis, stiffModes, strikeWidthWeights
from .audio_sampler import Labels, itemRNG
from .item_sampler import ItemSampler
from .membrane import Membrane, Setting, checkRandom, drawSetting, parseSetting

__all__ = ['ModalSampler', 'Random', 'SizeRange', 'membraneModes', 'membraneSynthesis', 'parseRange']

SizeRange = Setting
Random = Literal['random']  # a listening point drawn per item


@dataclass(frozen=True)
class _Item:
    index: int
    drum_id: int
    drum: dict[str, float]  # geometry labels, wave_speed and the drawn membrane values
    strike: tuple[float, ...]
    listening: tuple[float, ...]
    duration: float  # strike_duration, s


class ModalSampler(ItemSampler[_Item]):
    """A drum with analytic modes, rendered by `physics.modalSynthesis`
    (docs/architecture.md, "Physics conventions").

    Settings every modal model shares (besides N, M, amplitude, drum_size, seed, strikes_per_drum): tension (N/m) and
    material_density (kg/m²), each a number or a range drawn per drum (label `wave_speed` = sqrt(T/ρ), m/s);
    decay_time (T60 in s at 0 Hz, number, inf or range), decay_time_high (T60 in s at decay_frequency_high Hz; None:
    frequency-independent) and stiffness (κ in m²/s, number or range); listening_location (a point, None for the
    centre, or 'random': drawn per item over the same region as the strikes); strike_width (m, ≥ 0, 0 = a point)
    and strike_duration (s, number or range drawn per item, 0 = an impulse). Ranges of decay_time, decay_time_high,
    stiffness and strike_duration are labels under their own names.
    """

    _centre: tuple[float, ...]  # the centre strike and default listening point, in the model's coordinates

    def __init__(self, duration: float, sample_rate: int, **settings: Any) -> None:
        super().__init__(duration, sample_rate, **settings)
        self.N, self.M = checkModeCounts(settings['N'], settings['M'])
        self.amplitude = checkNumber('amplitude', settings['amplitude'], 'the peak of the waveform', inclusive=True)
        self.membrane = Membrane.fromSettings(settings)
        self.decay_time = settings['decay_time']
        self.drum_size = parseRange('drum_size', settings['drum_size'])
        self.wave_speed: float | None = self.membrane.wave_speed  # None: drawn per drum
        self.strike_width = checkNumber(
            'strike_width', settings['strike_width'], 'm, the diameter of the strike; 0 for a point', inclusive=True
        )
        self.strike_duration = parseSetting(
            'strike_duration', settings['strike_duration'], 's, the force pulse; 0 for an impulse', inclusive=True
        )
        self.strikes_per_drum = checkCount('strikes_per_drum', settings['strikes_per_drum'])
        self.seed: int = self.__settings__['seed']
        location = settings['listening_location']
        self.random_listening = isinstance(location, str)
        if self.random_listening:
            checkRandom(location)
            location = None
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
        self,
        drums: dict[str, npt.NDArray[np.float64]],
        strikes: npt.NDArray[np.float64],
        listening: npt.ArrayLike,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Frequencies (Hz) and amplitudes of the ideal membrane's modes of B drums (drums[...] of shape (B,), among
        them `wave_speed`), point strikes (B, d) and listening points (d,) or (B, d); each result (B, N, M)."""

    # --- the sampler contract ---

    def _describe(self, i: int) -> _Item:
        i = checkCount('the item index', i, 0)
        drum_id = i // self.strikes_per_drum
        geometry = itemRNG(self.seed, 0, drum_id)
        drum = self._drawDrum(geometry)
        drum.update(self.membrane.draw(geometry))
        first = i % self.strikes_per_drum == 0
        drawn = not first or self.random_listening or self.strike_duration[0] != self.strike_duration[1]
        rng = itemRNG(self.seed, 1, i) if drawn else None
        strike = self._centre if rng is None or first else self._drawStrike(rng)
        listening = self._drawStrike(rng) if rng is not None and self.random_listening else self.listening_location
        duration = self.strike_duration[0] if rng is None else drawSetting(self.strike_duration, rng)
        return _Item(i, drum_id, drum, tuple(float(v) for v in strike), tuple(float(v) for v in listening), duration)

    def _drawSize(self, rng: np.random.Generator) -> float:
        low, high = self.drum_size
        return low if low == high else float(rng.uniform(low, high))

    def modes(self, i: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Item i's mode frequencies (Hz) and amplitudes (s/m²), each (N, M), before the Nyquist cut, with the
        strike's width and the stiffness applied (not the strike's duration nor the decay;
        docs/architecture.md, "Physics conventions")."""
        F, A = self._allModes([self._describe(i)])
        return F[0], A[0]

    def _allModes(self, items: Sequence[_Item]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The modes of `items`, (B, N, M) each: the ideal membrane's, weighted for the strike's width, stiffened."""
        drums = {key: np.array([item.drum[key] for item in items]) for key in items[0].drum}
        listening = np.array([item.listening for item in items]) if self.random_listening else self.listening_location
        F, A = self._modes(drums, np.array([item.strike for item in items]), listening)
        stiffness = drums['stiffness'] if 'stiffness' in drums else self.membrane.stiffness[0]
        return membraneModes(F, A, drums['wave_speed'], stiffness, self.strike_width)

    def _labels(self, item: _Item) -> Labels:
        labels: Labels = {key: [value] for key, value in item.drum.items()}
        labels['drum_id'] = [item.drum_id]
        labels['sample_location'] = list(item.listening)
        labels['strike_location'] = list(item.strike)
        if self.strike_duration[0] != self.strike_duration[1]:
            labels['strike_duration'] = [item.duration]
        return dict(sorted(labels.items()))

    def _render(self, items: Sequence[_Item]) -> npt.NDArray[np.float64]:
        F, A = self._allModes(items)
        durations = np.array([item.duration for item in items])
        return membraneSynthesis(
            F, A, [item.drum for item in items], self.membrane, durations, self.length, self.sample_rate, self.amplitude
        )


def membraneModes(
    frequencies: npt.NDArray[np.float64],
    amplitudes: npt.NDArray[np.float64],
    wave_speed: npt.NDArray[np.float64],
    stiffness: npt.ArrayLike,
    strike_width: float,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The ideal membrane's modes of B drums (Hz and s/m², each (B, ...)) weighted for a strike of `strike_width` (m)
    and stiffened by κ = `stiffness` (m²/s, a number or (B,)); wave_speed c (B,) in m/s (physics/membrane.py)."""
    F, A = frequencies, amplitudes
    if strike_width > 0.0:
        c = wave_speed.reshape(wave_speed.shape + (1,) * (F.ndim - 1))
        A = A * strikeWidthWeights(2.0 * np.pi * F / c, strike_width)
    if np.any(np.asarray(stiffness) > 0.0):
        F, A = stiffModes(F, A, wave_speed, stiffness)
    return F, A


def membraneSynthesis(
    frequencies: npt.NDArray[np.float64],
    amplitudes: npt.NDArray[np.float64],
    drums: Sequence[Mapping[str, float]],
    membrane: Membrane,
    strike_durations: npt.NDArray[np.float64],
    length: int,
    sample_rate: int,
    amplitude: float,
) -> npt.NDArray[np.float64]:
    """`physics.modalSynthesis` of B drums' modes with each drum's decay (`drums[b]`: its drawn membrane values, or
    the fixed settings of `membrane`) and strike duration (s, (B,)): float64 (B, length), peaks at `amplitude`."""

    def perDrum(name: str) -> Any:
        if name not in drums[0]:
            return membrane.value(name, {})
        return np.array([drum[name] for drum in drums])

    durations = strike_durations if np.any(strike_durations > 0.0) else 0.0  # all impulses: the faster path
    return modalSynthesis(
        frequencies, amplitudes, length, sample_rate, perDrum('decay_time'), amplitude, perDrum('decay_time_high'),
        membrane.decay_frequency_high, durations,
    )  # fmt: skip
