"""A bank of room impulse responses, computed once and cached, from which items draw.

One room's response takes from 10 ms to a few seconds (the image count grows as rt60³; bench/recording_chain.py), so
training draws from a bank of n rooms instead of simulating one per item. Room i of a bank depends only on (seed, i)
(`seeds.roomRNG`): a bank of n rooms is the first n rooms of any larger bank of the same seed and settings.

Cache: `roomBank(..., path='rooms.npy')` writes the responses to path (float32, shape (n, length), `_io.writeNumpy`)
and then a description to path with the suffix .json (the rooms, their calibrated absorption and T30, and the
arguments). A later call with the same arguments reads them; other arguments recompute and overwrite them.
"""

import dataclasses
import json
import math
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import checkCount, checkNumber
from .._io import writeJSON, writeNumpy
from ._signal import checkSampleRate
from .resampling import resample
from .rooms import Room, RoomSimulation, drawRoom, simulateRoom
from .seeds import roomRNG
from .settings import RecordingSettings

__all__ = ['RoomBank', 'roomBank']

_FORMAT = 'kac_prediction room bank'
_VERSION = 1


@dataclass(frozen=True, eq=False)
class RoomBank:
    """impulse_responses: (n, length) float32 at sample_rate (Hz), each room's response (`rooms.simulateRoom`) zero
    after its rt60; rooms: the n rooms, room i with bank_index i; absorption, t30: per room, the calibrated energy
    absorption and the response's T30 (s)."""

    impulse_responses: npt.NDArray[np.float32]
    rooms: tuple[Room, ...]
    sample_rate: int
    absorption: tuple[float, ...]
    t30: tuple[float, ...]
    _at_rate: dict[tuple[int, int], npt.NDArray[np.float64]] = field(default_factory=dict, init=False, repr=False)

    def __len__(self) -> int:
        return len(self.rooms)

    def impulseResponse(self, index: int, sample_rate: int | None = None) -> npt.NDArray[np.float64]:
        """Room `index`'s response as float64 at sample_rate (Hz; default the bank's): (ceil(length · sample_rate /
        bank rate),), resampled (`resampling.resample`) and kept in memory on first use at another rate."""
        i = checkCount('index', index, 0)
        if i >= len(self):
            raise ValueError(f'index must be < {len(self)} (the rooms in the bank), got {i}.')
        rate = self.sample_rate if sample_rate is None else checkSampleRate('sample_rate', sample_rate)
        if rate == self.sample_rate:
            return np.asarray(self.impulse_responses[i], dtype=np.float64)
        if (i, rate) not in self._at_rate:
            self._at_rate[(i, rate)] = resample(self.impulse_responses[i], self.sample_rate, rate)
        return self._at_rate[(i, rate)].copy()


def _simulate(arguments: tuple[Room, int, float]) -> RoomSimulation:
    return simulateRoom(*arguments)


def _roomSettings(settings: RecordingSettings) -> dict[str, Any]:
    return {k: settings.toDict()[k] for k in ('rt60', 'room_dimensions', 'wall_margin', 'min_distance')}


def _description(n: int, seed: int, rate: int, duration: float, settings: RecordingSettings) -> dict[str, Any]:
    # normalised through JSON so that a description read back compares equal
    described = {'format': _FORMAT, 'version': _VERSION, 'n': n, 'seed': seed, 'sample_rate': rate}
    described |= {'duration': duration, 'settings': _roomSettings(settings)}
    return json.loads(json.dumps(described))  # type: ignore[no-any-return]


def _read(path: Path, described: dict[str, Any], length: int) -> RoomBank | None:
    """The cached bank at path if its description matches, else None."""
    try:
        stored = json.loads(path.with_suffix('.json').read_text(encoding='utf-8'))
        if {k: stored.get(k) for k in described} != described:
            return None
        responses = np.load(path, allow_pickle=False)
        rooms = tuple(Room.fromDict(room) for room in stored['rooms'])
        absorption, t30 = tuple(map(float, stored['absorption'])), tuple(map(float, stored['t30']))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    n = described['n']
    if responses.dtype != np.float32 or responses.shape != (n, length) or not len(rooms) == len(absorption) == n:
        return None
    return RoomBank(responses, rooms, described['sample_rate'], absorption, t30)


def roomBank(
    n: int,
    seed: int,
    sample_rate: int,
    settings: RecordingSettings | None = None,
    duration: float | None = None,
    path: str | os.PathLike[str] | None = None,
    workers: int = 1,
) -> RoomBank:
    """n rooms drawn from settings' rt60, room_dimensions, wall_margin and min_distance (default `RecordingSettings()`)
    and their responses at sample_rate (Hz), each ceil(duration · sample_rate) samples (duration in s, default the
    largest rt60). path: a .npy cache (module docstring). workers: processes that simulate rooms side by side (the
    result does not depend on it). ValueError when settings.rt60 is None."""
    count = checkCount('n', n, 1, 'rooms')
    seed = checkCount('seed', seed, 0)
    rate = checkSampleRate('sample_rate', sample_rate)
    settings = RecordingSettings() if settings is None else settings
    if not isinstance(settings, RecordingSettings):
        raise ValueError(f'settings must be RecordingSettings or None, got {type(settings).__name__}.')
    if settings.rt60 is None:
        raise ValueError('settings.rt60 is None (no rooms): a room bank needs an rt60 range.')
    seconds = checkNumber('duration', settings.rt60[1] if duration is None else duration, 's')
    length = math.ceil(seconds * rate - 1e-9)
    described = _description(count, seed, rate, seconds, settings)
    if path is not None:
        cached = _read(Path(path), described, length)
        if cached is not None:
            return cached
    rooms = [
        dataclasses.replace(
            drawRoom(
                roomRNG(seed, i), settings.rt60, settings.room_dimensions, settings.wall_margin, settings.min_distance
            ),
            bank_index=i,
        )
        for i in range(count)
    ]
    jobs = [(room, rate, seconds) for room in rooms]
    if checkCount('workers', workers, 1) > 1:
        with ProcessPoolExecutor(min(workers, count)) as pool:
            simulations = list(pool.map(_simulate, jobs))
    else:
        simulations = [_simulate(job) for job in jobs]
    responses = np.stack([s.impulse_response for s in simulations]).astype(np.float32)
    bank = RoomBank(
        responses, tuple(rooms), rate, tuple(s.absorption for s in simulations), tuple(s.t30 for s in simulations)
    )
    if path is not None:
        writeNumpy(path, responses)
        rooms_json = [dataclasses.asdict(room) for room in rooms]
        writeJSON(
            Path(path).with_suffix('.json'),
            {**described, 'rooms': rooms_json, 'absorption': list(bank.absorption), 't30': list(bank.t30)},
        )
    return bank
