"""Inference: the drums a trained checkpoint hears in audio files.

    from kac_prediction.inference import loadPredictor
    loadPredictor('model/<run id>').predictFiles(['drum.wav'])     # [{'file': 'drum.wav', 'drum_size': 0.73}]

audio.py reads and prepares audio (mono, resampled, aligned on the strike, the training length; files in blocks, in
memory bounded whatever their length) and says when it is too poor for a model (InputQualityWarning); predictor.py
runs a checkpoint; robustness.py scores one on held-out drums under noise, rooms, the recording chain, other
materials, rates and renderers; outline.py turns a predicted mask into an outline in metres; plots.py draws predictions.
"""

from .audio import (
    MAX_SAMPLE_RATE,
    MIN_SAMPLE_RATE,
    ONSET_THRESHOLD,
    AudioExcerpt,
    InputQualityWarning,
    audioExcerpt,
    audioWarnings,
    prepareAudio,
    readAudioExcerpt,
    readAudioFile,
)
from .outline import maskGrid, maskOutline
from .plots import plotOutlines, plotPrediction
from .predictor import Predictor, loadPredictor
from .robustness import (
    CONDITIONS,
    EVALUATION_SEED,
    HeldOut,
    evaluateRobustness,
    heldOutItems,
    renderCondition,
    robustnessTable,
)

__all__ = [
    'CONDITIONS',
    'EVALUATION_SEED',
    'MAX_SAMPLE_RATE',
    'MIN_SAMPLE_RATE',
    'ONSET_THRESHOLD',
    'AudioExcerpt',
    'HeldOut',
    'InputQualityWarning',
    'Predictor',
    'audioExcerpt',
    'audioWarnings',
    'evaluateRobustness',
    'heldOutItems',
    'loadPredictor',
    'maskGrid',
    'maskOutline',
    'plotOutlines',
    'plotPrediction',
    'prepareAudio',
    'readAudioExcerpt',
    'readAudioFile',
    'renderCondition',
    'robustnessTable',
]
