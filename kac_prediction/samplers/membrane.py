"""The membrane's own settings, shared by every drum sampler: material, loss and stiffness, each a number or a
(min, max) range drawn per drum (docs/architecture.md, "Physics conventions").

A drum's values are drawn from its geometry generator `itemRNG(seed, 0, drum)`, after its geometry, in the order
tension, material_density, decay_time, decay_time_high, stiffness, and only for the settings that are ranges (each
uniform over its range): a setting given as a number draws nothing, so the defaults reproduce earlier datasets.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import checkNumber, isNumber, parseRange
from ..physics import lossCoefficients

__all__ = ['Membrane', 'Setting', 'checkRandom', 'drawSetting', 'parseSetting']

Setting = float | tuple[float, float]
"""A setting that is a number (fixed) or a (min, max) range drawn per drum or per item."""


def parseSetting(
    name: str, value: object, unit: str, minimum: float = 0.0, inclusive: bool = False, infinite: bool = False
) -> tuple[float, float]:
    """`value`, a number or a (min, max) range, as (low, high) through `checkNumber` / `parseRange`; ValueError
    naming `name`, its `unit` and the fix. With `infinite`, the number inf is allowed too (inf, inf)."""
    if isNumber(value):
        if infinite and value == math.inf:
            return (math.inf, math.inf)
        if infinite and not value > minimum:
            raise ValueError(f'{name} must be > {minimum:g} ({unit}), or inf for none, got {value!r}.')
        number = checkNumber(name, value, unit, minimum, inclusive)
        return (number, number)
    try:
        return parseRange(name, value, minimum, inclusive)
    except ValueError:
        bound = f'{"≥" if inclusive else ">"} {minimum:g}'
        raise ValueError(
            f'{name} must be {bound} ({unit}){" or inf" if infinite else ""}: a finite number or a (min, max) range '
            f'with min ≤ max, got {value!r}; give e.g. {name}=(a, b) with {minimum:g} {"≤" if inclusive else "<"} '
            'a ≤ b.'
        ) from None


def checkRandom(location: object) -> None:
    """ValueError unless the string setting listening_location is 'random' (a point drawn per item)."""
    if location != 'random':
        raise ValueError(
            f"listening_location must be a point, None (the centre) or 'random' (drawn per item), got {location!r}."
        )


def drawSetting(value: tuple[float, float], rng: np.random.Generator) -> float:
    """low when the setting is fixed (low == high, nothing drawn), else uniform in [low, high)."""
    low, high = value
    return low if low == high else float(rng.uniform(low, high))


@dataclass(frozen=True)
class Membrane:
    """The parsed settings: tension (N/m), material_density (kg/m²), decay_time (T60 in s at 0 Hz),
    decay_time_high (T60 in s at decay_frequency_high Hz, or None), stiffness κ (m²/s), each (low, high)."""

    tension: tuple[float, float]
    material_density: tuple[float, float]
    decay_time: tuple[float, float]
    decay_time_high: tuple[float, float] | None
    decay_frequency_high: float
    stiffness: tuple[float, float]

    @classmethod
    def fromSettings(cls, settings: Mapping[str, Any]) -> 'Membrane':
        """Parse and check the settings (`stiffness` may be absent: 0). ValueError names the setting, unit and fix;
        ranges of decay_time_high must lie at or below those of decay_time (losses grow with frequency)."""
        tension = parseSetting('tension', settings['tension'], 'N/m')
        density = parseSetting('material_density', settings['material_density'], 'kg/m²')
        decay = parseSetting('decay_time', settings['decay_time'], 's, the T60 at 0 Hz', infinite=True)
        f_high = checkNumber(
            'decay_frequency_high', settings.get('decay_frequency_high', 1000.0), 'Hz, where decay_time_high applies'
        )
        high = None
        if settings.get('decay_time_high') is not None:
            high = parseSetting(
                'decay_time_high', settings['decay_time_high'], f's, the T60 at decay_frequency_high = {f_high:g} Hz',
                infinite=True,
            )  # fmt: skip
            if high[1] > decay[0]:
                raise ValueError(
                    f'decay_time_high {settings["decay_time_high"]!r} (the T60 at {f_high:g} Hz) must not exceed '
                    f'decay_time {settings["decay_time"]!r} (the T60 at 0 Hz; every value of a range): membrane '
                    'losses grow with frequency (σ₁ ≥ 0). Lower decay_time_high, or use None for a '
                    'frequency-independent decay.'
                )
        stiffness = parseSetting('stiffness', settings.get('stiffness', 0.0), 'm²/s, κ', inclusive=True)
        return cls(tension, density, decay, high, f_high, stiffness)

    @property
    def wave_speed(self) -> float | None:
        """c = sqrt(tension / density) in m/s when both are fixed, else None (drawn per drum)."""
        if self.tension[0] != self.tension[1] or self.material_density[0] != self.material_density[1]:
            return None
        return math.sqrt(self.tension[0] / self.material_density[0])

    @property
    def loss(self) -> float | None:
        """σ₁ in s (σ(ω) = σ₀ + σ₁ω²) when decay_time and decay_time_high are fixed, else None."""
        high = self.decay_time_high
        if self.decay_time[0] != self.decay_time[1] or (high is not None and high[0] != high[1]):
            return None
        return float(
            lossCoefficients(self.decay_time[0], None if high is None else high[0], self.decay_frequency_high)[1]
        )

    def drawn(self) -> list[str]:
        """The labels that `draw` adds besides `wave_speed`: the loss and stiffness settings that are ranges."""
        names = ['decay_time', 'decay_time_high', 'stiffness']
        values = [self.decay_time, self.decay_time_high, self.stiffness]
        return [name for name, value in zip(names, values, strict=True) if value is not None and value[0] != value[1]]

    def draw(self, rng: np.random.Generator) -> dict[str, float]:
        """One drum's values: `wave_speed` (m/s) always, and `decay_time`, `decay_time_high`, `stiffness` when they
        are ranges (drawn in the module docstring's order)."""
        tension = drawSetting(self.tension, rng)
        density = drawSetting(self.material_density, rng)
        values = {'wave_speed': math.sqrt(tension / density)}
        for name in self.drawn():
            values[name] = drawSetting(getattr(self, name), rng)
        return values

    def value(self, name: str, drum: Mapping[str, float]) -> float | None:
        """A drum's decay_time, decay_time_high or stiffness: drawn (in `drum`) or fixed (None: no decay_time_high)."""
        if name in drum:
            return drum[name]
        setting = getattr(self, name)
        return None if setting is None else float(setting[0])
