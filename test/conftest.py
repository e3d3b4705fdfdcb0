"""Test-wide settings: no network, no wandb uploads, single-threaded BLAS for stable timings."""

import os

os.environ.setdefault('WANDB_MODE', 'disabled')
os.environ.setdefault('MPLBACKEND', 'Agg')
