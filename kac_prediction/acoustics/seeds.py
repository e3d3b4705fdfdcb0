"""Random streams of the recording chain (docs/architecture.md, "Randomness" and "The recording chain").

The samplers use `SeedSequence(entropy=seed, spawn_key=(stream, index))` with streams 0 (a drum) and 1 (a strike).
The recording chain adds two streams, so its draws never coincide with a sampler's for the same seed:

- stream 2, `spawn_key=(2, item, epoch)`: how one item is recorded in one epoch (`recordingRNG`);
- stream 3, `spawn_key=(3, index)`: the index-th room of a room bank (`roomRNG`).

An item's recording therefore depends only on (seed, item, epoch): not on the batch, the worker count nor the order.
"""

import numpy as np

from .._checks import checkCount

__all__ = ['RECORDING_STREAM', 'ROOM_BANK_STREAM', 'recordingRNG', 'roomRNG']

RECORDING_STREAM = 2
ROOM_BANK_STREAM = 3


def recordingRNG(seed: int, item: int, epoch: int = 0) -> np.random.Generator:
    """The generator that draws how `item` is recorded in `epoch`: `default_rng(SeedSequence(entropy=seed,
    spawn_key=(2, item, epoch)))`. seed, item, epoch: ints ≥ 0."""
    key = (RECORDING_STREAM, checkCount('item', item, 0), checkCount('epoch', epoch, 0))
    return np.random.default_rng(np.random.SeedSequence(entropy=checkCount('seed', seed, 0), spawn_key=key))


def roomRNG(seed: int, index: int) -> np.random.Generator:
    """The generator that draws the `index`-th room of a room bank: `default_rng(SeedSequence(entropy=seed,
    spawn_key=(3, index)))`. So a bank of n rooms is the first n rooms of any larger bank of the same seed."""
    key = (ROOM_BANK_STREAM, checkCount('index', index, 0))
    return np.random.default_rng(np.random.SeedSequence(entropy=checkCount('seed', seed, 0), spawn_key=key))
