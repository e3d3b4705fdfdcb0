"""Notes as names, MIDI numbers or frequencies, in twelve-tone equal temperament with A4 = 440 Hz.

    noteFrequency('Eb3')    # 155.563… Hz
    noteFrequency('220Hz')  # 220.0
    noteName(60)            # 'C4'
    cents(441.0, 440.0)     # 3.93…

Names are a letter A–G, any accidentals (# or ♯ sharp, b or ♭ flat), and an octave number (scientific pitch
notation: C4 is middle C, MIDI 60; octave −1 is written C-1).
"""

import math
import re

import numpy as np
import numpy.typing as npt

__all__ = ['A4', 'cents', 'midiFrequency', 'midiNumber', 'noteFrequency', 'noteName']

A4 = 440.0
"""Hz, the reference pitch (MIDI 69)."""
_LETTERS = {'C': 0, 'D': 2, 'E': 4, 'F': 5, 'G': 7, 'A': 9, 'B': 11}
_NAMES = ('C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B')
_NOTE = re.compile(r'^([A-Ga-g])([#♯b♭]*)(-?\d+)$')
_HERTZ = re.compile(r'^(\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?\s*(?:hz)?$', re.IGNORECASE)


def midiNumber(note: str) -> int:
    """The MIDI number of a note name ('C4' → 60, 'Eb3' → 51, 'F#-1' → 6). ValueError naming the note otherwise."""
    match = _NOTE.match(note.strip())
    if match is None:
        raise ValueError(
            f'unknown note {note!r}: write a letter A–G, optional # or b, and an octave, e.g. C3, Eb3, F#4 (or a '
            'frequency such as 220Hz).'
        )
    letter, accidentals, octave = match.groups()
    shift = sum(1 if a in '#♯' else -1 for a in accidentals)
    return 12 * (int(octave) + 1) + _LETTERS[letter.upper()] + shift


def midiFrequency(number: float) -> float:
    """Hz of a MIDI note number (69 → 440 Hz; fractional numbers are between the notes)."""
    return float(A4 * 2.0 ** ((float(number) - 69.0) / 12.0))


def noteFrequency(note: str | float) -> float:
    """Hz of a note: a name ('Eb3'), a frequency ('155.6', '155.6Hz') or a number of Hz. ValueError for anything
    else, or for a frequency that is not a positive finite number."""
    if isinstance(note, str):
        text = note.strip()
        if _HERTZ.match(text):
            value = float(re.sub(r'\s*hz$', '', text, flags=re.IGNORECASE))
        else:
            return midiFrequency(midiNumber(text))
    else:
        value = float(note)
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(f'a note frequency must be a positive finite number of Hz, got {note!r}.')
    return value


def noteName(number: int) -> str:
    """The name of a MIDI note number (sharps for C#, F#, flats for Eb, Ab, Bb): 60 → 'C4', 63 → 'Eb4'."""
    return f'{_NAMES[int(number) % 12]}{int(number) // 12 - 1}'


def cents(frequency: npt.ArrayLike, reference: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """1200·log₂(frequency / reference): how many cents `frequency` lies above `reference` (float64, broadcast)."""
    ratio = np.asarray(frequency, dtype=np.float64) / np.asarray(reference, dtype=np.float64)
    return np.asarray(1200.0 * np.log2(ratio), dtype=np.float64)
