"""The example routines: each trains and evaluates one model end to end and returns its metrics.

    from kac_prediction.routines import runRoutine
    metrics = runRoutine('size_of_circular_drum', overrides={'num_of_epochs': 1}, exports_dir='model')

| name | drums | model → labels |
|---|---|---|
| size_of_circular_drum | BesselModel | SpectrumCRePE → drum_size (diameter, m) |
| dim_of_rectangular_drum | PoissonModel | SpectrumCRePE → drum_size (√area, m), aspect_ratio |
| shape_of_polygonal_drum | FDTDModel, convex polygons | OutlineCRePE → drum_size (√area, m), outline mask |

regression.py holds the code the first two share.
"""

from collections.abc import Callable, Mapping
from typing import Any

from ..pipeline.parameters import loadYAML, mergeParameters
from . import regression, shape_of_polygonal_drum
from .dim_of_rectangular_drum import DimOfRectangularDrum
from .shape_of_polygonal_drum import ShapeOfPolygonalDrum
from .size_of_circular_drum import SizeOfCircularDrum

__all__ = [
    'ROUTINES',
    'DimOfRectangularDrum',
    'ShapeOfPolygonalDrum',
    'SizeOfCircularDrum',
    'routineParameters',
    'runRoutine',
]

ROUTINES: dict[str, Callable[..., dict[str, Any]]] = {
    'size_of_circular_drum': SizeOfCircularDrum,
    'dim_of_rectangular_drum': DimOfRectangularDrum,
    'shape_of_polygonal_drum': ShapeOfPolygonalDrum,
}
"""Each routine by its name (the `--routine` of `kac-prediction train`)."""

_DEFAULTS: dict[str, Callable[[], dict[str, Any]]] = {
    'size_of_circular_drum': regression.defaultParameters,
    'dim_of_rectangular_drum': regression.defaultParameters,
    'shape_of_polygonal_drum': shape_of_polygonal_drum.defaultParameters,
}


def routineParameters(name: str, config_path: str = '', overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The parameters the routine `name` runs with, wandb.config aside: its defaults ← the YAML file at config_path ←
    `overrides`, validated as `Routine.setParameters` does. Raises the same errors (ValueError listing the routines
    for an unknown name; FileNotFoundError, ValueError or TypeError for a bad file or parameter), before anything is
    written."""
    if name not in ROUTINES:
        raise ValueError(f'unknown routine {name!r}; the routines are {", ".join(ROUTINES)}.')
    return mergeParameters(_DEFAULTS[name](), loadYAML(config_path) if config_path else None, None, overrides)


def runRoutine(
    name: str,
    config_path: str = '',
    overrides: Mapping[str, Any] | None = None,
    wandb_config: Mapping[str, Any] = {},
    dataset_dir: str = '',
    exports_dir: str = 'model',
) -> dict[str, Any]:
    """Run the routine `name` (a key of ROUTINES) and return its metrics ({'validation_loss', 'testing_loss',
    'epochs', 'exports_dir', 'metrics'}). Parameters: the routine's defaults ← the YAML file at config_path ←
    `overrides` ← wandb.config, validated (`routineParameters` first, so that bad parameters fail before a run
    directory is made). ValueError for an unknown name, listing the routines."""
    routineParameters(name, config_path, overrides)
    return ROUTINES[name](
        config_path, wandb_config, dataset_dir=dataset_dir, exports_dir=exports_dir, overrides=overrides
    )
