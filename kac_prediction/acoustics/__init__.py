"""The recording chain: degrade a clean drum waveform as a microphone in a room records it (docs/architecture.md,
"The recording chain").

    from kac_prediction.acoustics import RecordingSettings, record, roomBank
    bank = roomBank(64, seed=0, sample_rate=48000, path='rooms.npy')       # once; cached
    y, rate, recording = record(waveform, 48000, seed=0, item=i, epoch=e, bank=bank, output_rate=48000)

`record` draws a `Recording` (plain numbers, `recording.toDict()` for labels or logs) from `RecordingSettings`
(ranges; None disables an effect) with a generator per (seed, item, epoch), and applies it: room impulse response
(`rooms`, pyroomacoustics, calibrated T30), colouration (`colouration`), soft clipping and gain (`levels`), onset
delay (`delay`), coloured noise at an SNR (`noise`), resampling (`resampling`). Each step is a public function.
"""

from .bank import RoomBank, roomBank
from .chain import Recorded, applyRecording, record
from .colouration import Band, colour, colourSOS, peakingSOS
from .delay import delayOnset
from .draw import drawRecording
from .levels import applyGain, clip, peakDBFS
from .noise import FLOOR_HZ, NoiseColour, addNoise, colouredNoise
from .resampling import resample, resampledLength
from .reverberation import decayTime, schroederCurve
from .rooms import SPEED_OF_SOUND, Room, RoomSimulation, drawRoom, roomImpulseResponse, simulateRoom
from .seeds import RECORDING_STREAM, ROOM_BANK_STREAM, recordingRNG, roomRNG
from .settings import Recording, RecordingSettings

__all__ = [
    'FLOOR_HZ',
    'RECORDING_STREAM',
    'ROOM_BANK_STREAM',
    'SPEED_OF_SOUND',
    'Band',
    'NoiseColour',
    'Recorded',
    'Recording',
    'RecordingSettings',
    'Room',
    'RoomBank',
    'RoomSimulation',
    'addNoise',
    'applyGain',
    'applyRecording',
    'clip',
    'colour',
    'colourSOS',
    'colouredNoise',
    'decayTime',
    'delayOnset',
    'drawRecording',
    'drawRoom',
    'peakDBFS',
    'peakingSOS',
    'record',
    'recordingRNG',
    'resample',
    'resampledLength',
    'roomBank',
    'roomImpulseResponse',
    'roomRNG',
    'schroederCurve',
    'simulateRoom',
]
