"""LameModel (also `LaméModel`): an equilateral-triangle drum rendered from Lamé's modes."""

import numpy as np
import numpy.typing as npt

from ..physics import equilateralTriangleAmplitudes, equilateralTriangleFrequencies
from .audio_sampler import SamplerSettings, classLocalsToKwargs
from .modal_sampler import ModalSampler, Random, SizeRange

__all__ = ['LameModel', 'LaméModel']

_MARGIN = 0.05  # random strikes keep every barycentric coordinate ≥ this


class LameModel(ModalSampler):
    """An equilateral-triangle membrane of side `drum_size` (m), Dirichlet boundary
    (docs/architecture.md, "Physics conventions").

    Locations are barycentric (u, v, w), each ≥ 0, summing to 1. The first strike of each drum is at the centroid;
    the others are drawn uniformly over the inner triangle where every coordinate is ≥ 0.05. Labels: `drum_size` [L],
    `strike_location` [u, v, w], `sample_location` [u, v, w], `drum_id` [d], `wave_speed` [c] (m/s).
    """

    class Settings(SamplerSettings, total=False):
        """LameModel's settings (all optional but duration and sample_rate)."""

        M: int
        N: int
        amplitude: float
        decay_frequency_high: float
        decay_time: SizeRange
        decay_time_high: SizeRange | None
        drum_size: SizeRange
        listening_location: tuple[float, float, float] | Random | None
        material_density: SizeRange
        seed: int | None
        stiffness: SizeRange
        strike_duration: SizeRange
        strike_width: float
        strikes_per_drum: int
        tension: SizeRange

    _centre = (1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0)

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
        listening_location: tuple[float, float, float] | Random | None = None,
        material_density: SizeRange = 0.2,
        seed: int | None = None,
        stiffness: SizeRange = 0.0,
        strike_duration: SizeRange = 0.0,
        strike_width: float = 0.0,
        strikes_per_drum: int = 5,
        tension: SizeRange = 2000.0,
    ) -> None:
        """N × M Lamé modes (m, n ≥ 1); drum_size side in m (number or range); listening_location barycentric
        (u, v, w), default the centroid, or 'random'. The membrane and strike settings (tension, material_density,
        decay_time, decay_time_high, decay_frequency_high, stiffness, strike_width, strike_duration): ModalSampler."""
        super().__init__(**classLocalsToKwargs(locals()))

    def _drawDrum(self, rng: np.random.Generator) -> dict[str, float]:
        return {'drum_size': self._drawSize(rng)}

    def _drawStrike(self, rng: np.random.Generator) -> tuple[float, ...]:
        u, v, w = _MARGIN + (1.0 - 3.0 * _MARGIN) * rng.dirichlet((1.0, 1.0, 1.0))
        return (float(u), float(v), float(w))

    def _checkLocation(self, name: str, point: tuple[float, ...]) -> None:
        if len(point) != 3 or min(point) < 0.0 or abs(sum(point) - 1.0) > 1e-9:
            raise ValueError(f'{name} must be barycentric (u, v, w), each ≥ 0 and summing to 1, got {point!r}.')

    def _modes(
        self, drums: dict[str, npt.NDArray[np.float64]], strikes: npt.NDArray[np.float64], listening: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        L, c = drums['drum_size'], drums['wave_speed']
        F = equilateralTriangleFrequencies(self.N, self.M, L, c)
        return F, equilateralTriangleAmplitudes(strikes, listening, self.N, self.M, L, c)


LaméModel = LameModel
