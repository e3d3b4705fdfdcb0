"""Inference: the drums a trained checkpoint hears in audio files.

    from kac_prediction.inference import loadPredictor
    loadPredictor('model/<run id>').predictFiles(['drum.wav'])     # [{'file': 'drum.wav', 'drum_size': 0.73}]

audio.py reads and prepares audio (mono, resampled, aligned on the strike, the training length); predictor.py runs a
checkpoint; outline.py turns a predicted mask into an outline in metres; plots.py draws predictions.
"""

from .audio import ONSET_THRESHOLD, prepareAudio, readAudioFile
from .outline import maskGrid, maskOutline
from .plots import plotOutlines, plotPrediction
from .predictor import Predictor, loadPredictor

__all__ = [
    'ONSET_THRESHOLD',
    'Predictor',
    'loadPredictor',
    'maskGrid',
    'maskOutline',
    'plotOutlines',
    'plotPrediction',
    'prepareAudio',
    'readAudioFile',
]
