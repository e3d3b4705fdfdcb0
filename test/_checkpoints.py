"""A test helper: save a model as a minimal checkpoint and load it back with loadModel."""

from pathlib import Path
from typing import Any, TypeVar

from kac_prediction.pipeline import Model, loadModel
from kac_prediction.pipeline.checkpoints import saveCheckpoint

M = TypeVar('M', bound=Model)


def reloaded(model: M, directory: Path) -> M:
    """`model` written to directory/best.pt (model_kwargs, weights, run_info) and rebuilt by loadModel."""
    checkpoint: Any = {
        'model_kwargs': model.model_kwargs,
        'model_state_dict': model.state_dict(),
        'run_info': {'epoch': 1, 'exports_dir': '', 'id': 'x', 'model': {'name': type(model).__name__, 'version': ''}},
    }
    saveCheckpoint(checkpoint, directory / 'best.pt')
    return loadModel(type(model), directory / 'best.pt')
