"""BesselModel: a circular drum rendered from its Bessel modes."""

import math

import numpy as np
import numpy.typing as npt

from ..physics import circularAmplitudes, circularFrequencies
from .audio_sampler import SamplerSettings, classLocalsToKwargs
from .modal_sampler import ModalSampler, Random, SizeRange

__all__ = ['BesselModel']


class BesselModel(ModalSampler):
    """A circular membrane of diameter `drum_size` (m), Dirichlet boundary
    (docs/architecture.md, "Physics conventions").

    Strike and listening locations are polar (r, θ): r in units of the radius, θ in radians. The first strike of each
    drum is at the centre; the others are drawn uniformly over the area within r ≤ 0.9. Labels: `drum_size` [L],
    `strike_location` [r, θ], `sample_location` [r, θ], `drum_id` [d], `wave_speed` [c] (m/s).
    """

    class Settings(SamplerSettings, total=False):
        """BesselModel's settings (all optional but duration and sample_rate)."""

        M: int
        N: int
        amplitude: float
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

    _centre = (0.0, 0.0)

    def __init__(
        self,
        duration: float,
        sample_rate: int,
        M: int = 10,
        N: int = 10,
        amplitude: float = 1.0,
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
        """M radial and N angular orders (n = 0…N−1); drum_size m (number or range); listening_location polar
        (r, θ), default the centre, or 'random'. The membrane and strike settings (tension, material_density,
        decay_time, decay_time_high, decay_frequency_high, stiffness, strike_width, strike_duration): ModalSampler."""
        super().__init__(**classLocalsToKwargs(locals()))

    def _drawDrum(self, rng: np.random.Generator) -> dict[str, float]:
        return {'drum_size': self._drawSize(rng)}

    def _drawStrike(self, rng: np.random.Generator) -> tuple[float, ...]:
        return (0.9 * math.sqrt(rng.uniform()), rng.uniform(0.0, 2.0 * math.pi))

    def _checkLocation(self, name: str, point: tuple[float, ...]) -> None:
        if len(point) != 2 or not 0.0 <= point[0] <= 1.0 or not math.isfinite(point[1]):
            raise ValueError(f'{name} must be polar (r, θ) with 0 ≤ r ≤ 1 (units of the radius), got {point!r}.')

    def _modes(
        self, drums: dict[str, npt.NDArray[np.float64]], strikes: npt.NDArray[np.float64], listening: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        L, c = drums['drum_size'], drums['wave_speed']
        F = circularFrequencies(self.N, self.M, L, c)
        return F, circularAmplitudes(strikes, listening, self.N, self.M, L, c)
