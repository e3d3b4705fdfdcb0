"""Test-wide settings: no network, no wandb uploads, single-threaded BLAS for stable timings."""

import os
from collections.abc import Iterator

import pytest
import torch

os.environ.setdefault('WANDB_MODE', 'disabled')
os.environ.setdefault('MPLBACKEND', 'Agg')


@pytest.fixture
def one_thread() -> Iterator[None]:
    """Small convolutions run faster on one thread, and far faster when other processes share the cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
