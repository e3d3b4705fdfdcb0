"""Drums per second of the modal samplers, beside a reference measured in the same run.

Usage: python bench/modal_synthesis.py [--drums 192] [--reference-drums 12]

One thread (BLAS pinned to 1 before numpy loads), 1-s drums at 48 kHz, the default 10×10 modes, through
`generateBatch` (the path the dataset layer uses). The reference is the original library's approach restated in plain
NumPy: one drum at a time, float64, every mode's sine evaluated at every sample. It runs about as fast as the original
C++ library (≈ 0.06 s per drum on the development machine); the target is ≥ 500 drums/s, ≈ 30× the original.
"""

import os

for variable in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[variable] = '1'

import argparse
import math
import time

import numpy as np

from kac_prediction.physics import decayRate
from kac_prediction.samplers import BesselModel, LameModel, ModalSampler, PoissonModel

DURATION, SAMPLE_RATE, TARGET = 1.0, 48000, 500.0


def reference(sampler: ModalSampler, indices: range) -> np.ndarray:
    """One drum at a time: w = e^(−σt)·Σ a_k sin(2π f_k t) with a (K, T) matrix of sines, then peak-normalised."""
    t = np.arange(sampler.length, dtype=np.float64) / sampler.sample_rate
    envelope = np.exp(-decayRate(sampler.decay_time) * t)
    out = np.empty((len(indices), sampler.length))
    for row, i in enumerate(indices):
        F, A = (x.ravel() for x in sampler.modes(i))
        A = np.where(F < sampler.sample_rate / 2, A, 0.0)
        w = envelope * (A @ np.sin(2.0 * math.pi * np.outer(F, t)))
        out[row] = w / np.abs(w).max()
    return out


def best_of(repeats: int, function) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--drums', type=int, default=192, help='drums per timed batch (default 192)')
    parser.add_argument('--reference-drums', type=int, default=12, help='drums for the reference (default 12)')
    args = parser.parse_args()
    print(f'modal synthesis, 1-s drums at 48 kHz, 10×10 modes, one thread; target ≥ {TARGET:.0f} drums/s')
    print(f'{"sampler":<14}{"reference drums/s":>19}{"ours drums/s":>14}{"speed-up":>10}{"max |Δ|":>10}')
    for Sampler in (BesselModel, PoissonModel, LameModel):
        sampler = Sampler(duration=DURATION, sample_rate=SAMPLE_RATE, seed=0)
        sampler.generateBatch(range(4))  # warm caches (Bessel zeros, BLAS)
        ref_time = best_of(2, lambda s=sampler: reference(s, range(args.reference_drums)))
        our_time = best_of(3, lambda s=sampler: s.generateBatch(range(args.drums)))
        ref_rate, our_rate = args.reference_drums / ref_time, args.drums / our_time
        check = range(args.reference_drums)
        error = np.abs(reference(sampler, check) - sampler.generateBatch(check)[0]).max()
        verdict = 'ok' if our_rate >= TARGET else 'BELOW TARGET'
        rates = f'{ref_rate:>19.1f}{our_rate:>14.1f}{our_rate / ref_rate:>9.1f}×'
        print(f'{Sampler.__name__:<14}{rates}{error:>10.1e}  {verdict}')


if __name__ == '__main__':
    main()
