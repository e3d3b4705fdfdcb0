"""The models shipped inside the package: find them, read their cards, check their weights, load them.

    from kac_prediction.models import loadPretrained, modelCard
    predictor = loadPretrained('circle')                     # a Predictor (kac_prediction/inference/predictor.py)
    predictor.predictFiles(['drum.wav'], wave_speed=100.0)   # [{'file': 'drum.wav', 'transit_time': …, 'drum_size': …}]
    modelCard('circle')['held_out']                          # the figures it was released with

Each family's model is two files in kac_prediction/models/weights/: FAMILY.pt, a slim checkpoint (weights, the
model's constructor arguments and the dataset settings its inputs need; no optimiser state) and FAMILY.json, its
card (routine, configuration, dataset, training command, held-out figures per condition, project version, and the
SHA-256 of FAMILY.pt). `release.py` writes both from a training run.
"""

import functools
import json
import os
from pathlib import Path
from typing import Any

import pooch  # type: ignore[import-untyped]
import torch

from ..inference import Predictor, loadPredictor

__all__ = [
    'DEFAULT_FAMILY',
    'FAMILIES',
    'WEIGHTS_DIR',
    'ModelCardError',
    'fileDigest',
    'loadPretrained',
    'modelCard',
    'modelCards',
    'modelFile',
    'verifyModel',
]

FAMILIES: dict[str, str] = {
    'circle': 'size_of_circular_drum',
    'rectangle': 'dim_of_rectangular_drum',
    'polygon': 'shape_of_polygonal_drum',
}
"""The drum families a model is shipped for, and the routine each was trained by."""
DEFAULT_FAMILY = 'circle'
"""The family `kac-prediction predict` uses without --family or a checkpoint."""
WEIGHTS_DIR = Path(__file__).resolve().parent / 'weights'
"""Where the shipped FAMILY.pt and FAMILY.json lie (package data: installed with the wheel)."""
_CARD_KEYS = ('family', 'routine', 'model', 'labels', 'weights', 'project_version', 'command', 'held_out')


class ModelCardError(ValueError):
    """A shipped model's card is missing, malformed or disagrees with its weights (a damaged installation)."""


def _family(family: str) -> str:
    """`family` if it names a shipped family, else ValueError listing them."""
    if family not in FAMILIES:
        raise ValueError(f'no shipped model of family {family!r}: choose one of {", ".join(FAMILIES)}.')
    return family


def fileDigest(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, as hex (what `sha256sum` prints; `pooch.file_hash`)."""
    return str(pooch.file_hash(os.fspath(path), alg='sha256'))


def modelFile(family: str, directory: str | os.PathLike[str] = WEIGHTS_DIR) -> Path:
    """The path of a family's shipped weights, FAMILY.pt in `directory` (FileNotFoundError if it is not there)."""
    path = Path(directory) / f'{_family(family)}.pt'
    if not path.is_file():
        raise FileNotFoundError(
            f'the shipped {family} model is missing ({path}): reinstall kac_prediction, or give a checkpoint instead.'
        )
    return path


def modelCard(family: str, directory: str | os.PathLike[str] = WEIGHTS_DIR) -> dict[str, Any]:
    """A family's card, FAMILY.json in `directory`, as a dict: 'family', 'routine', 'model', 'labels', 'weights'
    ({'file', 'sha256', 'bytes', 'dtype'}), 'project_version', 'command', 'config', 'dataset', 'held_out',
    'training'. FileNotFoundError if absent; ModelCardError if it is not a card of that family."""
    path = Path(directory) / f'{_family(family)}.json'
    if not path.is_file():
        raise FileNotFoundError(
            f'the card of the shipped {family} model is missing ({path}): reinstall kac_prediction.'
        )
    try:
        card = json.loads(path.read_text(encoding='utf-8'))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelCardError(f'{path} is not a model card (not JSON: {error}): reinstall kac_prediction.') from error
    missing = [key for key in _CARD_KEYS if not isinstance(card, dict) or key not in card]
    if missing:
        raise ModelCardError(f'{path} is not a model card: it lacks {", ".join(missing)}.')
    if card['family'] != family:
        raise ModelCardError(f'{path} is the card of a {card["family"]!r} model, not {family!r}.')
    return dict(card)


def modelCards(directory: str | os.PathLike[str] = WEIGHTS_DIR) -> list[dict[str, Any]]:
    """The cards of the families shipped in `directory`, in the order of FAMILIES (absent ones left out)."""
    return [modelCard(family, directory) for family in FAMILIES if (Path(directory) / f'{family}.json').is_file()]


@functools.lru_cache(maxsize=16)
def _verified(path: str, size: int, modified: int, digest: str) -> bool:
    return fileDigest(path) == digest


def verifyModel(family: str, directory: str | os.PathLike[str] = WEIGHTS_DIR) -> Path:
    """The path of a family's weights once their SHA-256 and size match its card's (checked once per process and
    file version); ModelCardError naming both digests otherwise."""
    card = modelCard(family, directory)
    path = modelFile(family, directory)
    weights = card['weights']
    if not isinstance(weights, dict) or not isinstance(weights.get('sha256'), str):
        raise ModelCardError(f"the card of the shipped {family} model lacks weights['sha256'].")
    status = path.stat()
    if status.st_size != weights.get('bytes') or not _verified(
        str(path), status.st_size, status.st_mtime_ns, weights['sha256']
    ):
        raise ModelCardError(
            f'the shipped {family} model is corrupted: {path} has SHA-256 {fileDigest(path)} ({status.st_size} bytes), '
            f'its card says {weights["sha256"]} ({weights.get("bytes")} bytes). Reinstall kac_prediction.'
        )
    return path


def loadPretrained(
    family: str = DEFAULT_FAMILY,
    map_location: str | torch.device = 'cpu',
    directory: str | os.PathLike[str] = WEIGHTS_DIR,
) -> Predictor:
    """A Predictor of the shipped model of `family` ('circle': transit_time, hence drum_size given the wave speed;
    'rectangle': also aspect_ratio; 'polygon': also the outline), its weights checked against the card first
    (`verifyModel`). Errors: ValueError for an unknown family, FileNotFoundError / ModelCardError for a damaged
    installation."""
    return loadPredictor(verifyModel(family, directory), map_location)
