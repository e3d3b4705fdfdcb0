"""Generic argument checks, the one copy used by every layer (docs/architecture.md, "Files and errors").

Every check takes the argument's name first, returns the value converted (float, int, float64 array) and raises
with a message that names the argument, the violated condition and the value it got. bool is never a number here
(`True` is not 1). Two families differ only in the exception raised for a value of the wrong type:

- `checkNumber`, `checkCount`, `checkPositiveArray`, `checkPoints`, `parseRange`, `checkChoice`: ValueError for
  every violation (settings and physical quantities).
- `checkReal`, `checkInteger` (and `checkModeCounts`): TypeError when the value is not a number or not an integer,
  ValueError when it is one but out of range.

Bounds are written with symbols: "> 0", "≥ 1".
"""

import math
import numbers
from collections.abc import Iterable
from typing import Any, TypeGuard

import numpy as np
import numpy.typing as npt

__all__ = [
    'checkChoice',
    'checkCount',
    'checkInteger',
    'checkModeCounts',
    'checkNumber',
    'checkPoints',
    'checkPositiveArray',
    'checkReal',
    'isNumber',
    'isNumericArray',
    'parseRange',
]


def _bound(minimum: float, inclusive: bool) -> str:
    return f'{"≥" if inclusive else ">"} {minimum:g}'


def _aside(text: str) -> str:
    """' (text)', or '' for no text."""
    return f' ({text})' if text else ''


def isNumber(value: object) -> TypeGuard[float]:
    """Whether `value` is a real number (Python or NumPy int or float) and not a bool; NaN and inf are numbers. (For
    the type checker it narrows `value` to float, which every real number acts as.)"""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def isNumericArray(value: object) -> bool:
    """Whether `value` converts to a NumPy array of integers or floats (bool and complex arrays excluded)."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return False
    return array.dtype.kind in 'iuf'


def checkNumber(name: str, value: object, unit: str = '', minimum: float = 0.0, inclusive: bool = False) -> float:
    """`value` as a float. ValueError unless it is a number (`isNumber`), finite and > `minimum` (≥ with
    `inclusive`); `unit` (e.g. 'Hz') is quoted in the message."""
    number = float(value) if isNumber(value) else math.nan
    if not ((number >= minimum if inclusive else number > minimum) and number < math.inf):
        raise ValueError(f'{name} must be a finite number {_bound(minimum, inclusive)}{_aside(unit)}, got {value!r}.')
    return number


def checkReal(name: str, value: object, minimum: float | None = None, inclusive: bool = False) -> float:
    """`value` as a float. TypeError unless it is a number (`isNumber`); ValueError unless it is finite and, when
    `minimum` is given, > `minimum` (≥ with `inclusive`)."""
    if not isNumber(value):
        raise TypeError(f'{name} must be a real number, got {value!r} of type {type(value).__name__}.')
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f'{name} must be finite, got {number}.')
    if minimum is not None and not (number >= minimum if inclusive else number > minimum):
        raise ValueError(f'{name} must be {_bound(minimum, inclusive)}, got {number}.')
    return number


def checkInteger(name: str, value: object, minimum: int | None = None, meaning: str = '') -> int:
    """`value` as an int. TypeError unless it is an integer (Python or NumPy, not bool); ValueError if it is below
    `minimum` (when given). `meaning` (e.g. 'nodes per side') is quoted in the message."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f'{name} must be an integer{_aside(meaning)}, got {value!r} of type {type(value).__name__}.')
    integer = int(value)
    if minimum is not None and integer < minimum:
        raise ValueError(f'{name} must be ≥ {minimum}{_aside(meaning)}, got {integer}.')
    return integer


def checkCount(name: str, value: object, minimum: int = 1, meaning: str = '') -> int:
    """`value` as an int. ValueError unless it is an integer (Python or NumPy, not bool) ≥ `minimum`; `meaning`
    (e.g. 'output samples') is quoted in the message."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f'{name} must be an int ≥ {minimum}{_aside(meaning)}, got {value!r}.')
    return int(value)


def _equal(value: Any, option: Any) -> bool:
    if isinstance(value, (bool, np.bool_)) != isinstance(option, (bool, np.bool_)):
        return False
    try:
        return bool(value == option)
    except (TypeError, ValueError):
        return False


def checkChoice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """`value` itself. ValueError unless it equals one of `choices` (a bool never equals a number: True is not 1)."""
    options = list(choices)
    if not any(_equal(value, option) for option in options):
        listed = ' or '.join(map(repr, options)) if len(options) <= 2 else 'one of ' + ', '.join(map(repr, options))
        raise ValueError(f'{name} must be {listed}, got {value!r}.')
    return value


def checkPositiveArray(name: str, value: npt.ArrayLike, unit: str) -> npt.NDArray[np.float64]:
    """`value` (a number or an array of any shape) as a float64 array. ValueError unless every entry is finite and
    > 0; `unit` is quoted in the message."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        array = np.array(math.nan)
    if not np.all(np.isfinite(array)) or np.any(array <= 0.0):
        raise ValueError(f'{name} must be finite and > 0 ({unit}), got {value!r}.')
    return array


def checkPoints(name: str, points: npt.ArrayLike, dimension: int, description: str) -> npt.NDArray[np.float64]:
    """`points` as a float64 array of shape (..., `dimension`). ValueError unless its last axis has `dimension`
    entries and every entry is finite; `description` (e.g. 'polar (r, θ)') is quoted in the message."""
    try:
        array = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError):
        array = np.zeros(0)
    if array.ndim == 0 or array.shape[-1] != dimension:
        raise ValueError(f'{name} must have {dimension} coordinates on its last axis ({description}), got {points!r}.')
    if not np.all(np.isfinite(array)):
        raise ValueError(f'{name} must be finite ({description}), got {points!r}.')
    return array


def checkModeCounts(N: object, M: object) -> tuple[int, int]:
    """(N, M), the numbers of modes along the two axes of a mode table, as ints: each an integer ≥ 1 (`checkInteger`:
    TypeError for a non-integer, ValueError below 1)."""
    meaning = 'the number of modes along that axis'
    return checkInteger('N', N, 1, meaning), checkInteger('M', M, 1, meaning)


def parseRange(name: str, value: object, minimum: float = 0.0, inclusive: bool = False) -> tuple[float, float]:
    """A setting that is a number (fixed) or a (min, max) pair (tuple or list) of numbers, as floats (low, high).
    ValueError unless both are finite, > `minimum` (≥ with `inclusive`) and low ≤ high."""
    pair = value if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(isNumber(v) for v in pair):
        raise ValueError(f'{name} must be a number or a (min, max) pair of numbers, got {value!r}.')
    low, high = float(pair[0]), float(pair[1])
    if not ((low >= minimum if inclusive else low > minimum) and low <= high < math.inf):
        raise ValueError(
            f'{name} must be finite and {_bound(minimum, inclusive)}, and a range must have min ≤ max; got {value!r}.'
        )
    return low, high
