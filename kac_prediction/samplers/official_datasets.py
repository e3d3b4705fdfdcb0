"""The names of the official datasets (Zenodo record 7274474)."""

from typing import Literal

__all__ = ['Datasets']

Datasets = Literal[
    '2000-convex-polygonal-drums-of-varying-size',
    '5000-circular-drums-of-varying-size',
    '5000-rectangular-drums-of-varying-dimension',
]
