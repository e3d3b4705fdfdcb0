"""Release a trained run as a shipped model: a slim checkpoint and its card (shipped.py reads them).

    releaseModel('out/circle/model/<run id>', 'circle', command='kac-prediction train --routine …',
                 test_metrics=json.load(open('metrics.json')), training={'wall_s': 2874})

The slim checkpoint keeps what predicting needs — the weights, the model's constructor arguments, run_info and the
dataset settings — and drops the optimiser and resume state. Floating tensors of at least HALF_MIN_ELEMENTS elements
are stored as float16 when that changes no held-out figure by more than HALF_TOLERANCE (relative), else every tensor
stays float32; the card records which. The card's held-out figures per condition (`evaluateRobustness`, on drums
the model never saw) are measured on the shipped file itself.
"""

import datetime
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from .. import __version__
from .._io import jsonSafe, writeJSON
from ..architecture import OutlineOutputs
from ..inference import EVALUATION_SEED, evaluateRobustness, loadPredictor
from ..pipeline.checkpoints import bestCheckpoint, loadCheckpoint, saveCheckpoint
from .shipped import FAMILIES, WEIGHTS_DIR, fileDigest

__all__ = ['HALF_MIN_ELEMENTS', 'HALF_TOLERANCE', 'releaseModel', 'slimCheckpoint']

HALF_MIN_ELEMENTS = 256
"""Floating tensors with fewer elements (biases, norms, label statistics) stay float32 in a float16 release."""
HALF_TOLERANCE = 0.02
"""A float16 release is kept when no held-out figure differs from the float32 one by more than this, relatively."""
_SLIM_KEYS = ('dataset', 'hyperparameters', 'model_kwargs', 'run_info', 'testing_loss', 'evaluation_loss')
_FIGURES = ('model_rmse_cm', 'model_aspect_rmse', 'model_iou')


def slimCheckpoint(checkpoint: Mapping[str, Any], half: bool) -> dict[str, Any]:
    """What predicting needs of a checkpoint (no optimiser, training state or training loss); with `half`, floating
    tensors of ≥ HALF_MIN_ELEMENTS elements of the state dict as float16 (loading casts them back to the model's
    float32)."""

    def cast(tensor: torch.Tensor) -> torch.Tensor:
        small = tensor.numel() < HALF_MIN_ELEMENTS or not tensor.is_floating_point()
        return tensor.detach().cpu().clone() if small or not half else tensor.detach().cpu().to(torch.float16)

    slim = {key: checkpoint[key] for key in _SLIM_KEYS if key in checkpoint}
    slim['model_state_dict'] = {name: cast(value) for name, value in checkpoint['model_state_dict'].items()}
    return slim


def _figures(rows: list[dict[str, Any]]) -> list[float]:
    return [float(row[key]) for row in rows for key in _FIGURES if isinstance(row.get(key), (int, float))]


def _close(half: list[float], full: list[float]) -> bool:
    return len(half) == len(full) and all(
        abs(a - b) <= HALF_TOLERANCE * max(abs(b), 1e-12) for a, b in zip(half, full, strict=True)
    )


def releaseModel(
    run: str | os.PathLike[str],
    family: str,
    command: str,
    test_metrics: Mapping[str, Any] | None = None,
    training: Mapping[str, Any] | None = None,
    directory: str | os.PathLike[str] = WEIGHTS_DIR,
    drums: int = 100,
    conditions: Sequence[str] | None = None,
    overwrite: bool = False,
    progressbar: bool = False,
) -> dict[str, Any]:
    """Write FAMILY.pt and FAMILY.json into `directory` from a run directory (its best checkpoint) or checkpoint
    file, and return the card.

    command: the `kac-prediction train …` command that trained it (the card's recipe). test_metrics: the run's
    metrics (the JSON `kac-prediction train` writes to $KAC_SWEEP_METRICS): its 'metrics' (recorded test split) and
    'clean_metrics' go to held_out['test_split']. training: anything else worth recording (wall time, machine).
    drums: held-out drums per condition for `evaluateRobustness` (seed EVALUATION_SEED), run on the float32 and the
    float16 weights; conditions: their keys (default all that apply, `CONDITIONS`). FileExistsError if FAMILY.pt or
    FAMILY.json exists and not `overwrite`; both are replaced only once everything has been measured.
    """
    if family not in FAMILIES:
        raise ValueError(f'unknown family {family!r}: choose one of {", ".join(FAMILIES)}.')
    target = Path(directory)
    weights, card_path = target / f'{family}.pt', target / f'{family}.json'
    if not overwrite and (weights.exists() or card_path.exists()):
        raise FileExistsError(f'{weights} or {card_path} exists: pass overwrite=True (--overwrite) to replace them.')
    source = Path(run)
    source = bestCheckpoint(source) if source.is_dir() else source
    checkpoint = loadCheckpoint(source, required_keys=('model_state_dict', 'model_kwargs', 'run_info', 'dataset'))
    routine = checkpoint.get('hyperparameters', {}).get('routine') or FAMILIES[family]
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target, prefix='.release-') as scratch:
        rows: dict[str, list[dict[str, Any]]] = {}
        for precision in ('float32', 'float16'):
            file = Path(scratch) / f'{precision}.pt'
            saveCheckpoint(slimCheckpoint(checkpoint, precision == 'float16'), file)  # type: ignore[arg-type]
            rows[precision] = evaluateRobustness(file, conditions, drums, EVALUATION_SEED, progressbar)
        dtype = 'float16' if _close(_figures(rows['float16']), _figures(rows['float32'])) else 'float32'
        shipped = Path(scratch) / f'{dtype}.pt'
        dataset = checkpoint['dataset']
        model: Any = checkpoint['run_info'].get('model') or {}
        held_out: dict[str, Any] = {
            'conditions': {'drums': drums, 'seed': EVALUATION_SEED, 'rows': rows[dtype]},
            'float32_conditions': [
                {k: v for k, v in row.items() if k in ('key', *_FIGURES)} for row in rows['float32']
            ],
        }
        if test_metrics is not None:
            held_out['test_split'] = {
                'recorded': test_metrics.get('metrics'),
                'clean': test_metrics.get('clean_metrics'),
                'testing_loss': test_metrics.get('testing_loss'),
            }
        card: dict[str, Any] = {
            'family': family,
            'routine': routine,
            'model': model.get('name', ''),
            'labels': _labels(shipped),
            'weights': {
                'file': weights.name,
                'sha256': fileDigest(shipped),
                'bytes': shipped.stat().st_size,
                'dtype': dtype if dtype == 'float32' else f'float16 (tensors ≥ {HALF_MIN_ELEMENTS} elements)',
            },
            'project_version': __version__,
            'command': command,
            'config': checkpoint.get('hyperparameters', {}),
            'dataset': {
                key: dataset.get(key)
                for key in ('sampler', 'sampler_settings', 'representation_settings', 'dataset_size')
                if key in dataset
            },
            'held_out': held_out,
            'training': {
                'run_id': checkpoint['run_info'].get('id'),
                'epoch': checkpoint['run_info'].get('epoch'),
                'released': datetime.date.today().isoformat(),
                **dict(training or {}),
            },
        }
        os.replace(shipped, weights)
        writeJSON(card_path, jsonSafe(card))
    return card


def _labels(path: Path) -> list[str]:
    """What the model at `path` predicts, as `Predictor` results name it: its labels, and 'outline' for an
    outline network (OutlineCRePE, OutlineLocator)."""
    predictor = loadPredictor(path)
    return [*predictor.labels, *(['outline'] if isinstance(predictor.model, OutlineOutputs) else [])]
