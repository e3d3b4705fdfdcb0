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

from .dim_of_rectangular_drum import DimOfRectangularDrum
from .shape_of_polygonal_drum import ShapeOfPolygonalDrum
from .size_of_circular_drum import SizeOfCircularDrum

__all__ = ['ROUTINES', 'DimOfRectangularDrum', 'ShapeOfPolygonalDrum', 'SizeOfCircularDrum', 'runRoutine']

ROUTINES: dict[str, Callable[..., dict[str, Any]]] = {
    'size_of_circular_drum': SizeOfCircularDrum,
    'dim_of_rectangular_drum': DimOfRectangularDrum,
    'shape_of_polygonal_drum': ShapeOfPolygonalDrum,
}
"""Each routine by its name (the `--routine` of `kac-prediction train`)."""


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
    `overrides` ← wandb.config, validated. ValueError for an unknown name, listing the routines."""
    if name not in ROUTINES:
        raise ValueError(f'unknown routine {name!r}; the routines are {", ".join(ROUTINES)}.')
    return ROUTINES[name](
        config_path, wandb_config, dataset_dir=dataset_dir, exports_dir=exports_dir, overrides=overrides
    )
