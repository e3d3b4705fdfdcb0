"""Models shipped inside the package, ready after `pip install`: one per drum family, each with a card.

    from kac_prediction.models import loadPretrained, modelCards
    loadPretrained('circle').predictFiles(['drum.wav'], wave_speed=100.0)   # drum_size in m for a 100 m/s membrane
    [card['family'] for card in modelCards()]                               # ['circle', 'rectangle', 'polygon']

shipped.py finds, checks (SHA-256 against the card) and loads them; release.py turns a training run into one.
"""

from .release import HALF_MIN_ELEMENTS, HALF_TOLERANCE, releaseModel, slimCheckpoint
from .shipped import (
    DEFAULT_FAMILY,
    FAMILIES,
    WEIGHTS_DIR,
    ModelCardError,
    fileDigest,
    loadPretrained,
    modelCard,
    modelCards,
    modelFile,
    verifyModel,
)

__all__ = [
    'DEFAULT_FAMILY',
    'FAMILIES',
    'HALF_MIN_ELEMENTS',
    'HALF_TOLERANCE',
    'WEIGHTS_DIR',
    'ModelCardError',
    'fileDigest',
    'loadPretrained',
    'modelCard',
    'modelCards',
    'modelFile',
    'releaseModel',
    'slimCheckpoint',
    'verifyModel',
]
