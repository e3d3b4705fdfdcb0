"""The example routines: each trains and evaluates one model end to end and returns its metrics.

    from kac_prediction.routines import runRoutine
    metrics = runRoutine('size_of_circular_drum', overrides={'num_of_epochs': 1}, exports_dir='model')

| name | drums | model → labels |
|---|---|---|
| size_of_circular_drum | BesselModel | SpectrumCRePE → drum_size (diameter, m) |
| dim_of_rectangular_drum | PoissonModel | SpectrumCRePE → drum_size (√area, m), aspect_ratio |
| shape_of_polygonal_drum | FDTDModel, convex polygons | OutlineCRePE → drum_size (√area, m), outline mask |
| shape_of_arbitrary_drum | EigenmodeModel, any-family polygons | OutlineCRePE → drum_size, principal-frame mask |

`architecture: locator` trains SpectrumLocator in place of SpectrumCRePE, and OutlineLocator in place of
OutlineCRePE.

With `realistic: true` each hears drums of a material range through the recording chain and predicts transit_time
= drum_size / wave_speed (s) in place of drum_size. regression.py holds the code the first two share.
"""

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .._checks import checkCount, checkNumber
from ..architecture import checkCRePESettings
from ..pipeline.checkpoints import loadCheckpoint
from ..pipeline.parameters import loadYAML, mergeParameters
from . import regression, shape_of_arbitrary_drum, shape_of_polygonal_drum
from .dim_of_rectangular_drum import DimOfRectangularDrum
from .shape_of_arbitrary_drum import ShapeOfArbitraryDrum
from .shape_of_polygonal_drum import ShapeOfPolygonalDrum
from .size_of_circular_drum import SizeOfCircularDrum

__all__ = [
    'RESUMABLE_CHANGES',
    'ROUTINES',
    'ROUTINE_SAMPLERS',
    'DimOfRectangularDrum',
    'ShapeOfArbitraryDrum',
    'ShapeOfPolygonalDrum',
    'SizeOfCircularDrum',
    'resumeSettings',
    'routineParameters',
    'runRoutine',
]

ROUTINES: dict[str, Callable[..., dict[str, Any]]] = {
    'size_of_circular_drum': SizeOfCircularDrum,
    'dim_of_rectangular_drum': DimOfRectangularDrum,
    'shape_of_polygonal_drum': ShapeOfPolygonalDrum,
    'shape_of_arbitrary_drum': ShapeOfArbitraryDrum,
}
"""Each routine by its name (the `--routine` of `kac-prediction train`)."""

_DEFAULTS: dict[str, Callable[[], dict[str, Any]]] = {
    'size_of_circular_drum': regression.defaultParameters,
    'dim_of_rectangular_drum': regression.defaultParameters,
    'shape_of_polygonal_drum': shape_of_polygonal_drum.defaultParameters,
    'shape_of_arbitrary_drum': shape_of_arbitrary_drum.defaultParameters,
}


ROUTINE_SAMPLERS: dict[str, str] = {
    'size_of_circular_drum': 'BesselModel',
    'dim_of_rectangular_drum': 'PoissonModel',
    'shape_of_polygonal_drum': 'FDTDModel',
    'shape_of_arbitrary_drum': 'EigenmodeModel',
}
"""The sampler whose drums each routine hears (how `resumeSettings` tells a run's routine)."""

RESUMABLE_CHANGES = frozenset({'num_of_epochs', 'patience', 'with_early_stopping', 'checkpoint_every', 'num_workers',
                               'device'})  # fmt: skip
"""Parameters a resumed run may change; the others fix its data, split and model, so they stay as recorded."""


def routineParameters(name: str, config_path: str = '', overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The parameters the routine `name` runs with, wandb.config aside: its defaults ← the YAML file at config_path ←
    `overrides`, validated as `Routine.setParameters` does, and the model settings as the model does. Raises the same
    errors (ValueError listing the routines for an unknown name; FileNotFoundError, ValueError or TypeError for a bad
    file or parameter), before anything is written."""
    if name not in ROUTINES:
        raise ValueError(f'unknown routine {name!r}; the routines are {", ".join(ROUTINES)}.')
    P = mergeParameters(_DEFAULTS[name](), loadYAML(config_path) if config_path else None, None, overrides)
    checkCRePESettings(P['depth'], P['dropout'], P['learning_rate'], P['optimiser'])
    if 'architecture' in P:
        regression.checkArchitecture(P)
    if 'grid_size' in P:
        checkCount('grid_size', P['grid_size'], minimum=4, meaning='cells per side of the mask')
    if 'iou_weight' in P:
        checkNumber('iou_weight', P['iou_weight'], minimum=0.0, inclusive=True)
    return P


def resumeSettings(run_dir: str | os.PathLike[str], name: str = '') -> tuple[str, dict[str, Any], str]:
    """(routine name, recorded parameters, dataset directory) of the run in `run_dir`, read from its last.pt.

    The routine is the one whose sampler made the run's dataset (`ROUTINE_SAMPLERS`); `name`, if given, must agree.
    FileNotFoundError when run_dir holds no last.pt; ValueError when the routine cannot be told or disagrees."""
    last = Path(run_dir) / 'last.pt'
    if not last.is_file():
        raise FileNotFoundError(f'cannot resume {os.fspath(run_dir)}: {last} does not exist (give a run directory).')
    checkpoint = loadCheckpoint(last)
    recorded = dict(checkpoint['hyperparameters'])
    sampler = checkpoint['dataset']['sampler'].get('name', '')
    inferred = [routine for routine, made_by in ROUTINE_SAMPLERS.items() if made_by == sampler]
    if name and inferred and name not in inferred:
        raise ValueError(f'{run_dir} was trained by the routine {inferred[0]} (drums of {sampler}), not {name}.')
    if not name:
        if len(inferred) != 1:
            raise ValueError(f'cannot tell which routine trained {run_dir} (drums of {sampler!r}): pass --routine.')
        name = inferred[0]
    dataset_dir = str(checkpoint['dataset']['dataset_dir'])
    if recorded.get('testing'):  # a smoke run generates into <dataset_dir>/testing-<Sampler>
        dataset_dir = os.path.dirname(dataset_dir)
    return name, recorded, dataset_dir


def runRoutine(
    name: str,
    config_path: str = '',
    overrides: Mapping[str, Any] | None = None,
    wandb_config: Mapping[str, Any] = {},
    dataset_dir: str = '',
    exports_dir: str = 'model',
    resume: str = '',
) -> dict[str, Any]:
    """Run the routine `name` (a key of ROUTINES) and return its metrics ({'validation_loss', 'testing_loss',
    'epochs', 'exports_dir', 'metrics'}). Parameters: the routine's defaults ← the YAML file at config_path ←
    `overrides` ← wandb.config, validated (`routineParameters` first, so that bad parameters fail before a run
    directory is made). ValueError for an unknown name, listing the routines.

    resume: a run directory to continue from its last.pt (bit-exactly as if never stopped). name may then be '' (the
    run's routine is used, `resumeSettings`); the run's recorded parameters are used, `overrides` may change only
    RESUMABLE_CHANGES (e.g. more epochs), config_path must be '' and dataset_dir defaults to the run's own."""
    if resume:
        if config_path:
            raise ValueError('a resumed run keeps its recorded parameters: give changes as --key=value, not --config.')
        name, recorded, recorded_dir = resumeSettings(resume, name)
        fixed = sorted(key for key, value in (overrides or {}).items()
                       if key not in RESUMABLE_CHANGES and recorded.get(key, value) != value)  # fmt: skip
        if fixed:
            raise ValueError(
                f"cannot change {', '.join(fixed)} when resuming {resume}: they fix the run's data, split and model "
                f'(only {", ".join(sorted(RESUMABLE_CHANGES))} may change); start a new run instead.'
            )
        overrides = {**recorded, **(overrides or {})}
        dataset_dir = dataset_dir or recorded_dir
    routineParameters(name, config_path, overrides)
    return ROUTINES[name](
        config_path, wandb_config, dataset_dir=dataset_dir, exports_dir=exports_dir, overrides=overrides, resume=resume
    )
