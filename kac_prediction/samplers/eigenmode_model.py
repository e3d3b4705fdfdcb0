"""EigenmodeModel: a drum of any shape rendered by modal synthesis on its computed eigenmodes.

Physics conventions: docs/architecture.md, "Physics conventions". The drums, their labels and their randomness are
FDTDModel's (same settings, same canonical frame, same draws): item i belongs to drum i // strikes_per_drum, whose
shape, size and membrane values come from `itemRNG(seed, 0, drum)`; the strike, the listening point (when
'random') and the strike's duration from `itemRNG(seed, 1, i)`; the first strike of every drum at its centre.

One eigen-solve (`physics.eigenmodes`) per shape, on the shape scaled to unit area, serves every size, material,
loss, strike and listening point: a drum of size L has λ_k = λ̂_k / L² and φ_k(x) = φ̂_k(x / L) / L, so mode k
sounds at f_k = c·√λ̂_k / (2π·L) with the amplitude φ̂_k(ŝ)·φ̂_k(ô) / (L²·ω_k) of a unit velocity impulse
(s/m², as the analytic modal models). Solves are kept per shape (its vertices) for the sampler's life, the most
recent `_CACHED_SHAPES`.
"""

import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
import shapely.ops

from .._checks import checkCount, checkNumber, parseRange
from ..geometry import Shape, ShapeLabels
from ..physics import Eigenmodes, eigenmodes
from .audio_sampler import Labels, SamplerSettings, classLocalsToKwargs, itemRNG
from .item_sampler import ItemSampler
from .membrane import Membrane, drawSetting, parseSetting
from .modal_sampler import Random, SizeRange, membraneModes, membraneSynthesis
from .shapes import (
    canonicalLabels,
    checkShapeSettings,
    drawDrumShape,
    parseListening,
    resolveShape,
    shapeItemLabels,
    shapeRegion,
)

__all__ = ['EigenmodeModel']

_CACHED_SHAPES = 256  # eigen-solves kept (a few MB each at 50 modes)
_ATTEMPTS = 100  # rejection-sampling rounds (of 64 candidates each) for a random strike


@dataclass(frozen=True)
class _Drum:
    """One drum: its shape at unit area, size, membrane values, modes and canonical frame."""

    drum_id: int
    vertices: npt.NDArray[np.float64]  # the shape's outline scaled to unit area, (n, 2)
    region: Any  # shapely polygon of `vertices`
    size: float  # drum_size L = sqrt(area), m
    material: dict[str, float]  # wave_speed (m/s) and the drawn membrane values (Membrane.draw)
    modes: Eigenmodes  # of the unit-area shape
    centre: tuple[float, float]  # canonical frame: q = (p − centre) / half, unit-area coordinates
    half: float
    centre_strike: tuple[float, float]  # unit-area coordinates of the first strike
    listening: tuple[float, float]
    labels: ShapeLabels

    def canonical(self, p: Sequence[float]) -> list[float]:
        # + 0.0 turns −0.0 into 0.0
        return [(p[0] - self.centre[0]) / self.half + 0.0, (p[1] - self.centre[1]) / self.half + 0.0]

    def fromCanonical(self, q: Sequence[float]) -> tuple[float, float]:
        return (self.centre[0] + self.half * float(q[0]), self.centre[1] + self.half * float(q[1]))


@dataclass(frozen=True)
class _Item:
    index: int
    drum: _Drum
    strike: tuple[float, float]  # unit-area coordinates
    listening: tuple[float, float]
    duration: float  # strike_duration, s


class EigenmodeModel(ItemSampler[_Item]):
    """A membrane of any shape from `kac_prediction.geometry` (convex or not; ellipses as ≈ 170-gons), rendered by
    modal synthesis on its `n_modes` lowest computed eigenmodes (docs/architecture.md, "Physics conventions").

    The drums, settings and labels are FDTDModel's: `drum_size` is sqrt(area) in m; the shape is drawn (with the
    drum's generator) by `arbitrary_shape(**shape_settings, rng=...)`; locations and vertices in the shape's canonical
    frame (bounding box centred on the origin, the larger side spanning [−1, 1]). Strikes and 'random' listening
    points are drawn uniformly over the points at least max(strike_width/2, 1 % of drum_size) inside the boundary
    (half as deep as the centre strike in a drum thinner than that). The membrane settings (tension,
    material_density, decay_time, decay_time_high, decay_frequency_high, stiffness, strike_width, strike_duration)
    are the modal models'. Modes above Nyquist are dropped.
    """

    class Settings(SamplerSettings, total=False):
        """EigenmodeModel's settings (all optional but duration and sample_rate)."""

        amplitude: float
        arbitrary_shape: type[Shape] | str
        decay_frequency_high: float
        decay_time: SizeRange
        decay_time_high: SizeRange | None
        drum_size: SizeRange
        listening_location: tuple[float, float] | Random | None
        material_density: SizeRange
        n_modes: int
        seed: int | None
        shape_settings: Mapping[str, Any] | None
        stiffness: SizeRange
        strike_duration: SizeRange
        strike_width: float
        strikes_per_drum: int
        tension: SizeRange
        tolerance: float

    def __init__(
        self,
        duration: float,
        sample_rate: int,
        amplitude: float = 1.0,
        arbitrary_shape: type[Shape] | str = 'ConvexPolygon',
        decay_frequency_high: float = 1000.0,
        decay_time: SizeRange = 2.0,
        decay_time_high: SizeRange | None = None,
        drum_size: SizeRange = 0.3,
        listening_location: tuple[float, float] | Random | None = None,
        material_density: SizeRange = 0.2,
        n_modes: int = 50,
        seed: int | None = None,
        shape_settings: Mapping[str, Any] | None = None,
        stiffness: SizeRange = 0.0,
        strike_duration: SizeRange = 0.0,
        strike_width: float = 0.01,
        strikes_per_drum: int = 5,
        tension: SizeRange = 2000.0,
        tolerance: float = 4e-3,
    ) -> None:
        """n_modes: the lowest eigenmodes rendered per drum. tolerance: the relative error allowed on λ of the highest
        (`physics.eigenmodes`; 4e-3 puts every frequency within 0.2 %). The other settings: FDTDModel's (shape,
        size, listening point, strike) and ModalSampler's (membrane, loss, stiffness)."""
        Class, name = resolveShape(arbitrary_shape)
        settings = classLocalsToKwargs(locals())
        for key in ('Class', 'name'):
            settings.pop(key)
        settings['arbitrary_shape'] = name
        super().__init__(**settings)
        self.Shape = Class
        self.shape_settings, self._takes_rng = checkShapeSettings(Class, name, shape_settings)
        self.amplitude = checkNumber('amplitude', amplitude, 'the peak of the waveform', inclusive=True)
        self.membrane = Membrane.fromSettings(settings)
        self.drum_size = parseRange('drum_size', drum_size)
        self.wave_speed: float | None = self.membrane.wave_speed
        self.n_modes = checkCount('n_modes', n_modes)
        self.tolerance = checkNumber('tolerance', tolerance, 'the relative error of the highest eigenvalue')
        self.strike_width = checkNumber(
            'strike_width', strike_width, 'm, the diameter of the strike; 0 for a point', inclusive=True
        )
        self.strike_duration = parseSetting(
            'strike_duration', strike_duration, 's, the force pulse; 0 for an impulse', inclusive=True
        )
        self.strikes_per_drum = checkCount('strikes_per_drum', strikes_per_drum)
        self.random_listening, self.listening_location = parseListening(listening_location)
        self.seed: int = self.__settings__['seed']
        self._drums: OrderedDict[int, _Drum] = OrderedDict()
        self._solves: OrderedDict[bytes, Eigenmodes] = OrderedDict()
        self.solves = 0  # eigen-solves done (the others came from the cache)
        self._item: _Item | None = None
        self._drum(0)  # surfaces bad shape settings and listening locations now

    # --- geometry ---

    def _solve(self, vertices: npt.NDArray[np.float64]) -> Eigenmodes:
        """The modes of a unit-area outline, from the cache when the same shape was solved before."""
        key = np.round(vertices, 12).tobytes()
        if key in self._solves:
            self._solves.move_to_end(key)
            return self._solves[key]
        modes = eigenmodes(vertices, self.n_modes, tolerance=self.tolerance)
        self.solves += 1
        self._solves[key] = modes
        if len(self._solves) > _CACHED_SHAPES:
            self._solves.popitem(last=False)
        return modes

    def _drum(self, drum_id: int) -> _Drum:
        if drum_id in self._drums:
            self._drums.move_to_end(drum_id)
            return self._drums[drum_id]
        shape, rng = drawDrumShape(self.Shape, self.shape_settings, self._takes_rng, self.seed, drum_id)
        size = drawSetting(self.drum_size, rng)
        material = self.membrane.draw(rng)
        drum = self._build(drum_id, shape, size, material)
        self._drums[drum_id] = drum
        if len(self._drums) > _CACHED_SHAPES:
            self._drums.popitem(last=False)
        return drum

    def _build(self, drum_id: int, shape: Shape, size: float, material: dict[str, float]) -> _Drum:
        region = shapeRegion(shape)
        if region is None or not isinstance(region, shapely.Polygon) or not region.area > 0.0:
            raise ValueError(
                f'drum {drum_id}: the {type(shape).__name__} is not a simple polygon or an ellipse with an area; '
                'EigenmodeModel solves polygons (use FDTDModel for other shapes).'
            )
        if len(region.exterior.coords) > 200:  # an ellipse's 1024-gon: ≈ 170 vertices, λ within ≈ 2e-4
            region = region.simplify(1e-4 * math.sqrt(region.area))
        unit = 1.0 / math.sqrt(region.area)
        vertices = np.asarray(region.exterior.coords, dtype=np.float64)[:-1] * unit
        region = shapely.Polygon(vertices)
        modes = self._solve(vertices)
        x_min, y_min, x_max, y_max = shape._boundingBox()
        centre = ((x_min + x_max) / 2.0 * unit, (y_min + y_max) / 2.0 * unit)
        half = max(x_max - x_min, y_max - y_min) / 2.0 * unit
        labels = canonicalLabels(shape, (centre[0] / unit, centre[1] / unit), half / unit)
        centroid = region.centroid
        if region.contains(centroid):
            centre_strike = (float(centroid.x), float(centroid.y))
        else:
            point = shapely.ops.polylabel(region, tolerance=1e-4)  # the point farthest inside
            centre_strike = (float(point.x), float(point.y))
        drum = _Drum(drum_id, vertices, region, size, material, modes, centre, half, centre_strike, centre_strike,
                     labels)  # fmt: skip
        if self.listening_location is not None:
            listening = drum.fromCanonical(self.listening_location)
            if not region.contains(shapely.Point(listening)):
                raise ValueError(
                    f'listening_location {self.listening_location} lies outside drum {drum_id} (a '
                    f'{type(shape).__name__}); give a point inside every drum, in the canonical frame [−1, 1]², or '
                    'None for the centre.'
                )
            drum = _Drum(drum_id, vertices, region, size, material, modes, centre, half, centre_strike, listening,
                         labels)  # fmt: skip
        return drum

    def _randomPoint(self, drum: _Drum, rng: np.random.Generator) -> tuple[float, float]:
        """A point uniformly distributed over those at least max(strike_width/2, 1 % of drum_size) inside the
        boundary (half the distance from the boundary to the centre strike, for a drum thinner than that), in
        unit-area coordinates."""
        margin = max(self.strike_width / 2.0, 0.01 * drum.size) / drum.size
        inner = drum.region.buffer(-margin)
        if inner.is_empty:  # a drum thinner than the strike: within half its inradius instead
            inradius = drum.region.exterior.distance(shapely.Point(drum.centre_strike))
            inner = drum.region.buffer(-0.5 * inradius)
        shapely.prepare(inner)
        x0, y0, x1, y1 = inner.bounds
        for _ in range(_ATTEMPTS):
            x = rng.uniform(x0, x1, 64)
            y = rng.uniform(y0, y1, 64)
            hits = np.flatnonzero(shapely.contains_xy(inner, x, y))
            if hits.size:
                return (float(x[hits[0]]), float(y[hits[0]]))
        raise ValueError(f'drum {drum.drum_id}: found no strike point in {64 * _ATTEMPTS} draws.')

    # --- the sampler contract ---

    def _describe(self, i: int) -> _Item:
        i = checkCount('the item index', i, 0)
        drum = self._drum(i // self.strikes_per_drum)
        first = i % self.strikes_per_drum == 0
        drawn = not first or self.random_listening or self.strike_duration[0] != self.strike_duration[1]
        rng = itemRNG(self.seed, 1, i) if drawn else None
        strike = drum.centre_strike if rng is None or first else self._randomPoint(drum, rng)
        listening = drum.listening
        if rng is not None and self.random_listening:
            listening = self._randomPoint(drum, rng)
        duration = self.strike_duration[0] if rng is None else drawSetting(self.strike_duration, rng)
        return _Item(i, drum, strike, listening, duration)

    def modes(self, i: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Item i's mode frequencies (Hz) and amplitudes (s/m²), each (n_modes,), before the Nyquist cut, with the
        strike's width and the stiffness applied (not the strike's duration nor the decay)."""
        F, A = self._allModes([self._describe(i)])
        return F[0], A[0]

    def _allModes(self, items: Sequence[_Item]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        F = np.empty((len(items), self.n_modes))
        A = np.empty((len(items), self.n_modes))
        for b, item in enumerate(items):
            drum = item.drum
            c, L = drum.material['wave_speed'], drum.size
            omega = c * np.sqrt(drum.modes.eigenvalues) / L
            shapes = drum.modes.at(np.array([item.strike, item.listening]))
            F[b] = omega / (2.0 * np.pi)
            A[b] = shapes[0] * shapes[1] / (L * L * omega)
        wave_speed = np.array([item.drum.material['wave_speed'] for item in items])
        stiffness = np.array([self.membrane.value('stiffness', item.drum.material) for item in items])
        return membraneModes(F, A, wave_speed, stiffness, self.strike_width)

    def _labels(self, item: _Item) -> Labels:
        drawn = self.strike_duration[0] != self.strike_duration[1]
        return shapeItemLabels(item.drum, item.strike, item.listening, self.listening_location,
                               item.duration if drawn else None)  # fmt: skip

    def _render(self, items: Sequence[_Item]) -> npt.NDArray[np.float64]:
        F, A = self._allModes(items)
        durations = np.array([item.duration for item in items])
        return membraneSynthesis(
            F, A, [item.drum.material for item in items], self.membrane, durations, self.length, self.sample_rate,
            self.amplitude,
        )  # fmt: skip
