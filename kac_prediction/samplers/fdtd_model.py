"""FDTDModel: a drum of any shape from the geometry module, rendered by the FDTD solver.

Physics conventions: docs/architecture.md, "Physics conventions".

Item i belongs to drum i // strikes_per_drum. The drum's shape, size and membrane values (samplers/membrane.py) are
drawn from `itemRNG(seed, 0, drum)`, the strike, then the listening point (`listening_location='random'`), then the
strike's duration (when a range) from `itemRNG(seed, 1, i)`; the first strike of every drum is at the centre (the
centroid, or the point farthest inside when the centroid is outside). So an item depends only on (settings, i): any
item can be regenerated alone, and batches, workers and shards give bit-identical audio (on the CPU path).
"""

import dataclasses
import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import shapely
import shapely.affinity
import shapely.ops

from .._checks import checkChoice, checkCount, checkNumber, parseRange
from ..geometry import Shape, ShapeLabels
from ..physics import COURANT_LIMIT, fdtdGridSpacing, fdtdSynthesis, lossCoefficients
from .audio_sampler import Labels, SamplerSettings, classLocalsToKwargs, itemRNG
from .item_sampler import ItemSampler
from .membrane import Membrane, drawSetting, parseSetting
from .modal_sampler import Random, SizeRange
from .shapes import (
    canonicalLabels,
    checkShapeSettings,
    drawDrumShape,
    farthestInside,
    parseListening,
    resolveShape,
    shapeItemLabels,
    shapeRegion,
)

__all__ = ['FDTDModel']

_CACHED_DRUMS = 64  # drum geometries kept between calls (masks are rebuilt otherwise)
_ATTEMPTS = 100  # rejection-sampling rounds (of 64 candidates each) for a random strike


@dataclass(frozen=True)
class _Drum:
    """One drum: the shape (in its own units), its size, its grid and its canonical frame."""

    drum_id: int
    shape: Shape
    size: float  # drum_size L = sqrt(area), m
    material: dict[str, float]  # wave_speed (m/s) and the drawn membrane values (Membrane.draw)
    h: float  # grid spacing, m
    scale: float  # m per shape unit
    lower: tuple[float, float]  # shape coordinates of grid node (0, 0): the bounding box's lower corner
    centre: tuple[float, float]  # canonical frame: q = (p − centre) / half
    half: float
    mask: npt.NDArray[np.bool_]  # (nx, ny): nodes strictly inside the shape
    region: Any  # shapely geometry or None
    centre_strike: tuple[float, float]  # shape coordinates of the first strike
    listening: tuple[float, float]  # shape coordinates of the listening point
    labels: ShapeLabels  # the shape's labels in the canonical frame

    def canonical(self, p: Sequence[float]) -> list[float]:
        # + 0.0 turns −0.0 into 0.0
        return [(p[0] - self.centre[0]) / self.half + 0.0, (p[1] - self.centre[1]) / self.half + 0.0]

    def fromCanonical(self, q: Sequence[float]) -> tuple[float, float]:
        return (self.centre[0] + self.half * float(q[0]), self.centre[1] + self.half * float(q[1]))

    def metres(self, p: Sequence[float]) -> tuple[float, float]:
        """Shape coordinates → metres in the mask's frame (node (i, j) at (i·h, j·h))."""
        return ((p[0] - self.lower[0]) * self.scale, (p[1] - self.lower[1]) * self.scale)


@dataclass(frozen=True)
class _Item:
    index: int
    drum: _Drum
    strike: tuple[float, float]  # shape coordinates
    listening: tuple[float, float]  # shape coordinates
    duration: float  # strike_duration, s


class FDTDModel(ItemSampler[_Item]):
    """A membrane of any shape from `kac_prediction.geometry`, rendered by `physics.fdtdSynthesis`
    (docs/architecture.md, "Physics conventions").

    `drum_size` is sqrt(area) in m; the shape is drawn (with the drum's generator) by `arbitrary_shape(**shape_settings,
    rng=...)` and scaled to that area. Locations and vertices are in the shape's canonical normalised frame: its
    bounding box centred on the origin, the larger side spanning [−1, 1]. The first strike of each drum is at the
    centroid (or the point farthest inside, shapely's polylabel, when the centroid is outside); the others are drawn
    uniformly over the points at least strike_width/2 inside the boundary; a 'random' listening point uniformly over
    those at least √2·h inside. Labels: `drum_id` [d], `drum_size` [L], `wave_speed` [c] (m/s), `strike_location`
    [x, y], `sample_location` [x, y] and the shape's labels in the canonical frame (polygons `N`, `vertices`
    [[x, y], …]; circles `r`, ellipses `major`, `minor` as semi-axes; rectangles also `epsilon`); decay_time,
    decay_time_high and strike_duration under their own names when they are ranges.
    """

    h: float | None  # grid spacing, m; None when it differs between drums (drawn wave speed or loss)
    listening_location: tuple[float, float] | None  # canonical frame; None: each drum's centre (or drawn)
    oversampling: int

    class Settings(SamplerSettings, total=False):
        """FDTDModel's settings (all optional but duration and sample_rate)."""

        amplitude: float
        arbitrary_shape: type[Shape] | str
        courant: float
        decay_frequency_high: float
        decay_time: SizeRange
        decay_time_high: SizeRange | None
        device: Literal['cpu', 'cuda']
        drum_size: SizeRange
        listening_location: tuple[float, float] | Random | None
        material_density: SizeRange
        oversampling: int
        seed: int | None
        shape_settings: Mapping[str, Any] | None
        strike_duration: SizeRange
        strike_width: float
        strikes_per_drum: int
        tension: SizeRange

    def __init__(
        self,
        duration: float,
        sample_rate: int,
        amplitude: float = 1.0,
        arbitrary_shape: type[Shape] | str = 'ConvexPolygon',
        courant: float = COURANT_LIMIT,
        decay_frequency_high: float = 1000.0,
        decay_time: SizeRange = 2.0,
        decay_time_high: SizeRange | None = None,
        device: Literal['cpu', 'cuda'] = 'cpu',
        drum_size: SizeRange = 0.3,
        listening_location: tuple[float, float] | Random | None = None,
        material_density: SizeRange = 0.2,
        oversampling: int = 1,
        seed: int | None = None,
        shape_settings: Mapping[str, Any] | None = None,
        strike_duration: SizeRange = 0.0,
        strike_width: float = 0.01,
        strikes_per_drum: int = 5,
        tension: SizeRange = 2000.0,
    ) -> None:
        """amplitude: peak of each waveform. arbitrary_shape: a Shape subclass or its name (recorded by name).
        courant: λ ≤ 1/√2, c·k/h, or c·sqrt(k·(k + 4σ₁))/h with frequency-dependent loss (h follows). decay_time: T60
        in s at 0 Hz (inf: none), decay_time_high: T60 in s at decay_frequency_high Hz (None: frequency-independent),
        each a number or a range drawn per drum. device: 'cpu' or 'cuda'. drum_size: sqrt(area) in m, a number or a
        (min, max) range. listening_location: (x, y) in the canonical frame, default the centre, or 'random' (drawn
        per item). material_density: kg/m², tension: N/m, each a number or a range drawn per drum. oversampling: R ≥
        1 solver steps per sample (the grid refines with it). shape_settings: keyword arguments of the shape's
        constructor. strike_duration: the raised-cosine force pulse in s (0: an impulse), a number or a range drawn
        per item. strike_width: the raised cosine's diameter in m."""
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
        self.decay_time = decay_time
        self.drum_size = parseRange('drum_size', drum_size)
        self.wave_speed: float | None = self.membrane.wave_speed  # None: drawn per drum
        self.strike_width = checkNumber('strike_width', strike_width, 'm, the diameter of the strike')
        self.strike_duration = parseSetting(
            'strike_duration', strike_duration, 's, the force pulse; 0 for an impulse', inclusive=True
        )
        self.strikes_per_drum = checkCount('strikes_per_drum', strikes_per_drum)
        fdtdGridSpacing(1.0, self.sample_rate, oversampling, courant)  # validates both
        self.courant = float(courant)
        loss = self.membrane.loss
        self.h = None
        if self.wave_speed is not None and loss is not None:
            self.h = fdtdGridSpacing(self.wave_speed, self.sample_rate, oversampling, courant, loss)
        self.oversampling = int(oversampling)
        self.device: Literal['cpu', 'cuda'] = checkChoice('device', device, ('cpu', 'cuda'))
        self.random_listening, self.listening_location = parseListening(listening_location)
        self.seed: int = self.__settings__['seed']
        self._drums: OrderedDict[int, _Drum] = OrderedDict()
        self._item: _Item | None = None
        self._drum(0)  # surfaces bad shape settings and listening locations now

    # --- geometry ---

    def _drum(self, drum_id: int) -> _Drum:
        if drum_id in self._drums:
            self._drums.move_to_end(drum_id)
            return self._drums[drum_id]
        shape, rng = drawDrumShape(self.Shape, self.shape_settings, self._takes_rng, self.seed, drum_id)
        size = drawSetting(self.drum_size, rng)
        material = self.membrane.draw(rng)
        drum = self._build(drum_id, shape, size, material, self._spacing(material))
        self._drums[drum_id] = drum
        if len(self._drums) > _CACHED_DRUMS:
            self._drums.popitem(last=False)
        return drum

    def _spacing(self, material: Mapping[str, float]) -> float:
        """The grid spacing of a drum with these membrane values (`fdtdGridSpacing`), m."""
        if self.h is not None:
            return self.h
        decay = material.get('decay_time', self.membrane.decay_time[0])
        high = self.membrane.value('decay_time_high', material)
        loss = float(lossCoefficients(decay, high, self.membrane.decay_frequency_high)[1])
        return fdtdGridSpacing(material['wave_speed'], self.sample_rate, self.oversampling, self.courant, loss)

    def _build(self, drum_id: int, shape: Shape, size: float, material: dict[str, float], h: float) -> _Drum:
        area = shape.area
        if not (area > 0.0 and math.isfinite(area)):
            raise ValueError(f'drum {drum_id}: the {type(shape).__name__} has no area ({area!r}); it cannot sound.')
        scale = size / math.sqrt(area)  # m per shape unit
        x_min, y_min, x_max, y_max = shape._boundingBox()
        step = h / scale  # grid spacing in shape units
        nx = math.floor((x_max - x_min) / step * (1.0 + 1e-12)) + 1
        ny = math.floor((y_max - y_min) / step * (1.0 + 1e-12)) + 1
        X, Y = np.meshgrid(x_min + step * np.arange(nx), y_min + step * np.arange(ny), indexing='ij')
        extent = max(x_max - x_min, y_max - y_min)
        mask = np.asarray(shape._containsPoints(X, Y, -1e-9 * extent), dtype=np.bool_)  # strictly inside
        if not mask.any():
            raise ValueError(
                f'drum {drum_id}: a {type(shape).__name__} of drum_size {size:.4g} m covers no node of the '
                f'{h * 1000:.3g}-mm grid; use a larger drum_size or a higher oversampling.'
            )
        region = shapeRegion(shape)
        centroid = shape.centroid
        if shape.isPointInside(centroid):
            centre_strike = (float(centroid[0]), float(centroid[1]))
        else:
            centre_strike = farthestInside(shape, region, X, Y, mask)
        centre, half = ((x_min + x_max) / 2.0, (y_min + y_max) / 2.0), extent / 2.0
        labels = canonicalLabels(shape, centre, half)
        drum = _Drum(drum_id, shape, size, material, h, scale, (x_min, y_min), centre, half, mask, region,
                     centre_strike, centre_strike, labels)  # fmt: skip
        if self.listening_location is not None:
            listening = drum.fromCanonical(self.listening_location)
            if not shape.isPointInside(listening):
                raise ValueError(
                    f'listening_location {self.listening_location} lies outside drum {drum_id} (a '
                    f'{type(shape).__name__}); give a point inside every drum, in the canonical frame [−1, 1]², or '
                    'None for the centre.'
                )
            drum = dataclasses.replace(drum, listening=listening)
        return drum

    def _randomStrike(self, drum: _Drum, rng: np.random.Generator, listening: bool = False) -> tuple[float, float]:
        """A point uniformly distributed over those at least strike_width/2 inside the boundary (shape units); for
        a `listening` point, at least √2·h inside (its grid cell's four nodes are then inside), or, on a drum too
        thin for any such point, its centre strike (where listening_location None listens)."""
        distance, what = (math.sqrt(2.0) * drum.h, '√2·h') if listening else (self.strike_width / 2.0, 'strike_width/2')
        fix = 'use a larger drum_size' if listening else 'use a smaller strike_width'
        margin = distance / drum.scale
        shape = drum.shape
        if drum.region is not None:
            inner = drum.region.buffer(-margin)
            if inner.is_empty and listening:
                return drum.centre_strike
            if inner.is_empty:
                raise ValueError(
                    f'drum {drum.drum_id}: no point lies {what} = {distance:.4g} m inside the '
                    f'{type(shape).__name__} of drum_size {drum.size:.4g} m; {fix}.'
                )
            shapely.prepare(inner)
            x0, y0, x1, y1 = inner.bounds

            def accept(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
                return np.asarray(shapely.contains_xy(inner, x, y), dtype=np.bool_)
        else:
            x0, y0, x1, y1 = shape._boundingBox()
            angles = np.linspace(0.0, 2.0 * np.pi, 64, endpoint=False)

            def accept(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
                ring_x = x[:, None] + margin * np.cos(angles)
                ring_y = y[:, None] + margin * np.sin(angles)
                inside = shape._containsPoints(ring_x, ring_y, 0.0).all(axis=1)
                return np.asarray(inside & shape._containsPoints(x, y, 0.0), dtype=np.bool_)

        for _ in range(_ATTEMPTS):
            x = rng.uniform(x0, x1, 64)
            y = rng.uniform(y0, y1, 64)
            hits = np.flatnonzero(accept(x, y))
            if hits.size:
                return (float(x[hits[0]]), float(y[hits[0]]))
        if listening:
            return drum.centre_strike
        raise ValueError(
            f'drum {drum.drum_id}: found no point {what} inside the {type(shape).__name__} in {64 * _ATTEMPTS} '
            f'draws; {fix}.'
        )

    def grid(self, i: int) -> dict[str, Any]:
        """Item i's solver inputs: `mask` (nx, ny) bool, `h` (m), `strike` and `listening` (x, y) in m in the mask's
        frame (node (i, j) at (i·h, j·h)), `wave_speed` (m/s), `decay_time` and `decay_time_high` (s, or None),
        `strike_duration` (s) — what `physics.fdtdSynthesis` receives."""
        item = self._describe(i)
        return {
            'mask': item.drum.mask,
            'h': item.drum.h,
            'strike': item.drum.metres(item.strike),
            'listening': item.drum.metres(item.listening),
            'wave_speed': item.drum.material['wave_speed'],
            'decay_time': self.membrane.value('decay_time', item.drum.material),
            'decay_time_high': self.membrane.value('decay_time_high', item.drum.material),
            'strike_duration': item.duration,
        }

    # --- the sampler contract ---

    def _describe(self, i: int) -> _Item:
        i = checkCount('the item index', i, 0)
        drum = self._drum(i // self.strikes_per_drum)
        first = i % self.strikes_per_drum == 0
        drawn = not first or self.random_listening or self.strike_duration[0] != self.strike_duration[1]
        rng = itemRNG(self.seed, 1, i) if drawn else None
        strike = drum.centre_strike if rng is None or first else self._randomStrike(drum, rng)
        listening = drum.listening
        if rng is not None and self.random_listening:
            listening = self._randomStrike(drum, rng, listening=True)
        duration = self.strike_duration[0] if rng is None else drawSetting(self.strike_duration, rng)
        return _Item(i, drum, strike, listening, duration)

    def _labels(self, item: _Item) -> Labels:
        drawn = self.strike_duration[0] != self.strike_duration[1]
        return shapeItemLabels(item.drum, item.strike, item.listening, self.listening_location,
                               item.duration if drawn else None)  # fmt: skip

    def _render(self, items: Sequence[_Item]) -> npt.NDArray[np.float64]:
        membrane = self.membrane

        def perDrum(name: str) -> Any:
            if name not in items[0].drum.material:
                return membrane.value(name, {})
            return np.array([item.drum.material[name] for item in items])

        w = fdtdSynthesis(
            [item.drum.mask for item in items],
            self.h if self.h is not None else np.array([item.drum.h for item in items]),
            perDrum('wave_speed'),
            perDrum('decay_time'),
            self.sample_rate,
            self.length,
            [item.drum.metres(item.strike) for item in items],
            [item.drum.metres(item.listening) for item in items],
            self.strike_width,
            self.oversampling,
            device=self.device,
            decay_time_high=perDrum('decay_time_high'),
            decay_frequency_high=membrane.decay_frequency_high,
            strike_duration=np.array([item.duration for item in items]) if self.strike_duration[1] > 0.0 else 0.0,
        )
        maxima = np.max(np.abs(w), axis=1, keepdims=True)
        w *= np.divide(self.amplitude, maxima, out=np.zeros_like(maxima), where=maxima > 0.0)
        return w
