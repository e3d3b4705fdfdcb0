"""A drum to orchestrate with: its geometry, membrane and damping, its modes at a strike and pickup, its sound.

    drum = Drum('circle', drum_size=0.4, wave_speed=100.0, decay_time=2.0)
    drum.fundamental                              # Hz, c·z₀₁/(π·L) for a circle
    F, A = drum.modes(strike=(0.3, 0.0))          # Hz and s/m², ascending in frequency
    waveform = renderDrum(drum, strike=(0.3, 0.0), duration=1.0, sample_rate=48000)

Families and their geometry (docs/architecture.md, "Physics conventions"): 'circle' (drum_size = the diameter),
'rectangle' (drum_size = sqrt(area), aspect_ratio ε = Lx/Ly), 'polygon' (drum_size = sqrt(area) and `shape`, the
outline scaled to unit area about its farthest-inside point, so one eigen-solve serves every size: λ_k = λ̂_k / L²).

Strike and pickup points are given the same way for every family, as relative polar coordinates (ρ, θ) about the
drum's centre (the circle's centre, the rectangle's, the polygon's farthest-inside point): θ in radians from the x
axis, ρ in [0, 1) the fraction of the way from the centre to the boundary along that direction. For a circle this
is the usual polar (r, θ) in units of the radius.
"""

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import shapely
import shapely.ops
from scipy import special

from .._checks import checkChoice, checkNumber
from ..physics import (
    circularAmplitudes,
    circularFrequencies,
    circularSeries,
    eigenmodes,
    modalSynthesis,
    rectangularAmplitudes,
    rectangularFrequencies,
    stiffModes,
)

__all__ = ['DRUM_FAMILIES', 'Drum', 'Point', 'partialsInCents', 'pointOnDrum', 'renderDrum', 'unitShape']

Family = Literal['circle', 'rectangle', 'polygon']
DRUM_FAMILIES: tuple[str, ...] = ('circle', 'rectangle', 'polygon')
Point = tuple[float, float]  # relative polar (ρ, θ): the module docstring
_CIRCLE_MODES = 12  # N = M: 144 modes, the lowest 8 partials of any strike well inside
_RECTANGLE_MODES = 12
_POLYGON_MODES = 60
_SUMMARY_KEYS = frozenset({'fundamental', 'partials', 'partials_cents', 'tuning_error_cents', 'outline', 'wav'})
"""Keys that kit and match files write beside a drum's settings (orchestrate/design.py, `drumSummary`)."""


def _shapeTuple(vertices: npt.ArrayLike) -> tuple[tuple[float, float], ...]:
    V = np.asarray(vertices, dtype=np.float64)
    return tuple((float(x), float(y)) for x, y in V)


def unitShape(outline: npt.ArrayLike) -> tuple[tuple[tuple[float, float], ...], float]:
    """(shape, drum_size): an outline ((n, 2), any unit, counter-clockwise or not) as vertices scaled to unit area about
    its farthest-inside point (the origin), and its sqrt(area) in the outline's unit. ValueError for anything that is
    not a simple polygon with an area."""
    V = np.asarray(outline, dtype=np.float64)
    if V.ndim != 2 or V.shape[1] != 2 or V.shape[0] < 3 or not np.all(np.isfinite(V)):
        raise ValueError(f'an outline must be finite (x, y) vertices of shape (n, 2) with n ≥ 3, got shape {V.shape}.')
    region = shapely.Polygon(V)
    if not (region.is_valid and region.area > 0.0):
        raise ValueError('the outline must be a simple polygon with a positive area (no edge crossing another).')
    size = math.sqrt(region.area)
    x_min, y_min, x_max, y_max = region.bounds
    centre = shapely.ops.polylabel(region, tolerance=1e-4 * max(x_max - x_min, y_max - y_min))
    if not region.exterior.is_ccw:
        V = V[::-1]
    return _shapeTuple((V - np.array([centre.x, centre.y])) / size), size


@functools.lru_cache(maxsize=64)
def _unitModes(shape: tuple[tuple[float, float], ...], n_modes: int) -> Any:
    """The eigenmodes of a unit-area shape (cached: one solve per shape, whatever the size)."""
    return eigenmodes(np.array(shape), n_modes, tolerance=1e-3)


@dataclass(frozen=True)
class Drum:
    """A drum. family: 'circle', 'rectangle' or 'polygon'. drum_size (m): the circle's diameter, else sqrt(area).
    aspect_ratio ε = Lx/Ly of a rectangle (> 0; 1 otherwise). shape: a polygon's outline at unit area about its
    farthest-inside point ((n, 2) vertices; `Drum.fromOutline` makes one from an outline in m). wave_speed c (m/s).
    decay_time: T60 (s) at 0 Hz, inf for none; decay_time_high: T60 (s) at decay_frequency_high (Hz), None for a
    frequency-independent decay (physics.lossCoefficients); stiffness κ (m²/s, physics.stiffModes). name: a label
    (e.g. the note it was designed for)."""

    family: Family
    drum_size: float
    wave_speed: float = 100.0
    aspect_ratio: float = 1.0
    shape: tuple[tuple[float, float], ...] = field(default=(), repr=False)
    decay_time: float = 2.0
    decay_time_high: float | None = None
    decay_frequency_high: float = 1000.0
    stiffness: float = 0.0
    name: str = ''

    def __post_init__(self) -> None:
        checkChoice('family', self.family, DRUM_FAMILIES)
        set_ = functools.partial(object.__setattr__, self)
        set_('drum_size', checkNumber('drum_size', self.drum_size, 'm'))
        set_('wave_speed', checkNumber('wave_speed', self.wave_speed, 'm/s'))
        set_('aspect_ratio', checkNumber('aspect_ratio', self.aspect_ratio, 'Lx/Ly'))
        if self.decay_time != math.inf:
            set_('decay_time', checkNumber('decay_time', self.decay_time, 's, the T60 at 0 Hz; inf for none'))
        if self.decay_time_high is not None:
            high = checkNumber('decay_time_high', self.decay_time_high, 's')
            if high > self.decay_time:
                raise ValueError(
                    f'decay_time_high ({high:g} s) must not exceed decay_time ({self.decay_time:g} s): losses grow '
                    'with frequency.'
                )
            set_('decay_time_high', high)
        set_('decay_frequency_high', checkNumber('decay_frequency_high', self.decay_frequency_high, 'Hz'))
        set_('stiffness', checkNumber('stiffness', self.stiffness, 'm²/s', inclusive=True))
        if self.family == 'polygon':
            if len(self.shape) < 3:
                raise ValueError("a 'polygon' drum needs its shape: build it with Drum.fromOutline(outline, ...).")
            _, area_size = unitShape(self.shape)
            if abs(area_size - 1.0) > 1e-6:
                raise ValueError('shape must have unit area; build the drum with Drum.fromOutline(outline, ...).')
            set_('shape', _shapeTuple(self.shape))
        elif self.shape:
            raise ValueError(
                f'only a polygon drum has a shape; a {self.family} is given by drum_size and aspect_ratio.'
            )
        if self.family != 'rectangle' and self.aspect_ratio != 1.0:
            raise ValueError(f'only a rectangle has an aspect_ratio, got {self.aspect_ratio:g} for a {self.family}.')

    @classmethod
    def fromOutline(cls, outline: npt.ArrayLike, **settings: Any) -> 'Drum':
        """A polygon drum of this outline ((n, 2) vertices in m): drum_size = sqrt(area), shape at unit area."""
        shape, size = unitShape(outline)
        return cls('polygon', size, shape=shape, **settings)

    @property
    def outline(self) -> npt.NDArray[np.float64]:
        """The drum's outline in m about its centre, float64 (n, 2): the circle as a 256-gon, the rectangle's corners,
        the polygon's vertices."""
        L = self.drum_size
        if self.family == 'circle':
            angles = np.linspace(0.0, 2.0 * np.pi, 256, endpoint=False)
            return 0.5 * L * np.stack([np.cos(angles), np.sin(angles)], axis=1)
        if self.family == 'rectangle':
            x, y = 0.5 * L * math.sqrt(self.aspect_ratio), 0.5 * L / math.sqrt(self.aspect_ratio)
            return np.array([[-x, -y], [x, -y], [x, y], [-x, y]])
        return L * np.array(self.shape)

    def scaled(self, drum_size: float) -> 'Drum':
        """The same drum at another size (m)."""
        return replace(self, drum_size=drum_size)

    def _idealModes(self, strike: Point, pickup: Point) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        L, c = self.drum_size, self.wave_speed
        if self.family == 'circle':
            N = _CIRCLE_MODES
            F = circularFrequencies(N, N, L, c)
            A = circularAmplitudes(strike, pickup, N, N, L, c)  # relative polar is polar here
        elif self.family == 'rectangle':
            N, eps = _RECTANGLE_MODES, self.aspect_ratio
            F = rectangularFrequencies(N, N, L, eps, c)
            A = rectangularAmplitudes(_unitSquare(strike, eps), _unitSquare(pickup, eps), N, N, L, eps, c)
        else:
            modes = _unitModes(self.shape, _POLYGON_MODES)
            F = c * np.sqrt(modes.eigenvalues) / (2.0 * np.pi * L)
            phi = modes.at(np.array([pointOnDrum(self.shape, strike), pointOnDrum(self.shape, pickup)]))
            A = phi[0] * phi[1] / (2.0 * np.pi * F * L**2)  # φ(x) = φ̂(x/L)/L on the drum of size L
        return np.ravel(F), np.ravel(A)

    def modeFactors(
        self, strikes: Sequence[Point], pickups: Sequence[Point]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The modes' amplitudes at many strikes and pickups at once, as factors: (F (K,) in Hz ascending, S (Ps, K),
        P (Po, K), scale (K,)), the amplitude of mode k struck at strikes[i] and heard at pickups[j] being
        S[i, k]·P[j, k]·scale[k], as `modes` gives it before stiffening. A circle's strikes must lie on θ = 0 (its
        cosine and sine modes combine into one that depends on θ_pickup − θ_strike); points are not checked."""
        L, c = self.drum_size, self.wave_speed
        if self.family == 'circle':
            z = circularSeries(_CIRCLE_MODES, _CIRCLE_MODES)
            n = np.arange(_CIRCLE_MODES, dtype=np.float64)[:, None]
            a = L / 2.0
            omega = z * c / a
            area = np.pi * a**2
            norm = np.where(n == 0, area * special.jv(1, z) ** 2, 0.5 * area * special.jv(n + 1, z) ** 2)
            S = np.stack([special.jv(n, z * rho).ravel() for rho, _ in strikes])
            P = np.stack([(special.jv(n, z * rho) * np.cos(n * theta)).ravel() for rho, theta in pickups])
            F, scale = (omega / (2.0 * np.pi)).ravel(), (1.0 / (omega * norm)).ravel()
        elif self.family == 'rectangle':
            eps = self.aspect_ratio
            m = np.arange(1, _RECTANGLE_MODES + 1, dtype=np.float64)
            n = np.arange(1, _RECTANGLE_MODES + 1, dtype=np.float64)[:, None]

            def phi(point: Point) -> npt.NDArray[np.float64]:
                x, y = _unitSquare(point, eps)
                return np.asarray((np.sin(m * np.pi * x) * np.sin(n * np.pi * y)).ravel())

            F = rectangularFrequencies(_RECTANGLE_MODES, _RECTANGLE_MODES, L, eps, c).ravel()
            S, P = np.stack([phi(p) for p in strikes]), np.stack([phi(p) for p in pickups])
            scale = 1.0 / (2.0 * np.pi * F * L**2 / 4.0)
        else:
            modes = _unitModes(self.shape, _POLYGON_MODES)
            F = c * np.sqrt(modes.eigenvalues) / (2.0 * np.pi * L)
            values = modes.at(np.array([pointOnDrum(self.shape, p) for p in [*strikes, *pickups]]))
            S, P = values[: len(strikes)], values[len(strikes) :]
            scale = 1.0 / (2.0 * np.pi * F * L**2)  # φ(x) = φ̂(x/L)/L on the drum of size L
        order = np.argsort(F, kind='stable')
        return F[order], S[:, order], P[:, order], scale[order]

    def modes(
        self, strike: Point = (0.0, 0.0), pickup: Point = (0.5, 0.0)
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Mode frequencies (Hz, ascending) and amplitudes (s/m², φ(strike)·φ(pickup)/(ω‖φ‖²), stiffened) of the
        drum struck at `strike` and heard at `pickup` (relative polar points, the module docstring); float64 (K,)."""
        F, A = self._idealModes(_point('strike', strike), _point('pickup', pickup))
        if self.stiffness > 0.0:
            F, A = stiffModes(F, A, np.float64(self.wave_speed), self.stiffness)
        order = np.argsort(F, kind='stable')
        return F[order], A[order]

    @property
    def fundamental(self) -> float:
        """The lowest mode's frequency f₁ in Hz (stiffened)."""
        return float(self.modes()[0][0])

    def partials(self, count: int = 8, strike: Point | None = None) -> npt.NDArray[np.float64]:
        """The `count` lowest distinct mode frequencies (Hz) of the drum (coinciding modes, within 0.01 cent, count
        once); with a strike, only the modes it excites (|amplitude| ≥ 1e-6 of the largest, heard at the strike point
        itself so that no pickup's nodal lines hide a mode)."""
        F, A = self.modes(strike, strike) if strike is not None else self.modes()
        if strike is not None:
            F = F[np.abs(A) >= 1e-6 * np.max(np.abs(A))]
        distinct = F[np.concatenate([[True], np.diff(1200.0 * np.log2(F)) > 0.01])]
        return np.asarray(distinct[:count], dtype=np.float64)

    def toDict(self) -> dict[str, Any]:
        """JSON-ready settings (`Drum.fromDict` reads them back): a polygon as its unit-area `shape` and drum_size."""
        values = asdict(self)
        values['shape'] = [list(p) for p in self.shape]
        if self.decay_time == math.inf:
            values['decay_time'] = None  # JSON has no inf: None is no decay
        return values

    @classmethod
    def fromDict(cls, values: Mapping[str, Any]) -> 'Drum':
        """The drum `toDict` (or a kit / match JSON file's 'drum') describes, ignoring the summary keys a kit file
        adds (fundamental, partials, …); ValueError naming an unknown key."""
        known = {name for name in cls.__dataclass_fields__}
        unknown = sorted(set(values) - known - _SUMMARY_KEYS)
        if unknown:
            raise ValueError(f'unknown drum setting(s) {unknown}: a drum has {sorted(known)}.')
        settings = {key: value for key, value in values.items() if key in known}
        if 'shape' in settings:
            settings['shape'] = _shapeTuple(settings['shape']) if settings['shape'] else ()
        if 'decay_time' in settings and settings['decay_time'] is None:
            settings['decay_time'] = math.inf
        return cls(**settings)


def _point(name: str, point: Sequence[float]) -> Point:
    try:
        rho, theta = (float(v) for v in point)
    except (TypeError, ValueError):
        raise ValueError(f'{name} must be a relative polar point (ρ, θ), got {point!r}.') from None
    if not (0.0 <= rho < 1.0 and math.isfinite(theta)):
        raise ValueError(
            f'{name} {point!r} is not on the drum: ρ must lie in [0, 1) (the fraction of the way from the centre to '
            'the edge) and θ be finite (radians).'
        )
    return rho, theta


def _unitSquare(point: Point, aspect_ratio: float) -> tuple[float, float]:
    """A relative polar point on a rectangle of aspect ratio ε as (x/Lx, y/Ly) in the unit square."""
    rho, theta = point
    half_x, half_y = 0.5 * math.sqrt(aspect_ratio), 0.5 / math.sqrt(aspect_ratio)
    dx, dy = math.cos(theta), math.sin(theta)
    reach = min(half_x / abs(dx) if dx else math.inf, half_y / abs(dy) if dy else math.inf)
    x, y = rho * reach * dx, rho * reach * dy
    return 0.5 + x / (2.0 * half_x), 0.5 + y / (2.0 * half_y)


def pointOnDrum(shape: npt.ArrayLike, point: Point) -> tuple[float, float]:
    """The Cartesian point of a relative polar point (ρ, θ) on a polygon `shape` whose centre is the origin: ρ of the
    way along the ray at angle θ to its first crossing of the boundary."""
    rho, theta = point
    vertices = np.asarray(shape, dtype=np.float64)
    region = shapely.Polygon(vertices)
    far = 4.0 * float(np.max(np.hypot(vertices[:, 0], vertices[:, 1])))
    ray = shapely.LineString([(0.0, 0.0), (far * math.cos(theta), far * math.sin(theta))])
    hits = region.exterior.intersection(ray)
    points = [(g.x, g.y) for g in getattr(hits, 'geoms', [hits]) if isinstance(g, shapely.Point)]
    if not points:
        coordinates = np.asarray(shapely.get_coordinates(hits))
        points = [(float(x), float(y)) for x, y in coordinates]
    reach = min(math.hypot(x, y) for x, y in points)
    return rho * reach * math.cos(theta), rho * reach * math.sin(theta)


def partialsInCents(partials: npt.ArrayLike) -> list[float]:
    """Each partial's interval above the first in cents, 1200·log₂(f_k / f₁)."""
    F = np.asarray(partials, dtype=np.float64)
    return [float(v) for v in 1200.0 * np.log2(F / F[0])]


def renderDrum(
    drum: Drum,
    strike: Point = (0.0, 0.0),
    pickup: Point = (0.5, 0.0),
    duration: float = 1.0,
    sample_rate: int = 48000,
    strike_duration: float = 0.0,
    amplitude: float = 1.0,
) -> npt.NDArray[np.float64]:
    """The drum struck at `strike` and heard at `pickup` (relative polar points) for `duration` s at `sample_rate`
    Hz, by modal synthesis (physics.modalSynthesis) with its decay: float64 (ceil(duration·sample_rate),), peak
    `amplitude`. strike_duration: the force pulse in s (0: an impulse)."""
    F, A = drum.modes(strike, pickup)
    length = math.ceil(checkNumber('duration', duration, 's') * sample_rate - 1e-9)
    waveform = modalSynthesis(
        F[None], A[None], length, sample_rate, drum.decay_time, amplitude, drum.decay_time_high,
        drum.decay_frequency_high, strike_duration,
    )  # fmt: skip
    return np.asarray(waveform[0], dtype=np.float64)
