"""Orchestrate drums: match a sound to a drum, design drums tuned to notes, arrange a score for them
(docs/architecture.md, "Orchestrating").

    from kac_prediction.orchestrate import Drum, designKit, matchWaveform, arrangeScore, readScore
    kit = designKit(['C3', 'Eb3', 'G3'], family='circle', wave_speed=100.0)   # fundamentals on the notes
    mix = arrangeScore(readScore('piece.mid'), kit)                           # float64 mono, −1 dBFS peak
    result = matchWaveform(waveform, 48000, family='circle', wave_speed=100.0) # the drum that makes this sound

Each verb of the command line (`kac-prediction match`, `design`, `arrange`) is a call of `matchFile`, `designFiles`
or `arrangeFile`.
"""

from .arrange import arrangeFile, arrangeScore, readKit, renderHit, velocityStrike
from .design import DEFAULT_SIZE_RANGE, designDrum, designFiles, designKit, drumSummary
from .drum import DRUM_FAMILIES, Drum, partialsInCents, pointOnDrum, renderDrum, unitShape
from .match import MatchResult, Partials, analysePartials, matchFile, matchWaveform, partialDistance, spectralDistance
from .materials import MATERIALS, Material, material, waveSpeed
from .notes import cents, midiFrequency, midiNumber, noteFrequency, noteName
from .plots import plotKit, plotMatch
from .score import NoteEvent, readMidi, readScore, readTextScore

__all__ = [
    'DEFAULT_SIZE_RANGE',
    'DRUM_FAMILIES',
    'MATERIALS',
    'Drum',
    'MatchResult',
    'Material',
    'NoteEvent',
    'Partials',
    'analysePartials',
    'arrangeFile',
    'arrangeScore',
    'cents',
    'designDrum',
    'designFiles',
    'designKit',
    'drumSummary',
    'matchFile',
    'matchWaveform',
    'material',
    'midiFrequency',
    'midiNumber',
    'noteFrequency',
    'noteName',
    'partialDistance',
    'partialsInCents',
    'plotKit',
    'plotMatch',
    'pointOnDrum',
    'readKit',
    'readMidi',
    'readScore',
    'readTextScore',
    'renderDrum',
    'renderHit',
    'spectralDistance',
    'unitShape',
    'velocityStrike',
    'waveSpeed',
]
