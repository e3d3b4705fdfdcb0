"""The recording chain (kac_prediction.acoustics): ms per room impulse response, and items per second of the whole
chain beside the drum synthesis of the same items, measured in the same run.

Usage: python bench/recording_chain.py [--rooms 3] [--items 200] [--repeats 3]

One thread (BLAS pinned to 1 before numpy loads; pyroomacoustics always runs on one thread in the package). 1-s
drums at 48 kHz, BesselModel defaults.

1. Impulse responses: `simulateRoom` at 48 kHz for rooms drawn from the default dimensions (`drawRoom`, --rooms per
   target) at rt60 0.2, 0.4, 0.6 and 0.8 s: the mean time per response (images, calibration, builds) and the builds'
   count. The cost grows as rt60³ (the image count), so training draws from a bank (`roomBank`, cached as .npy).
2. The chain: `record` with the default `RecordingSettings` and the responses of section 1 as the bank, per item:
   as drawn (44.1 or 48 kHz out) and with output_rate=48000 (back to the model's rate, a fixed length: the training
   case). The reference is `BesselModel.generateBatch` of the same items in batches of 32 (the dataset layer's
   path). The ratio is chain time / synthesis time per item: what on-the-fly recording adds to rendering a drum.
   Each figure is the best of --repeats runs.

Ends with the share of the CPUs that other processes used meanwhile (bench/_machine.py).
"""

import os

for variable in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[variable] = '1'

import argparse
import dataclasses
import time
from collections.abc import Callable

import numpy as np
from _machine import OtherProcesses

from kac_prediction.acoustics import RecordingSettings, RoomBank, drawRoom, record, roomRNG, simulateRoom
from kac_prediction.samplers import BesselModel

DURATION, RATE = 1.0, 48000
TARGETS = (0.2, 0.4, 0.6, 0.8)


def bestOf(repeats: int, function: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--rooms', type=int, default=3, help='rooms per rt60 target (default 3)')
    parser.add_argument('--items', type=int, default=200, help='items per timed chain run (default 200)')
    parser.add_argument('--repeats', type=int, default=3, help='best of this many runs (default 3)')
    args = parser.parse_args()
    settings = RecordingSettings()
    with OtherProcesses() as load:
        print(f'room impulse responses at {RATE} Hz, default room dimensions, one thread')
        print(f'{"rt60 s":>7}{"ms per IR":>11}{"min ms":>8}{"max ms":>8}{"T30 / rt60":>12}')
        simulateRoom(drawRoom(roomRNG(0, 10**6), 0.2), RATE)  # import pyroomacoustics, warm caches
        rooms, simulations = [], []
        for target in TARGETS:
            times = []
            for _ in range(args.rooms):
                room = drawRoom(roomRNG(0, len(rooms)), target)
                start = time.perf_counter()
                simulation = simulateRoom(room, RATE, max(TARGETS))
                times.append(time.perf_counter() - start)
                rooms.append(dataclasses.replace(room, bank_index=len(rooms)))
                simulations.append(simulation)
            ratios = [s.t30 / target for s in simulations[-args.rooms :]]
            row = f'{target:>7.1f}{1e3 * np.mean(times):>11.0f}{1e3 * min(times):>8.0f}{1e3 * max(times):>8.0f}'
            print(f'{row}{min(ratios):>6.3f}–{max(ratios):.3f}')
        bank = RoomBank(
            np.stack([s.impulse_response for s in simulations]).astype(np.float32),
            tuple(rooms),
            RATE,
            tuple(s.absorption for s in simulations),
            tuple(s.t30 for s in simulations),
        )

        sampler = BesselModel(duration=DURATION, sample_rate=RATE, seed=0)
        sampler.generateBatch(range(4))
        items = range(args.items)

        def synthesise() -> np.ndarray:
            return np.concatenate([sampler.generateBatch(items[i : i + 32])[0] for i in range(0, len(items), 32)])

        drums = synthesise()

        def chain(output_rate: int | None) -> None:
            for i, drum in enumerate(drums):
                record(drum, RATE, seed=0, item=i, settings=settings, bank=bank, output_rate=output_rate)

        chain(RATE)  # warm the bank's 44.1-kHz responses
        synthesis = bestOf(args.repeats, synthesise) / len(items)
        print(f'\nthe chain, {len(items)} 1-s 48-kHz BesselModel items, default settings, bank of {len(bank)}')
        print(f'{"":<32}{"items/s":>9}{"ms/item":>9}{"× synthesis":>13}')
        print(f'{"synthesis (generateBatch)":<32}{1 / synthesis:>9.0f}{1e3 * synthesis:>9.2f}{1.0:>12.2f}×')
        for label, output_rate in (('record (44.1 / 48 kHz out)', None), ('record, output_rate=48000', RATE)):
            per_item = bestOf(args.repeats, lambda rate=output_rate: chain(rate)) / len(items)  # type: ignore[misc]
            print(f'{label:<32}{1 / per_item:>9.0f}{1e3 * per_item:>9.2f}{per_item / synthesis:>12.2f}×')
    print(f'\nother processes used {100 * load.share:.0f} % of the CPUs meanwhile')


if __name__ == '__main__':
    main()
