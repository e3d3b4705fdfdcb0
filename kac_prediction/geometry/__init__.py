"""Geometry of drums: shapes, random polygon generators, normalisation, line tests and Weyl's condition."""

from .convex_polygon import ConvexPolygon
from .ellipse import Circle, Ellipse
from .irregular_star import IrregularStar
from .lines import IntersectionType, isColinear, largestVector, lineIntersection
from .normalise import normaliseConvexPolygon, normalisePolygon, normaliseSimplePolygon, scalePolygonByArea
from .polygon import Polygon
from .polygon_family import FAMILIES, PolygonFamily
from .rectangle import UnitRectangle
from .similarity import bestAlignment, discIoU, outlineIoU, principalPose
from .travelling_salesman_polygon import TravellingSalesmanPolygon
from .types import Shape, ShapeLabels, ShapeSettings, Vertices
from .weyl import weylCondition

__all__ = [
    'FAMILIES',
    'Circle',
    'ConvexPolygon',
    'Ellipse',
    'IntersectionType',
    'IrregularStar',
    'Polygon',
    'PolygonFamily',
    'Shape',
    'ShapeLabels',
    'ShapeSettings',
    'TravellingSalesmanPolygon',
    'UnitRectangle',
    'Vertices',
    'bestAlignment',
    'discIoU',
    'isColinear',
    'largestVector',
    'lineIntersection',
    'normaliseConvexPolygon',
    'normalisePolygon',
    'normaliseSimplePolygon',
    'outlineIoU',
    'principalPose',
    'scalePolygonByArea',
    'weylCondition',
]
