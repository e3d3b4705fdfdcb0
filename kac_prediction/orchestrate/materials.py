"""Drum-membrane materials by name: surface density, a typical tension range and the wave speed they give.

    material('mylar-10mil').wave_speed       # m/s, c = sqrt(T/ρ) at the geometric mean of the tension range
    material('calfskin').wave_speed_range    # m/s, c at the low and the high tension
    waveSpeed(material_name='goatskin')      # (c, 'material goatskin')
    waveSpeed()                              # (100.0, 'default')

The table, its sources and which figures are measured, derived or estimated are in docs/materials.md. In short: a
film's surface density is its thickness times the volume density of PET (1390 kg/m³); the skins' are estimates;
every tension range is an estimate, T = ρ·c² over a band of wave speeds c read from documented tuning ranges.
"""

import difflib
import math
from dataclasses import dataclass
from typing import Any

from .._checks import checkNumber

__all__ = ['DEFAULT_WAVE_SPEED', 'MATERIALS', 'Material', 'material', 'waveSpeed']

DEFAULT_WAVE_SPEED = 100.0
"""m/s, the samplers' default membrane: c = sqrt(2000 N/m / 0.2 kg/m²)."""


@dataclass(frozen=True)
class Material:
    """A drum membrane. name: short lowercase key. description: one line. material_density: surface density ρ
    (kg/m², > 0). tension: typical range (low, high) of the tension T (N/m, 0 < low < high). source: citation key of
    docs/materials.md. ValueError for a density or tension range out of bounds."""

    name: str
    description: str
    material_density: float
    tension: tuple[float, float]
    source: str

    def __post_init__(self) -> None:
        checkNumber('material_density', self.material_density, 'kg/m²')
        if len(self.tension) != 2:
            raise ValueError(f'tension must be a range (low, high) in N/m, got {self.tension!r}.')
        low = checkNumber('tension low', self.tension[0], 'N/m')
        high = checkNumber('tension high', self.tension[1], 'N/m')
        if not low < high:
            raise ValueError(f'tension must be a range with low < high (N/m), got {self.tension!r}.')

    @property
    def wave_speed(self) -> float:
        """m/s, c = sqrt(T/ρ) at the geometric mean sqrt(low·high) of the tension range."""
        return math.sqrt(math.sqrt(self.tension[0] * self.tension[1]) / self.material_density)

    @property
    def wave_speed_range(self) -> tuple[float, float]:
        """m/s, (c at the low tension, c at the high tension)."""
        return (
            math.sqrt(self.tension[0] / self.material_density),
            math.sqrt(self.tension[1] / self.material_density),
        )

    def toDict(self) -> dict[str, Any]:
        """The entry as JSON-ready values (SI units: kg/m², N/m, m/s), with wave_speed and wave_speed_range."""
        return {
            'name': self.name,
            'description': self.description,
            'material_density': self.material_density,
            'tension': list(self.tension),
            'source': self.source,
            'wave_speed': self.wave_speed,
            'wave_speed_range': list(self.wave_speed_range),
        }


# Surface densities and tension ranges, their derivations and sources: docs/materials.md.
MATERIALS: dict[str, Material] = {
    m.name: m
    for m in (
        Material(
            'default',
            "the samplers' default membrane: 2000 N/m at 0.2 kg/m², c = 100 m/s",
            0.2,
            (500.0, 8000.0),
            'project',
        ),
        Material(
            'mylar-3mil',
            'thin single-ply polyester (PET) film, 0.076 mm (3 mil): a snare-side (resonant) head',
            0.106,
            (960.0, 3630.0),
            'drum-magazine',
        ),
        Material(
            'mylar-7mil',
            'single-ply polyester (PET) film drum head, 0.18 mm (7 mil)',
            0.247,
            (890.0, 6320.0),
            'modern-drummer-2018',
        ),
        Material(
            'mylar-10mil',
            'single-ply polyester (PET) film drum head, 0.25 mm (10 mil)',
            0.353,
            (1270.0, 9040.0),
            'modern-drummer-2018',
        ),
        Material(
            'mylar-2x7mil',
            'two-ply polyester (PET) film drum head, 2 × 0.18 mm (2 × 7 mil)',
            0.494,
            (1780.0, 12650.0),
            'modern-drummer-2018',
        ),
        Material(
            'timpani-mylar',
            'polyester (PET) film timpani head, about 0.2 mm',
            0.278,
            (700.0, 4000.0),
            'hyperphysics',
        ),
        Material(
            'calfskin',
            'natural calfskin head (timpani, older snare and bass drums), about 0.25 mm (estimate)',
            0.30,
            (610.0, 5070.0),
            'calfskin-vs-mylar',
        ),
        Material(
            'goatskin',
            'natural goatskin head (djembe, rope-tuned), about 0.33 mm (estimate)',
            0.40,
            (1960.0, 11560.0),
            'djembe-skins',
        ),
    )
}


def material(name: str) -> Material:
    """The entry of MATERIALS called `name` (case and surrounding spaces ignored). ValueError for an unknown name,
    listing the known names and suggesting the closest."""
    key = name.strip().lower() if isinstance(name, str) else ''
    if key in MATERIALS:
        return MATERIALS[key]
    close = difflib.get_close_matches(key, MATERIALS, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else '.'
    raise ValueError(f'unknown material {name!r}: choose one of {", ".join(MATERIALS)}{hint}')


def waveSpeed(wave_speed: float | None = None, material_name: str | None = None) -> tuple[float, str]:
    """(c, source): the wave speed c (m/s) given, a material's nominal one (`Material.wave_speed`) or
    DEFAULT_WAVE_SPEED when neither is given; source is 'given', 'material NAME' or 'default'. ValueError when both
    are given, for an unknown material, or when c is not a finite number > 0."""
    if wave_speed is not None and material_name is not None:
        raise ValueError('give --wave-speed or --material, not both.')
    if material_name is not None:
        entry = material(material_name)
        return entry.wave_speed, f'material {entry.name}'
    if wave_speed is not None:
        return checkNumber('wave_speed', wave_speed, 'm/s'), 'given'
    return DEFAULT_WAVE_SPEED, 'default'
