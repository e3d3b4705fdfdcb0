"""Drawing a `Recording` from `RecordingSettings`."""

import math

import numpy as np

from ._signal import checkSampleRate
from .bank import RoomBank
from .colouration import Band
from .rooms import drawRoom
from .settings import Recording, RecordingSettings

__all__ = ['drawRecording']

_NYQUIST_SHARE = 0.45  # drawn centre and cutoff frequencies stay below 0.45 × the recording's rate


def _logUniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(math.exp(rng.uniform(math.log(low), math.log(high))))


def drawRecording(
    settings: RecordingSettings, rng: np.random.Generator, sample_rate: int, bank: RoomBank | None = None
) -> Recording:
    """A `Recording` drawn from `settings` (ranges: `RecordingSettings`). sample_rate: the input's rate in Hz (the
    recording's when settings.sample_rates is None). bank: rooms are then drawn from it (uniformly, its own ranges)
    instead of simulated anew. Each effect draws from its own child of `rng` (`Generator.spawn`), so disabling one
    effect leaves the others' draws unchanged."""
    if not isinstance(settings, RecordingSettings):
        raise ValueError(f'settings must be RecordingSettings, got {type(settings).__name__}.')
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f'rng must be a numpy.random.Generator, got {type(rng).__name__}.')
    if bank is not None and not isinstance(bank, RoomBank):
        raise ValueError(f'bank must be a RoomBank or None, got {type(bank).__name__}.')
    rate_rng, room_rng, eq_rng, lowpass_rng, clip_rng, delay_rng, noise_rng, gain_rng = rng.spawn(8)
    rate = checkSampleRate('sample_rate', sample_rate)
    if settings.sample_rates is not None:
        rate = int(settings.sample_rates[int(rate_rng.integers(len(settings.sample_rates)))])
    ceiling = _NYQUIST_SHARE * rate
    room = None
    if settings.rt60 is not None:
        if bank is not None:
            room = bank.rooms[int(room_rng.integers(len(bank)))]
        else:
            room = drawRoom(
                room_rng, settings.rt60, settings.room_dimensions, settings.wall_margin, settings.min_distance
            )
    bands: tuple[Band, ...] = ()
    if settings.eq_gain_db is not None:
        bands = tuple(
            Band(
                min(_logUniform(eq_rng, *settings.eq_frequency_hz), ceiling),
                float(eq_rng.uniform(*settings.eq_gain_db)),
                float(eq_rng.uniform(*settings.eq_q)),
            )
            for _ in range(settings.eq_bands)
        )
    lowpass = None if settings.lowpass_hz is None else min(_logUniform(lowpass_rng, *settings.lowpass_hz), ceiling)
    drive = None if settings.clip_drive_db is None else float(clip_rng.uniform(*settings.clip_drive_db))
    delay = 0 if settings.delay_ms is None else round(float(delay_rng.uniform(*settings.delay_ms)) * rate / 1000.0)
    noise_seed = int(noise_rng.integers(2**63))
    colour, snr = None, None
    if settings.snr_db is not None:
        colour = settings.noise_colours[int(noise_rng.integers(len(settings.noise_colours)))]
        snr = float(noise_rng.uniform(*settings.snr_db))
    peak = None if settings.peak_dbfs is None else float(gain_rng.uniform(*settings.peak_dbfs))
    return Recording(rate, room, bands, lowpass, drive, delay, colour, snr, peak, noise_seed)
