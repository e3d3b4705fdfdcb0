"""Drawing drums of any shape for the samplers (FDTDModel, EigenmodeModel): the `arbitrary_shape` setting, the shape
as a shapely region, its labels in the canonical frame and its centre."""

import importlib
import inspect
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
import shapely.affinity
import shapely.ops

from .. import geometry
from ..geometry import Ellipse, Polygon, Shape, ShapeLabels

__all__ = ['canonicalLabels', 'farthestInside', 'resolveShape', 'shapeRegion']

_ELLIPSE_SEGMENTS = 256  # quarter-circle segments of the polygon inscribed in an ellipse (distance error ≈ 5e-6 a)


def _shapeClasses() -> dict[str, type[Shape]]:
    """The concrete Shape classes that kac_prediction.geometry exports, by name."""
    found = {}
    for name in geometry.__all__:
        value = getattr(geometry, name)
        if isinstance(value, type) and issubclass(value, Shape) and not inspect.isabstract(value):
            found[name] = value
    return found


def resolveShape(value: object) -> tuple[type[Shape], str]:
    """(class, recorded name) of the `arbitrary_shape` setting: a Shape subclass, its name in kac_prediction.geometry,
    or 'module:QualifiedName' for a Shape subclass defined elsewhere."""
    known = _shapeClasses()
    choices = ', '.join(sorted(known))
    if isinstance(value, str):
        if value in known:
            return known[value], value
        if ':' in value:
            module, _, qualified = value.partition(':')
            try:
                found: object = importlib.import_module(module)
                for part in qualified.split('.'):
                    found = getattr(found, part)
            except (ImportError, AttributeError) as error:
                raise ValueError(f'arbitrary_shape {value!r} cannot be imported: {error}.') from error
            return resolveShape(found)[0], value
        raise ValueError(
            f'arbitrary_shape {value!r} is not a shape of kac_prediction.geometry; use one of {choices}, a Shape '
            "subclass, or 'module:ClassName'."
        )
    if not (isinstance(value, type) and issubclass(value, Shape)):
        raise TypeError(
            f'arbitrary_shape must be a subclass of kac_prediction.geometry.Shape (e.g. {choices}) or the name of '
            f'one, got {value!r}.'
        )
    if inspect.isabstract(value):
        raise TypeError(f'arbitrary_shape {value.__name__} is abstract; use a concrete shape such as {choices}.')
    name = value.__name__
    if known.get(name) is value:
        return value, name
    return value, f'{value.__module__}:{value.__qualname__}'


def shapeRegion(shape: Shape) -> Any:
    """The shape as a shapely geometry (exact for polygons, an inscribed 1024-gon for ellipses), or None."""
    if isinstance(shape, Polygon):
        region = shapely.Polygon(shape.vertices)
        return region if region.is_valid else shapely.make_valid(region)
    if isinstance(shape, Ellipse):
        x, y = shape.centroid
        disc = shapely.Point(x, y).buffer(1.0, quad_segs=_ELLIPSE_SEGMENTS)
        return shapely.affinity.scale(disc, shape.major, shape.minor, origin=(x, y))
    return None


def canonicalLabels(shape: Shape, centre: tuple[float, float], half: float) -> ShapeLabels:
    """The shape's labels with `vertices` mapped to the canonical frame and lengths (`r`, `major`, `minor`) divided
    by the half-extent; other labels (e.g. `N`, `epsilon`) unchanged."""
    labels = shape.getLabels()
    if centre == (0.0, 0.0) and half == 1.0:
        return labels
    out: ShapeLabels = {}
    for key, value in labels.items():
        if key == 'vertices':
            out[key] = ((np.asarray(value, dtype=np.float64) - np.asarray(centre)) / half).tolist()
        elif key in ('r', 'major', 'minor'):
            out[key] = [float(v) / half for v in value]
        else:
            out[key] = value
    return out


def farthestInside(
    shape: Shape, region: Any, X: npt.NDArray[np.float64], Y: npt.NDArray[np.float64], mask: npt.NDArray[np.bool_]
) -> tuple[float, float]:
    """The point farthest inside the shape: shapely's polylabel of its largest part, or the grid node deepest inside."""
    if region is not None:
        parts = list(getattr(region, 'geoms', [region]))
        largest = max((p for p in parts if isinstance(p, shapely.Polygon)), key=lambda p: p.area)
        x_min, y_min, x_max, y_max = largest.bounds
        point = shapely.ops.polylabel(largest, tolerance=1e-4 * max(x_max - x_min, y_max - y_min))
        return (float(point.x), float(point.y))
    from scipy import ndimage

    depth = ndimage.distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]
    i, j = np.unravel_index(int(np.argmax(depth)), mask.shape)
    return (float(X[i, j]), float(Y[i, j]))
