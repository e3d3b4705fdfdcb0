"""PoissonModel: a rectangular drum rendered from its sine modes."""

import numpy as np
import numpy.typing as npt

from .._checks import parseRange
from ..physics import rectangularAmplitudes, rectangularFrequencies
from .audio_sampler import SamplerSettings, classLocalsToKwargs
from .modal_sampler import ModalSampler, Random, SizeRange

__all__ = ['PoissonModel']


class PoissonModel(ModalSampler):
    """A rectangular membrane of area `drum_size`² (m²) and side ratio `aspect_ratio` = Lx/Ly ≥ 1
    (docs/architecture.md, "Physics conventions").

    Locations are (x, y) in units of the sides, in [0, 1]². The first strike of each drum is at the centre; the
    others are drawn uniformly in [0.05, 0.95]². Labels: `drum_size` [L], `aspect_ratio` [ε], `strike_location`
    [x, y], `sample_location` [x, y], `drum_id` [d], `wave_speed` [c] (m/s).
    """

    class Settings(SamplerSettings, total=False):
        """PoissonModel's settings (all optional but duration and sample_rate)."""

        M: int
        N: int
        amplitude: float
        aspect_ratio: SizeRange
        decay_frequency_high: float
        decay_time: SizeRange
        decay_time_high: SizeRange | None
        drum_size: SizeRange
        listening_location: tuple[float, float] | Random | None
        material_density: SizeRange
        seed: int | None
        stiffness: SizeRange
        strike_duration: SizeRange
        strike_width: float
        strikes_per_drum: int
        tension: SizeRange

    _centre = (0.5, 0.5)

    def __init__(
        self,
        duration: float,
        sample_rate: int,
        M: int = 10,
        N: int = 10,
        amplitude: float = 1.0,
        aspect_ratio: SizeRange = (1.0, 4.0),
        decay_frequency_high: float = 1000.0,
        decay_time: SizeRange = 2.0,
        decay_time_high: SizeRange | None = None,
        drum_size: SizeRange = (0.1, 2.0),
        listening_location: tuple[float, float] | Random | None = None,
        material_density: SizeRange = 0.2,
        seed: int | None = None,
        stiffness: SizeRange = 0.0,
        strike_duration: SizeRange = 0.0,
        strike_width: float = 0.0,
        strikes_per_drum: int = 5,
        tension: SizeRange = 2000.0,
    ) -> None:
        """M modes along x and N along y; aspect_ratio Lx/Ly ≥ 1 (number or range); drum_size sqrt(area) in m
        (number or range); listening_location (x, y) in [0, 1]², default the centre, or 'random'. The membrane and
        strike settings (tension, material_density, decay_time, decay_time_high, decay_frequency_high, stiffness,
        strike_width, strike_duration): ModalSampler."""
        super().__init__(**classLocalsToKwargs(locals()))
        self.aspect_ratio = parseRange('aspect_ratio', aspect_ratio, minimum=1.0, inclusive=True)

    def _drawDrum(self, rng: np.random.Generator) -> dict[str, float]:
        low, high = self.aspect_ratio
        aspect = low if low == high else float(rng.uniform(low, high))
        return {'aspect_ratio': aspect, 'drum_size': self._drawSize(rng)}

    def _drawStrike(self, rng: np.random.Generator) -> tuple[float, ...]:
        x, y = rng.uniform(0.05, 0.95, size=2)
        return (float(x), float(y))

    def _checkLocation(self, name: str, point: tuple[float, ...]) -> None:
        if len(point) != 2 or not all(0.0 <= v <= 1.0 for v in point):
            raise ValueError(f'{name} must be (x, y) in units of the sides, each in [0, 1], got {point!r}.')

    def _modes(
        self, drums: dict[str, npt.NDArray[np.float64]], strikes: npt.NDArray[np.float64], listening: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        L, eps, c = drums['drum_size'], drums['aspect_ratio'], drums['wave_speed']
        F = rectangularFrequencies(self.N, self.M, L, eps, c)
        return F, rectangularAmplitudes(strikes, listening, self.N, self.M, L, eps, c)
