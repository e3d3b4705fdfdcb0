"""kac_prediction._checks: each check accepts what it should and names the argument, the condition and the value."""

import math
from typing import Any

import numpy as np
import pytest

from kac_prediction._checks import (
    checkChoice,
    checkCount,
    checkInteger,
    checkModeCounts,
    checkNumber,
    checkPoints,
    checkPositiveArray,
    checkReal,
    isNumber,
    isNumericArray,
    parseRange,
)

NOT_NUMBERS: list[Any] = [True, False, np.bool_(True), 'x', None, [1.0], (1.0,), 1j, np.array([1.0])]


def test_isNumber() -> None:
    numbers: list[Any] = [0, -3, 2.5, math.nan, math.inf, np.float32(1.5), np.int64(7), np.uint8(3)]
    assert all(isNumber(value) for value in numbers)
    assert not any(isNumber(value) for value in NOT_NUMBERS)


def test_isNumericArray() -> None:
    assert isNumericArray([[0, 1], [2.5, 3]]) and isNumericArray(np.zeros((2, 2), np.float32)) and isNumericArray(4)
    for value in ([True, False], ['a', 'b'], [1j], [[1, 2], [3]], None, {'x': 1}):
        assert not isNumericArray(value), value


def test_checkNumber_accepts_finite_numbers_above_the_minimum() -> None:
    assert checkNumber('x', 2) == 2.0 and isinstance(checkNumber('x', 2), float)
    assert checkNumber('x', np.float32(0.5), 'm') == 0.5
    assert checkNumber('x', 0.0, minimum=0.0, inclusive=True) == 0.0
    assert checkNumber('x', 1.0, minimum=1.0, inclusive=True) == 1.0
    assert checkNumber('x', -0.5, minimum=-1.0) == -0.5


@pytest.mark.parametrize('value', [0.0, -1.0, math.nan, math.inf, -math.inf, *NOT_NUMBERS])
def test_checkNumber_rejects_with_a_value_error_naming_the_argument(value: Any) -> None:
    with pytest.raises(ValueError, match=r'^wave_speed must be a finite number > 0 \(m/s\), got '):
        checkNumber('wave_speed', value, 'm/s')


def test_checkNumber_bounds() -> None:
    with pytest.raises(ValueError, match=r'amplitude must be a finite number ≥ 0, got -0\.1'):
        checkNumber('amplitude', -0.1, inclusive=True)
    with pytest.raises(ValueError, match=r'ratio must be a finite number > 1 \(Lx / Ly\), got 1\.0'):
        checkNumber('ratio', 1.0, 'Lx / Ly', minimum=1.0)


def test_checkReal() -> None:
    assert checkReal('tol', -2) == -2.0 and checkReal('tol', 0.0, minimum=0.0, inclusive=True) == 0.0
    for value in NOT_NUMBERS:
        with pytest.raises(TypeError, match=r'^major must be a real number, got .* of type '):
            checkReal('major', value)
    for value in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match=r'^major must be finite, got '):
            checkReal('major', value)
    with pytest.raises(ValueError, match=r'^area must be > 0, got 0\.0\.$'):
        checkReal('area', 0.0, minimum=0.0)
    with pytest.raises(ValueError, match=r'^tol must be ≥ 0, got -1\.0\.$'):
        checkReal('tol', -1, minimum=0.0, inclusive=True)


def test_checkInteger() -> None:
    assert checkInteger('N', np.int64(3), 1) == 3 and type(checkInteger('N', np.int64(3))) is int
    assert checkInteger('N', -5) == -5
    for value in (2.0, math.nan, True, np.bool_(False), '3', None):
        with pytest.raises(TypeError, match=r'^grid_size must be an integer \(nodes per side\), got .* of type '):
            checkInteger('grid_size', value, 2, 'nodes per side')
    with pytest.raises(ValueError, match=r'^grid_size must be ≥ 2 \(nodes per side\), got 1\.$'):
        checkInteger('grid_size', 1, 2, 'nodes per side')
    with pytest.raises(ValueError, match=r'^max_vertices must be ≥ 3, got 2\.$'):
        checkInteger('max_vertices', 2, 3)


def test_checkCount() -> None:
    assert checkCount('length', 1) == 1 and checkCount('seed', np.uint32(0), 0) == 0
    for value in (0, -1, 1.0, 2.5, math.inf, math.nan, True, np.bool_(True), '2', None):
        with pytest.raises(ValueError, match=r'^length must be an int ≥ 1 \(output samples\), got '):
            checkCount('length', value, 1, 'output samples')
    with pytest.raises(ValueError, match=r'^steps must be an int ≥ 2, got 1\.$'):
        checkCount('steps', 1, 2)


def test_checkChoice() -> None:
    assert checkChoice('device', 'cuda', ('cpu', 'cuda')) == 'cuda'
    assert checkChoice('bit_depth', np.int64(24), (16, 24, 32)) == 24
    with pytest.raises(ValueError, match=r"^device must be 'cpu' or 'cuda', got 'tpu'\.$"):
        checkChoice('device', 'tpu', ('cpu', 'cuda'))
    with pytest.raises(ValueError, match=r'^bit_depth must be one of 16, 24, 32, got 8\.$'):
        checkChoice('bit_depth', 8, (16, 24, 32))
    with pytest.raises(ValueError, match='flag must be'):
        checkChoice('flag', True, (0, 1))
    with pytest.raises(ValueError, match='device must be'):
        checkChoice('device', np.array(['cpu', 'cpu']), ('cpu', 'cuda'))


def test_checkPositiveArray() -> None:
    np.testing.assert_array_equal(checkPositiveArray('h', [1, 2.5], 'm'), [1.0, 2.5])
    assert checkPositiveArray('h', 3, 'm').dtype == np.float64
    bad: list[Any] = [0.0, [1.0, -1.0], [1.0, math.nan], math.inf, 'x', None, [[1.0], [2.0, 3.0]]]
    for value in bad:
        with pytest.raises(ValueError, match=r'^h must be finite and > 0 \(m\), got '):
            checkPositiveArray('h', value, 'm')


def test_checkPoints() -> None:
    assert checkPoints('strike', [[0.1, 0.2], [0.3, 0.4]], 2, '(x, y)').shape == (2, 2)
    wrong: list[Any] = [0.5, [0.5], [0.1, 0.2, 0.3], 'ab', None]
    for value in wrong:
        with pytest.raises(ValueError, match=r'^strike must have 2 coordinates on its last axis \(\(x, y\) in m\)'):
            checkPoints('strike', value, 2, '(x, y) in m')
    infinite: list[Any] = [[0.1, math.nan], [[0.1, 0.2], [math.inf, 0.0]]]
    for value in infinite:
        with pytest.raises(ValueError, match=r'^strike must be finite \(\(x, y\) in m\), got '):
            checkPoints('strike', value, 2, '(x, y) in m')


def test_checkModeCounts() -> None:
    assert checkModeCounts(np.int32(2), 5) == (2, 5)
    with pytest.raises(ValueError, match=r'^N must be ≥ 1 \(the number of modes along that axis\), got 0'):
        checkModeCounts(0, 3)
    with pytest.raises(TypeError, match=r'^M must be an integer \(the number of modes along that axis\)'):
        checkModeCounts(3, 2.0)
    with pytest.raises(TypeError, match='^M must be an integer'):
        checkModeCounts(3, True)


def test_parseRange() -> None:
    assert parseRange('drum_size', 0.5) == (0.5, 0.5)
    assert parseRange('drum_size', [0.1, 0.4]) == (0.1, 0.4) and parseRange('d', (np.float32(1), 2)) == (1.0, 2.0)
    assert parseRange('aspect_ratio', (1.0, 4.0), minimum=1.0, inclusive=True) == (1.0, 4.0)
    shapes: list[Any] = [(0.1, 0.2, 0.3), ('a', 'b'), (True, 1.0), None, 'x', [1.0]]
    for value in shapes:
        with pytest.raises(ValueError, match=r'^drum_size must be a number or a \(min, max\) pair of numbers, got '):
            parseRange('drum_size', value)
    ranges: list[Any] = [0.0, -1.0, (0.4, 0.1), (0.1, math.inf), (math.nan, 1.0), (0.1, math.nan), math.inf]
    for value in ranges:
        with pytest.raises(ValueError, match=r'^drum_size must be finite and > 0, and a range must have min ≤ max'):
            parseRange('drum_size', value)
    with pytest.raises(ValueError, match=r'^aspect_ratio must be finite and ≥ 1, and a range'):
        parseRange('aspect_ratio', 0.5, minimum=1.0, inclusive=True)
