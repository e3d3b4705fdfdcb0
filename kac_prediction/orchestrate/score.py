"""A score to play on a kit of drums: note events read from a standard MIDI file or a small text score.

    events = readScore('piece.mid')       # or 'piece.txt'
    events[0]                             # NoteEvent(time=0.0, drum='C3', velocity=100)

A MIDI file (.mid, .midi; read with mido) gives one event per note_on with velocity > 0, on any track and channel,
at its time in seconds (tempo changes honoured); its drum is the note's name (`notes.noteName`: MIDI 60 is 'C4').
Type 2 (asynchronous) files are refused.

Any other file is a text score, one event per line:

    # comment lines and blank lines are ignored; so is the rest of a line from a '#' after a space
    tempo 120          # optional, once, before events: times are then in beats (quarter notes) instead of seconds
    0     C3   100     # time, drum, velocity (optional, default 100)
    0.5   Eb3  80
    1.0   snare        # a drum named in the kit

time: seconds, or beats at `tempo` beats per minute (≥ 0, in any order); drum: a note name or the name of a kit
drum (no spaces); velocity: an integer in 1–127. Every error is a ValueError naming the file (and line).
"""

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .notes import noteName

__all__ = ['DEFAULT_VELOCITY', 'NoteEvent', 'readMidi', 'readScore', 'readTextScore']

DEFAULT_VELOCITY = 100
"""The velocity of a text-score event that gives none."""
_COMMENT = re.compile(r'(^|\s)#.*$')  # '#' at the start or after a space: 'F#3' is a note, not a comment


@dataclass(frozen=True)
class NoteEvent:
    """A drum hit: time (s, the onset), drum (a kit drum's key: a note name or a drum's name), velocity (1–127)."""

    time: float
    drum: str
    velocity: int = DEFAULT_VELOCITY

    def __post_init__(self) -> None:
        if not (math.isfinite(self.time) and self.time >= 0.0):
            raise ValueError(f'a note event time must be finite and ≥ 0 (s), got {self.time!r}.')
        if not self.drum or any(c.isspace() for c in self.drum):
            raise ValueError(f'a note event drum must be a non-empty name without spaces, got {self.drum!r}.')
        if isinstance(self.velocity, bool) or not isinstance(self.velocity, int) or not 1 <= self.velocity <= 127:
            raise ValueError(f'a note event velocity must be an integer in 1–127, got {self.velocity!r}.')


def readScore(path: str | os.PathLike[str]) -> list[NoteEvent]:
    """The events of a score, sorted by time (stable): `readMidi` for a .mid or .midi file, else `readTextScore`."""
    if Path(path).suffix.lower() in ('.mid', '.midi'):
        return readMidi(path)
    return readTextScore(path)


def readMidi(path: str | os.PathLike[str]) -> list[NoteEvent]:
    """The note_on events (velocity > 0) of a standard MIDI file, every track and channel, sorted by time: time in s
    (tempo changes honoured), drum the note's name ('C4' for MIDI 60), velocity as played. ValueError naming the file
    when it cannot be read as MIDI, is of type 2, or holds no notes."""
    import mido  # ≈ 50 ms: only when a MIDI file is read

    try:
        midi = mido.MidiFile(os.fspath(path))
    except FileNotFoundError:
        raise ValueError(f'{path}: no such MIDI file.') from None
    except (OSError, EOFError, ValueError, KeyError, IndexError) as error:
        raise ValueError(f'{path}: not a readable standard MIDI file ({error}).') from None
    if midi.type == 2:
        raise ValueError(f'{path}: a type 2 (asynchronous) MIDI file has no single timeline; save it as type 0 or 1.')
    events: list[NoteEvent] = []
    now = 0.0
    try:
        for message in midi:  # merged tracks, delta times in s at the tempo in force
            now += message.time
            if message.type == 'note_on' and message.velocity > 0:
                events.append(NoteEvent(now, noteName(message.note), int(message.velocity)))
    except (TypeError, ValueError, KeyError, IndexError) as error:
        raise ValueError(f'{path}: not a readable standard MIDI file ({error}).') from None
    if not events:
        raise ValueError(f'{path}: empty MIDI file: no note_on events.')
    return sorted(events, key=lambda event: event.time)


def _number(text: str) -> float:
    value = float(text)  # ValueError for text that is not a number
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def readText(path: str | os.PathLike[str], what: str) -> str:
    """The UTF-8 text of a `what` file (e.g. 'score', 'kit'); ValueError naming the file when it is missing or
    unreadable."""
    try:
        return Path(path).read_text(encoding='utf-8')
    except FileNotFoundError:
        raise ValueError(f'{path}: no such {what} file.') from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f'{path}: cannot read the {what} ({error}).') from None


def readTextScore(path: str | os.PathLike[str]) -> list[NoteEvent]:
    """The events of a text score (the module docstring), sorted by time (stable), times in s. ValueError naming the
    file and line for a malformed line, a time that is not a number ≥ 0, a velocity outside 1–127, a tempo that is
    not > 0 or comes twice or after an event; naming the file when it is missing, unreadable or has no events."""
    text = readText(path, 'score')
    events: list[NoteEvent] = []
    tempo: float | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        where = f'{path}, line {number}'
        fields = _COMMENT.sub('', line).split()
        if not fields:
            continue
        if fields[0].lower() == 'tempo':
            if len(fields) != 2:
                raise ValueError(f'{where}: write the tempo as "tempo BPM", e.g. "tempo 120"; got {line.strip()!r}.')
            if tempo is not None or events:
                raise ValueError(f'{where}: the tempo is set once, before the first event.')
            try:
                tempo = _number(fields[1])
            except ValueError:
                tempo = -1.0
            if tempo <= 0.0:
                raise ValueError(f'{where}: the tempo must be a number > 0 (beats per minute), got {fields[1]!r}.')
            continue
        if len(fields) not in (2, 3):
            raise ValueError(f'{where}: expected "time drum [velocity]", got {line.strip()!r}.')
        try:
            time = _number(fields[0])
        except ValueError:
            time = -1.0
        if time < 0.0:
            unit = 'beats' if tempo is not None else 's'
            raise ValueError(f'{where}: the time must be a number ≥ 0 ({unit}), got {fields[0]!r}.')
        velocity = DEFAULT_VELOCITY
        if len(fields) == 3:
            try:
                velocity = int(fields[2])
            except ValueError:
                velocity = 0
            if not 1 <= velocity <= 127:
                raise ValueError(f'{where}: the velocity must be an integer in 1–127, got {fields[2]!r}.')
        seconds = time * 60.0 / tempo if tempo is not None else time
        events.append(NoteEvent(seconds, fields[1], velocity))
    if not events:
        raise ValueError(f'{path}: the score has no events (lines "time drum [velocity]").')
    return sorted(events, key=lambda event: event.time)
