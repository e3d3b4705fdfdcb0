"""Shoebox rooms and their impulse responses (pyroomacoustics' image-source method, calibrated to a target T30).

A `Room` is a box [0, Lx] × [0, Ly] × [0, Lz] (m) with an omnidirectional source and microphone inside, every wall
of the same frequency-independent energy absorption α, and a target reverberation time `rt60` (s). Its impulse
response (`simulateRoom`, `roomImpulseResponse`):

- is the image-source response of pyroomacoustics (fractional-delay sinc per image, its 10-Hz zero-phase high-pass),
  with every image that arrives within `rt60` seconds of the direct sound (max_order chosen so) and nothing later;
- starts at the direct sound: the propagation time is removed (the sample nearest the direct arrival is index 0; the
  precursor lobes of its fractional-delay filter, less than a sample early, are dropped) and scaled so the direct
  sound has unit gain (pyroomacoustics gives it 1 / distance);
- has T30 within 2 % of `rt60` (5 % in rare rooms where T30 jumps with α: `_search`), where T30 is
  `reverberation.decayTime` of h² over its first rt60 seconds (Schroeder curve, line between −5 and −35 dB,
  extrapolated to −60 dB). Sabine's formula (pyroomacoustics.inverse_sabine) misses that by −34 % to +124 % in rooms
  of the default ranges, because an image-source decay is not exponential; so α is calibrated: first on the energies
  of the images, (1 − α)^order / distance², summed in 1-ms bins, then by a bracketing search on the T30 of the
  response itself (usually one or two builds). T20 is shorter than T30 in long narrow rooms (a bent decay), down to
  0.75 · rt60.

The images are computed once per room; only their damping changes between builds. pyroomacoustics runs on one thread
here (its multithreaded sums differ in the last bits), so a room's response is the same on every machine.
"""

import contextlib
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from .._checks import checkCount, checkNumber, isNumber, parseRange
from ._signal import checkSampleRate
from .reverberation import decayTime

__all__ = [
    'DEFAULT_DIMENSIONS',
    'DEFAULT_RT60',
    'SPEED_OF_SOUND',
    'Room',
    'RoomSimulation',
    'drawRoom',
    'roomImpulseResponse',
    'simulateRoom',
]

SPEED_OF_SOUND = 343.0  # m/s, pyroomacoustics' default
DEFAULT_RT60 = (0.2, 0.8)
DEFAULT_DIMENSIONS = ((3.0, 10.0), (3.0, 8.0), (2.4, 4.0))
_ABSORPTION = (1e-4, 0.999)  # the energy absorption α searched for
_TOLERANCE = 0.02  # the search stops when |ln(T30 / rt60)| is below this
_ACCEPTED = 0.05  # and fails when it ends above this (T30 jumps over the target: `_search`)
_MAX_BUILDS = 8
_BIN = 1e-3  # s, the energy histogram of the first calibration


def _point(name: str, value: object) -> tuple[float, float, float]:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        array = np.zeros(0)
    if array.shape != (3,) or not np.all(np.isfinite(array)):
        raise ValueError(f'{name} must be three finite numbers (x, y, z) in m, got {value!r}.')
    return (float(array[0]), float(array[1]), float(array[2]))


@dataclass(frozen=True)
class Room:
    """A shoebox room. dimensions: (Lx, Ly, Lz) in m; source, microphone: (x, y, z) in m, strictly inside; rt60: the
    target T30 in s; bank_index: the room's index in a `RoomBank`, or None."""

    dimensions: tuple[float, float, float]
    source: tuple[float, float, float]
    microphone: tuple[float, float, float]
    rt60: float
    bank_index: int | None = None

    def __post_init__(self) -> None:
        dimensions = _point('dimensions', self.dimensions)
        if min(dimensions) <= 0.0:
            raise ValueError(f'dimensions must be > 0 (m), got {self.dimensions!r}.')
        object.__setattr__(self, 'dimensions', dimensions)
        for name in ('source', 'microphone'):
            point = _point(name, getattr(self, name))
            if not all(0.0 < p < d for p, d in zip(point, dimensions, strict=True)):
                raise ValueError(f'{name} must lie strictly inside the room {dimensions} (m), got {point!r}.')
            object.__setattr__(self, name, point)
        if self.source == self.microphone:
            raise ValueError(f'source and microphone must differ, both are {self.source!r}.')
        object.__setattr__(self, 'rt60', checkNumber('rt60', self.rt60, 's'))
        if self.bank_index is not None:
            object.__setattr__(self, 'bank_index', checkCount('bank_index', self.bank_index, 0))

    @classmethod
    def fromDict(cls, values: Mapping[str, Any]) -> 'Room':
        """The room that `dataclasses.asdict(room)` describes (also after a JSON round trip)."""
        return cls(
            tuple(values['dimensions']),
            tuple(values['source']),
            tuple(values['microphone']),
            values['rt60'],
            values.get('bank_index'),
        )

    @property
    def distance(self) -> float:
        """Source–microphone distance in m."""
        return math.dist(self.source, self.microphone)


def drawRoom(
    rng: np.random.Generator,
    rt60: tuple[float, float] | float = DEFAULT_RT60,
    dimensions: Sequence[tuple[float, float] | float] = DEFAULT_DIMENSIONS,
    wall_margin: float = 0.5,
    min_distance: float = 0.5,
) -> Room:
    """A random room: rt60 (s) uniform in its range; each side (m) uniform in its range of `dimensions`; source and
    microphone uniform in the box `wall_margin` (m) inside the walls, redrawn (up to 1000 times) until they are at
    least `min_distance` (m) apart. Ranges are (min, max) pairs or numbers (fixed)."""
    low, high = parseRange('rt60', rt60)
    if isNumber(dimensions) or len(dimensions) != 3:
        raise ValueError(f'dimensions must be three ranges (Lx, Ly, Lz) in m, got {dimensions!r}.')
    sides = [parseRange(f'dimensions[{i}]', side) for i, side in enumerate(dimensions)]
    margin = checkNumber('wall_margin', wall_margin, 'm', inclusive=True)
    apart = checkNumber('min_distance', min_distance, 'm', inclusive=True)
    if any(side[0] <= 2.0 * margin for side in sides):
        raise ValueError(f'every side must exceed 2 · wall_margin = {2.0 * margin:g} m, got dimensions {dimensions!r}.')
    target = float(rng.uniform(low, high))
    size = np.array([rng.uniform(*side) for side in sides])
    for _ in range(1000):
        source, microphone = rng.uniform(margin, size - margin), rng.uniform(margin, size - margin)
        if math.dist(source, microphone) >= max(apart, 1e-6):
            return Room(tuple(size), tuple(source), tuple(microphone), target)
    raise ValueError(f'no source and microphone {apart:g} m apart fit in a room of {size.tolist()} m.')


class RoomSimulation(NamedTuple):
    """impulse_response: (n,) float64 (see the module); absorption: the calibrated energy absorption α of every wall;
    max_order: the image-source order; t30: the response's T30 in s."""

    impulse_response: npt.NDArray[np.float64]
    absorption: float
    max_order: int
    t30: float


@contextlib.contextmanager
def _oneThread(pra: Any) -> Iterator[None]:
    previous = pra.constants.get('num_threads')
    pra.constants.set('num_threads', 1)
    try:
        yield
    finally:
        pra.constants.set('num_threads', previous)


def _eyring(sides: npt.NDArray[np.float64], target: float) -> float:
    """β = −ln(1 − α) of Eyring's formula, T60 = 24 ln 10 · V / (c S β): the first guess."""
    volume = float(np.prod(sides))
    surface = 2.0 * float(sides[0] * sides[1] + sides[1] * sides[2] + sides[0] * sides[2])
    return 24.0 * math.log(10.0) * volume / (SPEED_OF_SOUND * surface * target)


def _search(miss: Callable[[float], float], start: float, bounds: tuple[float, float], evaluations: int) -> float:
    """The x in `bounds` (x = ln β) at which miss(x) = ln(T30 / rt60), decreasing in x, is nearest 0, within
    `_TOLERANCE` if found in `evaluations` calls: steps of slope −1 (T30 ∝ 1 / β for an exponential decay) until the
    root is bracketed, then the Illinois variant of false position (bisection when that lands near an end). T30 can
    jump with β, when the −5 dB point of the Schroeder curve moves past a strong early reflection: the search then
    ends at the jump, on its side nearer the target."""
    low: tuple[float, float] | None = None  # (x, miss > 0): too reverberant, x must grow
    high: tuple[float, float] | None = None  # (x, miss < 0)
    best, x, side = (math.inf, start), start, 0
    for _ in range(evaluations):
        m = miss(x)
        best = min(best, (abs(m), x))
        if abs(m) < _TOLERANCE:
            break
        if m > 0.0 and (low is None or x > low[0]):
            if side > 0 and high is not None:
                high = (high[0], 0.5 * high[1])
            low, side = (x, m), 1
        elif m < 0.0 and (high is None or x < high[0]):
            if side < 0 and low is not None:
                low = (low[0], 0.5 * low[1])
            high, side = (x, m), -1
        if low is not None and high is not None:
            width = high[0] - low[0]
            x = low[0] - low[1] * width / (high[1] - low[1])
            if not low[0] + 0.02 * width < x < high[0] - 0.02 * width:
                x = low[0] + 0.5 * width
        else:
            x = min(max(x + max(min(m, math.log(3.0)), -math.log(3.0)), bounds[0]), bounds[1])
            if (m > 0.0 and x == bounds[1]) or (m < 0.0 and x == bounds[0]):
                break  # the target is out of reach
    return best[1]


def _energyCalibration(
    distances: npt.NDArray[np.float64],
    orders: npt.NDArray[np.int64],
    direct: float,
    target: float,
    start: float,
    bounds: tuple[float, float],
) -> float:
    """ln β at which the images' energy histogram, Σ e^(−β·order) / distance² in 1-ms bins over the first `target`
    s after the direct sound, has T30 nearest `target` (`_search` from ln β = start)."""
    delay = (distances - direct) / SPEED_OF_SOUND
    keep = delay < target
    bins = math.ceil(target / _BIN)
    rows = int(orders.max()) + 1
    index = orders[keep] * bins + np.minimum((delay[keep] / _BIN).astype(np.int64), bins - 1)
    table = np.bincount(index, weights=distances[keep] ** -2.0, minlength=rows * bins).reshape(rows, bins)
    order = np.arange(rows)

    def miss(x: float) -> float:
        return math.log(max(decayTime(np.exp(-math.exp(x) * order) @ table, _BIN), 1e-9) / target)

    return _search(miss, start, bounds, 30)


def _pyroomacoustics() -> Any:
    import pyroomacoustics  # ≈ 1 s to import: only when a room is simulated

    return pyroomacoustics


def simulateRoom(room: Room, sample_rate: int, duration: float | None = None) -> RoomSimulation:
    """The room's impulse response at `sample_rate` (Hz) and how it was made. The response has ceil(duration ·
    sample_rate) samples (duration in s, default room.rt60): the response to rt60 s after the direct sound, zero after
    it, cut if duration is shorter. ValueError if no absorption in [0.0001, 0.999] brings T30 within 5 % of rt60."""
    if not isinstance(room, Room):
        raise ValueError(f'room must be a Room, got {type(room).__name__}.')
    rate = checkSampleRate('sample_rate', sample_rate)
    length = math.ceil(checkNumber('duration', room.rt60 if duration is None else duration, 's') * rate - 1e-9)
    pra = _pyroomacoustics()
    sides, microphone = np.array(room.dimensions), np.array(room.microphone)
    direct, target = room.distance, room.rt60
    max_order = math.ceil((direct + SPEED_OF_SOUND * target) * float(np.linalg.norm(1.0 / sides))) + 3
    arrival = round(direct / SPEED_OF_SOUND * rate + pra.constants.get('frac_delay_length') // 2)
    covered = math.ceil(target * rate - 1e-9)
    with _oneThread(pra):
        shoebox = pra.ShoeBox(
            sides, fs=rate, materials=pra.Material(0.5), max_order=max_order, air_absorption=False, use_rand_ism=False
        )
        shoebox.add_source(np.array(room.source))
        shoebox.add_microphone(microphone)
        shoebox.image_source_model()
        images = shoebox.sources[0]
        orders = np.asarray(images.orders, dtype=np.int64)
        if not (
            np.all(shoebox.visibility[0]) and np.allclose(images.damping, 0.5 ** (orders / 2.0), rtol=1e-5, atol=0.0)
        ):
            raise RuntimeError('pyroomacoustics changed how it damps images; the calibration in rooms.py needs review.')
        distances = np.linalg.norm(np.asarray(images.images, dtype=np.float64) - microphone[:, None], axis=0)

        def build(beta: float) -> tuple[npt.NDArray[np.float64], float]:
            images.damping = np.exp(-0.5 * beta * orders)[None, :].astype(np.float32)
            shoebox.compute_rir()
            response = np.zeros(covered)
            part = np.asarray(shoebox.rir[0][0], dtype=np.float64)[arrival : arrival + covered]
            response[: part.size] = part * direct
            return response, decayTime(response**2, 1.0 / rate)

        bounds = (math.log(-math.log1p(-_ABSORPTION[0])), math.log(-math.log1p(-_ABSORPTION[1])))
        eyring = min(max(math.log(_eyring(sides, target)), bounds[0]), bounds[1])
        built: dict[float, tuple[float, npt.NDArray[np.float64], float]] = {}  # ln β: (ln(T30 / rt60), h, T30)

        def miss(x: float) -> float:
            response, t30 = build(math.exp(x))
            built[x] = (math.log(max(t30, 1e-9) / target), response, t30)
            return built[x][0]

        guess = _energyCalibration(distances, orders, direct, target, eyring, bounds)
        log_beta = _search(miss, guess, bounds, _MAX_BUILDS)
    error, response, t30 = built[log_beta]
    if abs(error) >= _ACCEPTED:
        raise ValueError(f'rt60 = {target:g} s is out of reach in this room (T30 {t30:.3g} s at best): {room!r}.')
    absorption = -math.expm1(-math.exp(log_beta))
    out = np.zeros(length)
    out[: min(length, covered)] = response[:length]
    return RoomSimulation(out, absorption, max_order, t30)


def roomImpulseResponse(room: Room, sample_rate: int, duration: float | None = None) -> npt.NDArray[np.float64]:
    """`simulateRoom(room, sample_rate, duration).impulse_response`: (ceil(duration · sample_rate),) float64, direct
    sound at index 0 with unit gain, T30 within 2 % of room.rt60 (rarely 5 %: `simulateRoom`)."""
    return simulateRoom(room, sample_rate, duration).impulse_response
