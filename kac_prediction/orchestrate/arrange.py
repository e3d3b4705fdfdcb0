"""Play a score on a kit of designed drums: each note event struck on its drum, the hits mixed, optionally heard in
one shared room, peak-normalised with headroom.

    kit = readKit('kit/kit.json')                          # or designKit(['C3', 'Eb3', 'G3'])
    mix = arrangeScore(readScore('piece.mid'), kit)        # float64 (n,), peak −1 dBFS
    arrangeFile('piece.mid', kit, 'piece.wav', room_seed=0)

A score's drum key plays the kit drum whose `name` equals it (case-sensitive, e.g. 'snare' or 'Eb3'), or else the
drum whose name is a note of the same MIDI number ('D#3' plays a drum named 'Eb3').

Velocity v (1–127) sets a hit's loudness and where the drum is struck:

- amplitude (v/127)², ≈ 42 dB of dynamics over 1–127: a drum's loudest hit (v = 127) has peak 1 before mixing, every
  hit being rendered at peak 1 (`renderDrum`) and scaled by its amplitude;
- strike at relative polar (ρ, θ) = (0.15 + 0.45·(1 − v/127), 0): a hard hit near the centre, a soft one nearer the
  edge, where it excites more of the higher modes (brighter and thinner);
- heard at the fixed pickup `PICKUP` = (0.5, π/3).

Each hit rings for `ring` s (default min(decay_time, 6 s) of its drum), its last min(10 ms, ring/4) faded out with a
raised cosine; overlapping hits add.
"""

import json
import math
import os
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import checkNumber
from .._io import atomicPath, explainOSError
from ..acoustics._signal import checkSampleRate
from ..acoustics.levels import peakDBFS
from ..acoustics.rooms import DEFAULT_RT60, Room, drawRoom, roomImpulseResponse
from .drum import Drum, Point, renderDrum
from .notes import midiNumber
from .score import NoteEvent, readScore, readText

__all__ = [
    'MAX_RING',
    'PICKUP',
    'arrangeFile',
    'arrangeScore',
    'checkKit',
    'findDrum',
    'readKit',
    'renderHit',
    'ringTime',
    'velocityStrike',
]

PICKUP: Point = (0.5, math.pi / 3.0)
"""Where every hit is heard: relative polar (ρ, θ)."""
MAX_RING = 6.0
"""s: the longest a hit rings by default (a drum without decay rings this long)."""
_FADE = 0.01  # s, the longest fade-out at the end of a hit


def velocityStrike(velocity: int) -> tuple[float, Point]:
    """(amplitude, strike) of a hit of MIDI velocity 1–127: (v/127)² and the relative polar point
    (0.15 + 0.45·(1 − v/127), 0)."""
    if isinstance(velocity, bool) or not isinstance(velocity, (int, np.integer)) or not 1 <= velocity <= 127:
        raise ValueError(f'velocity must be an integer in 1–127, got {velocity!r}.')
    loudness = int(velocity) / 127.0
    return loudness**2, (0.15 + 0.45 * (1.0 - loudness), 0.0)


def ringTime(drum: Drum) -> float:
    """s: how long a hit on `drum` rings by default, min(drum.decay_time, MAX_RING)."""
    return min(drum.decay_time, MAX_RING)


def renderHit(
    drum: Drum,
    velocity: int,
    sample_rate: int = 48000,
    ring: float | None = None,
    strike_duration: float = 0.0,
) -> npt.NDArray[np.float64]:
    """One hit of `velocity` (1–127) on `drum`: float64 (ceil(ring·sample_rate),), rendered at peak 1 (`renderDrum`,
    struck at `velocityStrike(velocity)[1]`, heard at PICKUP), scaled to peak (velocity/127)², its last
    min(10 ms, ring/4) faded out. ring: s (default `ringTime(drum)`); strike_duration: the force pulse in s."""
    amplitude, strike = velocityStrike(velocity)
    duration = ringTime(drum) if ring is None else checkNumber('ring', ring, 's')
    rate = checkSampleRate('sample_rate', sample_rate)
    hit = renderDrum(drum, strike, PICKUP, duration, rate, strike_duration) * amplitude
    fade = min(round(_FADE * rate), hit.size // 4)
    if fade > 0:
        hit[-fade:] *= 0.5 + 0.5 * np.cos(np.pi * np.arange(1, fade + 1) / fade)
    return hit


def _note(name: str) -> int | None:
    try:
        return midiNumber(name)
    except ValueError:
        return None


def checkKit(kit: Sequence[Drum]) -> list[Drum]:
    """The kit as a list. ValueError unless it holds at least one Drum, each named, no two alike (the same name, or
    notes of the same MIDI number such as 'D#3' and 'Eb3')."""
    drums = list(kit)
    if not drums:
        raise ValueError('the kit has no drums.')
    seen: dict[str | int, str] = {}
    for i, drum in enumerate(drums):
        if not isinstance(drum, Drum):
            raise ValueError(f'kit drum {i} must be a Drum, got {type(drum).__name__}.')
        if not drum.name:
            raise ValueError(f'kit drum {i} has no name: name it after the note or label a score plays it by.')
        number = _note(drum.name)
        for key in (drum.name, number):
            if key is not None and key in seen:
                raise ValueError(
                    f'the kit has two drums for {seen[key]!r} and {drum.name!r}: a score could not tell them apart; '
                    'rename or remove one.'
                )
        seen[drum.name] = drum.name
        if number is not None:
            seen[number] = drum.name
    return drums


def findDrum(kit: Sequence[Drum], key: str) -> int | None:
    """The index of the kit drum a score's drum key plays (the module docstring), or None."""
    for i, drum in enumerate(kit):
        if drum.name == key:
            return i
    number = _note(key)
    if number is None:
        return None
    for i, drum in enumerate(kit):
        if _note(drum.name) == number:
            return i
    return None


def _matchEvents(events: Sequence[NoteEvent], kit: Sequence[Drum]) -> list[int]:
    indices = [findDrum(kit, event.drum) for event in events]
    missing = list(dict.fromkeys(event.drum for event, i in zip(events, indices, strict=True) if i is None))
    if missing:
        many = len(missing) > 1
        raise ValueError(
            f'the score plays {", ".join(map(repr, missing))} but the kit has no such drum{"s" if many else ""}: '
            f'it has {", ".join(drum.name for drum in kit)}; design {"them" if many else "one"} '
            f'(kac-prediction design --notes {" ".join(missing)} …) or edit the score.'
        )
    return [i for i in indices if i is not None]


def arrangeScore(
    events: Sequence[NoteEvent],
    kit: Sequence[Drum],
    sample_rate: int = 48000,
    headroom_db: float = 1.0,
    room: Room | None = None,
    tail: float | None = None,
    ring: float | None = None,
    strike_duration: float = 0.0,
) -> npt.NDArray[np.float64]:
    """The score played on the kit: float64 (n,) at `sample_rate` Hz, peak exactly −headroom_db dBFS (≥ 0 dB).

    Each event is a `renderHit` of its drum (one render per drum and velocity) starting at sample
    round(time·sample_rate); the hits add. With a `room`, the mix is convolved with `roomImpulseResponse(room,
    sample_rate)` (direct sound at index 0, unit gain: onsets stay put), one room for the whole kit. n: the end of
    the last hit to ring out plus `tail` s (default room.rt60 with a room, 0 without). ring, strike_duration: s, as
    `renderHit`. ValueError for no events, a drum key the kit lacks (the message lists the kit and the fix), or a
    silent mix.
    """
    drums = checkKit(kit)
    if not events:
        raise ValueError('the score has no events.')
    rate = checkSampleRate('sample_rate', sample_rate)
    headroom = checkNumber('headroom_db', headroom_db, 'dB below full scale', inclusive=True)
    if room is not None and not isinstance(room, Room):
        raise ValueError(f'room must be an acoustics.Room or None, got {type(room).__name__}.')
    extra = (room.rt60 if room is not None else 0.0) if tail is None else checkNumber('tail', tail, 's', inclusive=True)
    indices = _matchEvents(events, drums)
    hits: dict[tuple[int, int], npt.NDArray[np.float64]] = {}
    starts = [round(event.time * rate) for event in events]
    for event, i in zip(events, indices, strict=True):
        if (i, event.velocity) not in hits:
            hits[i, event.velocity] = renderHit(drums[i], event.velocity, rate, ring, strike_duration)
    ends = (start + hits[i, event.velocity].size for start, event, i in zip(starts, events, indices, strict=True))
    dry_length = max(ends)
    length = dry_length + round(extra * rate)
    mix = np.zeros(length)
    for start, event, i in zip(starts, events, indices, strict=True):
        hit = hits[i, event.velocity]
        mix[start : start + hit.size] += hit
    if room is not None:
        import scipy.signal

        wet = scipy.signal.fftconvolve(mix[:dry_length], roomImpulseResponse(room, rate))
        mix[:] = 0.0
        mix[: min(length, wet.size)] = wet[:length]
    peak = float(np.max(np.abs(mix)))
    if not (peak > 0.0 and math.isfinite(peak)):
        raise ValueError(
            f'the mix is {"silent" if peak == 0.0 else "not finite"}: are the modes of the drums played all at or '
            f'above the Nyquist frequency ({rate / 2:g} Hz)? Raise sample_rate or play larger drums.'
        )
    return np.asarray(mix * (10.0 ** (-headroom / 20.0) / peak), dtype=np.float64)


def readKit(path: str | os.PathLike[str]) -> list[Drum]:
    """The drums of a kit JSON file: {"drums": [drum, …]} (design's kit.json), a list of drums, or a match result
    {"drum": drum} (a one-drum kit); each drum a dict `Drum.fromDict` reads (it ignores the summary keys a kit file
    adds). ValueError naming the file when it is missing, not JSON, holds no drums, or a drum is invalid
    (`checkKit`)."""
    text = readText(path, 'kit')
    try:
        content = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f'{path}: not a JSON kit file ({error}).') from None
    if isinstance(content, dict) and 'drums' in content:
        entries = content['drums']
    elif isinstance(content, dict) and 'drum' in content:
        entries = [content['drum']]
    else:
        entries = content
    if not isinstance(entries, list) or not entries:
        raise ValueError(
            f'{path}: no drums: a kit file holds {{"drums": [drum, …]}}, a list of drums, or a match result '
            '{"drum": drum}.'
        )
    drums = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ValueError(f'{path}: drum {i} must be a JSON object of drum settings, got {entry!r}.')
        try:
            drums.append(Drum.fromDict(entry))
        except (TypeError, ValueError) as error:
            raise ValueError(f'{path}: drum {i}: {error}') from None
    try:
        return checkKit(drums)
    except ValueError as error:
        raise ValueError(f'{path}: {error}') from None


def arrangeFile(
    score_path: str | os.PathLike[str],
    kit: Sequence[Drum] | str | os.PathLike[str],
    output_path: str | os.PathLike[str],
    sample_rate: int = 48000,
    headroom_db: float = 1.0,
    room_seed: int | None = None,
    rt60: float | tuple[float, float] | None = None,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Read the score (`readScore`), play it on the kit (drums, or a kit file for `readKit`) with `arrangeScore`,
    and write the mix to output_path as a 24-bit mono WAV, atomically (parent directories created).

    room_seed: None for no room, else the seed of `drawRoom(np.random.default_rng(room_seed), rt60)` (rt60: s, a
    number or a (min, max) range; default acoustics.rooms.DEFAULT_RT60), one room for the whole kit. FileExistsError
    if output_path exists, unless `overwrite`. Returns {'output': str, 'events': int, 'duration': s, 'sample_rate':
    Hz, 'peak_dbfs': dBFS, 'room': the room as a JSON-ready dict or None, 'drums_used': sorted names}.
    """
    output = Path(output_path)
    if output.is_dir():
        raise ValueError(f'{output} is a directory: give the WAV file to write.')
    if output.exists() and not overwrite:
        raise FileExistsError(f'{output} already exists; choose another file or pass --overwrite.')
    if rt60 is not None and room_seed is None:
        raise ValueError('rt60 sets the room, but there is none: give room_seed too.')
    rate = checkSampleRate('sample_rate', sample_rate)
    drums = readKit(kit) if isinstance(kit, (str, os.PathLike)) else checkKit(kit)
    events = readScore(score_path)
    room = None
    if room_seed is not None:
        room = drawRoom(np.random.default_rng(room_seed), rt60=DEFAULT_RT60 if rt60 is None else rt60)
    mix = arrangeScore(events, drums, rate, headroom_db, room)
    import soundfile as sf

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with atomicPath(output) as temporary:
            sf.write(temporary, mix, rate, subtype='PCM_24', format='WAV')
    except OSError as error:
        raise explainOSError(error, output, 'write') from error
    used = {drums[i].name for i in _matchEvents(events, drums)}
    room_dict = None
    if room is not None:
        room_dict = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(room).items()}
    return {
        'output': str(output),
        'events': len(events),
        'duration': mix.size / rate,
        'sample_rate': rate,
        'peak_dbfs': peakDBFS(mix),
        'room': room_dict,
        'drums_used': sorted(used),
    }
