"""Drawing drums of any shape for the samplers (FDTDModel, EigenmodeModel): the `arbitrary_shape` setting, the shape
as a shapely region, its labels in the canonical frame and its centre."""

import importlib
import inspect
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
import shapely.affinity
import shapely.ops

from .. import geometry
from ..geometry import Ellipse, Polygon, Shape, ShapeLabels
from .audio_sampler import Labels, itemRNG
from .membrane import checkRandom

__all__ = [
    'MIN_INRADIUS',
    'canonicalLabels',
    'checkShapeSettings',
    'drawDrumShape',
    'drawShape',
    'farthestInside',
    'parseListening',
    'resolveShape',
    'shapeItemLabels',
    'shapeRegion',
]

_ELLIPSE_SEGMENTS = 256  # quarter-circle segments of the polygon inscribed in an ellipse (distance error ≈ 5e-6 a)
MIN_INRADIUS = 0.05
"""The least radius of a drawn drum's largest inscribed circle, in units of √area. Below it (a rectangle of aspect ratio
over 100, a needle-like triangle) a membrane is too thin to sound in the audio band or to hold a grid cell of FDTD at
the smallest sizes, so `drawDrumShape` draws again."""
_REDRAWS = 100


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


def checkShapeSettings(Class: type[Shape], name: str, shape_settings: object) -> tuple[dict[str, Any], bool]:
    """The `shape_settings` of a sampler drawing `Class` (recorded as `name`) as a dict, and whether `Class` takes an
    `rng`; TypeError for anything but a mapping or None, ValueError if it holds `rng`."""
    if shape_settings is not None and not isinstance(shape_settings, Mapping):
        raise TypeError(f'shape_settings must be a dict of {name} keyword arguments or None, got {shape_settings!r}.')
    settings = dict(shape_settings or {})
    if 'rng' in settings:
        raise ValueError('shape_settings must not contain rng: each drum is drawn from a generator of the seed.')
    return settings, 'rng' in inspect.signature(Class).parameters


def parseListening(listening_location: object) -> tuple[bool, tuple[float, float] | None]:
    """(random, point) of the `listening_location` setting: 'random' (drawn per item), None (each drum's centre) or
    (x, y) in the canonical frame; ValueError otherwise."""
    if isinstance(listening_location, str):
        checkRandom(listening_location)
        return True, None
    if listening_location is None:
        return False, None
    location = np.asarray(listening_location, dtype=np.float64)
    if location.shape != (2,) or not np.all(np.isfinite(location)):
        raise ValueError(
            f'listening_location must be (x, y) in the canonical frame [−1, 1]² or None, got {listening_location!r}.'
        )
    return False, (float(location[0]), float(location[1]))


def drawDrumShape(
    Class: type[Shape], shape_settings: Mapping[str, Any], takes_rng: bool, seed: int, drum_id: int
) -> tuple[Shape, np.random.Generator]:
    """Drum `drum_id`'s shape and the generator its size and membrane are drawn from next: `drawShape` with
    `itemRNG(seed, 0, drum_id)`; a random shape thinner than `MIN_INRADIUS` (a sliver) is drawn again from
    `itemRNG(seed, 2, drum_id)` until it is not, so every other drum is as before and both samplers draw the same
    drums. A fixed shape (no `rng`) is kept as it is. ValueError when 100 draws in a row are slivers."""
    rng = itemRNG(seed, 0, drum_id)
    shape = drawShape(Class, shape_settings, takes_rng, rng)
    if not takes_rng or not _isSliver(shape):
        return shape, rng
    rng = itemRNG(seed, 2, drum_id)
    for _ in range(_REDRAWS):
        shape = drawShape(Class, shape_settings, takes_rng, rng)
        if not _isSliver(shape):
            return shape, rng
    raise ValueError(
        f'drum {drum_id}: {_REDRAWS} draws of {Class.__name__}({dict(shape_settings)!r}) were all slivers (largest '
        f'inscribed circle below {MIN_INRADIUS}·√area); change shape_settings.'
    )


def _isSliver(shape: Shape) -> bool:
    """Whether the shape's largest inscribed circle has a radius below MIN_INRADIUS·√area (False without a region)."""
    region = shapeRegion(shape)
    if region is None:
        return False
    if not region.area > 0.0:  # no area at all: thinner than any sliver
        return True
    scale = float(np.sqrt(region.area))
    radius = shapely.maximum_inscribed_circle(region, 1e-3 * scale).length
    return bool(radius < MIN_INRADIUS * scale)


def drawShape(Class: type[Shape], shape_settings: Mapping[str, Any], takes_rng: bool, rng: Any) -> Shape:
    """`Class(**shape_settings)`, drawn with `rng` when it takes one; TypeError naming settings that do not fit."""
    try:
        return Class(**shape_settings, **({'rng': rng} if takes_rng else {}))
    except TypeError as error:
        raise TypeError(f'shape_settings {dict(shape_settings)!r} do not fit {Class.__name__}: {error}') from error


def shapeItemLabels(
    drum: Any,
    strike: Sequence[float],
    listening: Sequence[float],
    fixed_listening: Sequence[float] | None,
    duration: float | None,
) -> Labels:
    """An item's labels: the drum's shape labels (canonical frame), `drum_id`, `drum_size`, `sample_location` (the
    setting when fixed, else the drum's point in the canonical frame), `strike_location`, the drum's membrane values,
    and `strike_duration` when not None (a drawn duration); sorted by name. `drum` has `labels`, `drum_id`, `size`,
    `material` and `canonical(point)`."""
    labels: Labels = {key: list(value) for key, value in drum.labels.items()}
    labels['drum_id'] = [drum.drum_id]
    labels['drum_size'] = [drum.size]
    labels['sample_location'] = list(fixed_listening) if fixed_listening is not None else drum.canonical(listening)
    labels['strike_location'] = drum.canonical(strike)
    labels.update({key: [value] for key, value in drum.material.items()})
    if duration is not None:
        labels['strike_duration'] = [duration]
    return dict(sorted(labels.items()))
