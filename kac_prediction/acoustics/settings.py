"""What the recording chain may do (`RecordingSettings`, ranges) and what it did to one item (`Recording`, numbers)."""

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._checks import checkChoice, checkCount, checkNumber, isNumber, parseRange
from .colouration import Band
from .noise import NOISE_COLOURS
from .rooms import DEFAULT_DIMENSIONS, DEFAULT_RT60, Room

__all__ = ['Recording', 'RecordingSettings']

Range = tuple[float, float]


def _range(name: str, value: object, minimum: float = -math.inf, inclusive: bool = False) -> Range | None:
    return None if value is None else parseRange(name, value, minimum, inclusive)


@dataclass(frozen=True)
class RecordingSettings:
    """Ranges the chain draws from, each a (min, max) pair or a number (fixed); None disables that effect. Defaults
    are the issue's realistic conditions. Uniform draws unless marked log-uniform.

    sample_rates: Hz, the recording's rate, one drawn with equal chances (None: the input's rate).
    rt60: s, the room's T30 (None: no room). room_dimensions: m, ranges of (Lx, Ly, Lz). wall_margin: m, the least
    distance of source and microphone from a wall. min_distance: m, the least source–microphone distance.
    eq_bands: number of peaking bands; eq_frequency_hz: their centres, log-uniform, at most 0.45 × the recording's
    rate; eq_gain_db: their gains (None: no bands); eq_q: their quality factors.
    lowpass_hz: the microphone's low-pass cutoff, log-uniform, at most 0.45 × the recording's rate (None: none).
    clip_drive_db: soft-clipping drive (`levels.clip`; None, the default: no clipping; (0, 6) is mild).
    delay_ms: leading silence in ms, rounded to whole samples at the recording's rate (None: none).
    snr_db: signal-to-noise ratio in dB over the whole clip (`noise`; None: no noise); noise_colours: drawn with
    equal chances from 'white', 'pink', 'brown'.
    peak_dbfs: the output's peak in dBFS, ≤ 0 (None: the level is left as the chain makes it).
    """

    sample_rates: tuple[int, ...] | None = (44100, 48000)
    rt60: Range | None = DEFAULT_RT60
    room_dimensions: tuple[Range, Range, Range] = DEFAULT_DIMENSIONS
    wall_margin: float = 0.5
    min_distance: float = 0.5
    eq_bands: int = 2
    eq_frequency_hz: Range = (100.0, 8000.0)
    eq_gain_db: Range | None = (-6.0, 6.0)
    eq_q: Range = (0.7, 2.0)
    lowpass_hz: Range | None = (4000.0, 16000.0)
    clip_drive_db: Range | None = None
    delay_ms: Range | None = (0.0, 50.0)
    snr_db: Range | None = (10.0, 40.0)
    noise_colours: tuple[str, ...] = NOISE_COLOURS
    peak_dbfs: Range | None = (-30.0, -1.0)

    def __post_init__(self) -> None:
        values: dict[str, Any] = {}
        rates = self.sample_rates
        if rates is not None:
            if isNumber(rates) or isinstance(rates, str) or not rates:
                raise ValueError(f'sample_rates must be a non-empty tuple of rates in Hz, or None, got {rates!r}.')
            values['sample_rates'] = tuple(checkCount('sample_rates', rate, 1, 'Hz') for rate in rates)
        values['rt60'] = _range('rt60', self.rt60, 0.0)
        sides = self.room_dimensions
        if isNumber(sides) or isinstance(sides, str) or len(sides) != 3:
            raise ValueError(f'room_dimensions must be three ranges (Lx, Ly, Lz) in m, got {sides!r}.')
        values['room_dimensions'] = tuple(parseRange(f'room_dimensions[{i}]', s) for i, s in enumerate(sides))
        values['wall_margin'] = checkNumber('wall_margin', self.wall_margin, 'm', inclusive=True)
        values['min_distance'] = checkNumber('min_distance', self.min_distance, 'm', inclusive=True)
        if any(low <= 2.0 * values['wall_margin'] for low, _ in values['room_dimensions']):
            raise ValueError(f'every room side must exceed 2 · wall_margin, got room_dimensions {sides!r}.')
        values['eq_bands'] = checkCount('eq_bands', self.eq_bands, 0)
        values['eq_frequency_hz'] = parseRange('eq_frequency_hz', self.eq_frequency_hz)
        values['eq_gain_db'] = _range('eq_gain_db', self.eq_gain_db)
        values['eq_q'] = parseRange('eq_q', self.eq_q)
        values['lowpass_hz'] = _range('lowpass_hz', self.lowpass_hz, 0.0)
        values['clip_drive_db'] = _range('clip_drive_db', self.clip_drive_db)
        values['delay_ms'] = _range('delay_ms', self.delay_ms, 0.0, inclusive=True)
        values['snr_db'] = _range('snr_db', self.snr_db)
        colours = self.noise_colours
        if isinstance(colours, str) or not colours:
            raise ValueError(f'noise_colours must be a non-empty tuple of {NOISE_COLOURS}, got {colours!r}.')
        values['noise_colours'] = tuple(checkChoice('noise_colours', c, NOISE_COLOURS) for c in colours)
        values['peak_dbfs'] = _range('peak_dbfs', self.peak_dbfs)
        if values['peak_dbfs'] is not None and values['peak_dbfs'][1] > 0.0:
            raise ValueError(f'peak_dbfs must be ≤ 0 dBFS, got {self.peak_dbfs!r}.')
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @classmethod
    def off(cls, **changes: Any) -> 'RecordingSettings':
        """Every effect disabled (the chain returns its input, as float64), then `changes` applied: e.g.
        `RecordingSettings.off(delay_ms=(0, 50))` delays and does nothing else."""
        none: dict[str, Any] = {
            'sample_rates': None,
            'rt60': None,
            'eq_gain_db': None,
            'lowpass_hz': None,
            'clip_drive_db': None,
            'delay_ms': None,
            'snr_db': None,
            'peak_dbfs': None,
        }
        return cls(**{**none, **changes})

    def toDict(self) -> dict[str, Any]:
        """The settings as plain JSON-serialisable values."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Recording:
    """How one item was recorded: plain numbers, JSON-serialisable with `toDict`, the output's exact recipe.

    sample_rate: Hz, the recording's rate. room: the room, or None. bands: peaking bands. lowpass_hz: Hz or None.
    clip_drive_db: dB or None. delay_samples: leading silence in samples at sample_rate. noise_colour: 'white',
    'pink', 'brown' or None; snr_db: dB over the whole clip, or None. peak_dbfs: the output's peak, or None.
    noise_seed: the seed of the noise's generator (`numpy.random.default_rng(noise_seed)`).
    """

    sample_rate: int
    room: Room | None
    bands: tuple[Band, ...]
    lowpass_hz: float | None
    clip_drive_db: float | None
    delay_samples: int
    noise_colour: str | None
    snr_db: float | None
    peak_dbfs: float | None
    noise_seed: int

    def toDict(self) -> dict[str, Any]:
        """The recording as plain JSON-serialisable values (tuples become lists in JSON)."""
        return dataclasses.asdict(self)

    @classmethod
    def fromDict(cls, values: Mapping[str, Any]) -> 'Recording':
        """The inverse of `toDict` (also after a JSON round trip)."""
        fields = dict(values)
        room = fields.get('room')
        fields['room'] = None if room is None else Room.fromDict(room)
        fields['bands'] = tuple(Band(**band) for band in fields.get('bands', ()))
        return cls(**fields)
