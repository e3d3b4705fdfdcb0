"""Arbitrary-shape drums per second on one core: EigenmodeModel against FDTDModel at matched accuracy, in one run.

Usage: python bench/eigenmodes.py [--shapes 8] [--fdtd-drums 3] [--matched-drums 2] [--max-oversampling 3]
       [--repeats 1] [--eigen-repeats 3]

Both samplers draw the same drums (same settings: random non-convex `TravellingSalesmanPolygon`s, drum_size =
sqrt(area) = 0.3 m, default tension and density → c = 100 m/s, 1-s drums at 48 kHz, seed 0, 10 strikes per drum).
EigenmodeModel renders by modal synthesis on the eigenmodes of each shape (one `physics.eigenmodes` solve, 50 modes at
tolerance 4e-3, shared by the drum's 10 strikes); FDTDModel by the FDTD solver, whose `oversampling` R refines the
grid (h = 2.946 mm / R, cost ≈ R³).
1. Accuracy. For drums 0, 1, 2 (items 0, 10, 20, the centre strikes), a reference solve `physics.eigenmodes` of the
   drum's outline in metres, 12 modes at tolerance 1e-5, gives f_k = c·√λ_k / 2π. The modes checked are those both
   isolated (no other reference mode within 12 Hz) and audible (|φ_k(strike)·φ_k(listening)| / f_k above 5 % of the
   largest, at the item's strike and listening points). Each rendered item's spectral peaks (Blackman–Harris window,
   8× zero padding, parabolic interpolation on the log magnitude, peaks within 60 dB of the strongest) are matched to
   them: the error of a mode is the relative distance to its nearest peak, a path's accuracy the largest over the
   three drums. FDTDModel at R = 1 … --max-oversampling; R_matched is the smallest R within 0.5 % (the largest tried
   when none is: the ratio is then a lower bound, and the R and rate at which FDTD would reach 0.5 % are extrapolated
   from the last two R, error ∝ h^p and cost ∝ R³, printed as such). EigenmodeModel's audio is analysed the same way
   (its mode frequencies are also compared directly, all 12 modes).
2. Speed, one core (BLAS, OpenMP and numba pinned to one thread before the imports; `FDTDModel.generateBatch` calls
   `fdtdSynthesis` with its default of one worker, drums in turn). EigenmodeModel: a fresh sampler per run (so every
   shape's solve is counted), from its construction through `generateBatch` of --shapes drums × 10 strikes in
   batches of 10, best of --eigen-repeats; also the solve alone (`physics.eigenmodes` on each unit-area outline) per
   shape and the rendering alone (the same items again, their solves cached) per strike. FDTDModel: the centre strike
   of drums 0, 1, … on a fresh sampler, --fdtd-drums at R = 1 and --matched-drums at R_matched, best of --repeats
   (the JIT is warm from the accuracy step). An FDTD drum at R = 3 takes ≈ 5–10 s.
Target: EigenmodeModel ≥ 10× the drums per second of FDTDModel at matched accuracy (peaks within 0.5 %).
The machine's load average is printed before and after, and the share of the CPUs other processes used meanwhile: on
a shared 2-core machine another process's work slows every figure; the per-CPU-second rates move less.
"""

import os

for variable in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'NUMBA_NUM_THREADS'):
    os.environ[variable] = '1'

import argparse
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from _machine import OtherProcesses
from scipy import signal

from kac_prediction.physics import eigenmodes
from kac_prediction.samplers import EigenmodeModel, FDTDModel

DURATION, SAMPLE_RATE, STRIKES = 1.0, 48000, 10
SETTINGS: dict[str, Any] = {
    'arbitrary_shape': 'TravellingSalesmanPolygon', 'drum_size': 0.3, 'seed': 0, 'strikes_per_drum': STRIKES,
}  # fmt: skip
ACCURACY_DRUMS, REFERENCE_MODES, REFERENCE_TOLERANCE = 3, 12, 1e-5
ISOLATED_HZ, AUDIBLE, FLOOR_DB, PADDING = 12.0, 0.05, -60.0, 8
MATCHED, TARGET = 5e-3, 10.0


def best_of(repeats: int, function: Callable[[], Any]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of the run with the shortest wall time."""
    times = []
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        function()
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    return min(times)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f'load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min) on {os.cpu_count()} CPUs'


def peaks(waveform: npt.NDArray[np.float64], sample_rate: float) -> npt.NDArray[np.float64]:
    """Frequencies (Hz) of the spectral peaks within FLOOR_DB of the strongest: Blackman–Harris window, PADDING×
    zero padding, parabolic interpolation on the log magnitude (as test/spectral.py)."""
    window = signal.windows.blackmanharris(len(waveform), sym=False)
    magnitude = np.abs(np.fft.rfft(waveform * window, n=PADDING * len(waveform)))
    log = 20.0 * np.log10(magnitude + 1e-300)
    indices, _ = signal.find_peaks(log, height=log.max() + FLOOR_DB)
    indices = indices[(indices > 0) & (indices < len(log) - 1)]
    a, b, c = log[indices - 1], log[indices], log[indices + 1]
    offset = 0.5 * (a - c) / (a - 2.0 * b + c)
    return np.asarray((indices + offset) * sample_rate / (PADDING * len(waveform)), dtype=np.float64)


def peakError(found: npt.NDArray[np.float64], checked: npt.NDArray[np.float64]) -> float:
    """The largest relative distance from a checked mode frequency to its nearest peak."""
    return float(max(np.min(np.abs(found - f)) / f for f in checked))


def referenceModes(sampler: FDTDModel, item: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(all reference frequencies in Hz, those isolated and audible) of an item, by `physics.eigenmodes` at
    REFERENCE_TOLERANCE on the outline in metres, in the mask's frame of the item's strike and listening point."""
    drum = sampler._describe(item).drum
    vertices = np.array([drum.metres(p) for p in drum.shape.vertices])
    reference = eigenmodes(vertices, REFERENCE_MODES, tolerance=REFERENCE_TOLERANCE)
    grid = sampler.grid(item)
    frequencies = grid['wave_speed'] * np.sqrt(reference.eigenvalues) / (2.0 * math.pi)
    shapes = reference.at(np.array([grid['strike'], grid['listening']]))
    weight = np.abs(shapes[0] * shapes[1]) / frequencies
    gaps = np.abs(frequencies[:, None] - frequencies[None, :]) + np.diag(np.full(len(frequencies), np.inf))
    keep = (gaps.min(axis=1) > ISOLATED_HZ) & (weight > AUDIBLE * weight.max())
    return frequencies, frequencies[keep]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--shapes', type=int, default=8, help='EigenmodeModel shapes timed, × 10 strikes (default 8)')
    parser.add_argument('--fdtd-drums', type=int, default=3, help='FDTDModel drums timed at R = 1 (default 3)')
    parser.add_argument('--matched-drums', type=int, default=2, help='FDTDModel drums timed at R_matched (default 2)')
    parser.add_argument('--max-oversampling', type=int, default=3, help='largest FDTD R checked (default 3)')
    parser.add_argument('--repeats', type=int, default=1, help='timed runs of each FDTD rate (default 1)')
    parser.add_argument('--eigen-repeats', type=int, default=3, help='timed runs of EigenmodeModel (default 3)')
    args = parser.parse_args()
    print(
        f'arbitrary-shape drums, one core: EigenmodeModel vs FDTDModel, 1-s drums at 48 kHz, {STRIKES} strikes per '
        f'drum, TravellingSalesmanPolygon, 0.3 m, c = 100 m/s; {load()}'
    )
    total_start = time.perf_counter()

    # --- 1. accuracy ---
    items = [d * STRIKES for d in range(ACCURACY_DRUMS)]
    probe = FDTDModel(DURATION, SAMPLE_RATE, **SETTINGS)
    references = [referenceModes(probe, i) for i in items]
    checked = sum(len(r[1]) for r in references)
    print(
        f'accuracy: drums 0–{ACCURACY_DRUMS - 1} (items {", ".join(map(str, items))}), reference physics.eigenmodes '
        f'at tolerance {REFERENCE_TOLERANCE:g}, {REFERENCE_MODES} modes each; {checked} isolated (> {ISOLATED_HZ:g} '
        f'Hz apart) and audible (> {AUDIBLE:.0%}) modes checked: '
        + '; '.join(' '.join(f'{f:.1f}' for f in r[1]) + ' Hz' for r in references)
    )
    errors: dict[int, float] = {}
    seconds: dict[int, float] = {}
    for R in range(1, args.max_oversampling + 1):
        sampler = FDTDModel(DURATION, SAMPLE_RATE, oversampling=R, **SETTINGS)
        start = time.perf_counter()
        audio, _ = sampler.generateBatch(items)
        seconds[R] = (time.perf_counter() - start) / len(items)
        per_drum = [peakError(peaks(w, SAMPLE_RATE), r[1]) for w, r in zip(audio, references, strict=True)]
        errors[R] = max(per_drum)
        print(
            f'  FDTDModel R = {R} (h = {sampler.h * 1000:.3f} mm): max peak error per drum '
            f'{" ".join(f"{e:.3%}" for e in per_drum)} ({seconds[R]:.2f} s per drum, JIT included at R = 1)'
        )
    matched = [R for R in errors if errors[R] <= MATCHED]
    R_matched = matched[0] if matched else args.max_oversampling
    eigen = EigenmodeModel(DURATION, SAMPLE_RATE, **SETTINGS)
    audio, _ = eigen.generateBatch(items)
    per_drum = [peakError(peaks(w, SAMPLE_RATE), r[1]) for w, r in zip(audio, references, strict=True)]
    eigen_error = max(per_drum)
    direct = []
    for i, (frequencies, _) in zip(items, references, strict=True):
        F = eigen.modes(i)[0][:REFERENCE_MODES]
        direct.append(float(np.max(np.abs(F - frequencies) / frequencies)))
    print(
        f'  EigenmodeModel (n_modes {eigen.n_modes}, tolerance {eigen.tolerance:g}): max peak error per drum '
        f'{" ".join(f"{e:.3%}" for e in per_drum)}; its mode frequencies (modes(i)) against the reference, the '
        f'largest over all {REFERENCE_MODES} modes: {" ".join(f"{e:.3%}" for e in direct)}'
    )
    if matched:
        print(f'R_matched = {R_matched}: the smallest R with every checked peak within {MATCHED:.1%}')
    else:
        print(f'no R ≤ {args.max_oversampling} has every checked peak within {MATCHED:.1%}: R = {R_matched} is used')

    # --- 2. speed ---
    EigenmodeModel(DURATION, SAMPLE_RATE, **{**SETTINGS, 'seed': 1})  # warm-up of the imports (scikit-fem)
    strike_items = list(range(args.shapes * STRIKES))
    batches = [strike_items[k : k + STRIKES] for k in range(0, len(strike_items), STRIKES)]
    samplers: list[EigenmodeModel] = []

    def eigenRun() -> None:
        sampler = EigenmodeModel(DURATION, SAMPLE_RATE, **SETTINGS)
        for batch in batches:
            sampler.generateBatch(batch)
        samplers.append(sampler)

    with OtherProcesses() as eigen_load:
        eigen_wall, eigen_cpu = best_of(args.eigen_repeats, eigenRun)
        last = samplers[-1]
        solves = last.solves
        vertices = [last._drum(d).vertices for d in range(args.shapes)]
        solve_wall, _ = best_of(1, lambda: [eigenmodes(v, last.n_modes, tolerance=last.tolerance) for v in vertices])
        render_wall, _ = best_of(args.eigen_repeats, lambda: [last.generateBatch(batch) for batch in batches])
        assert last.solves == solves, 'the rendering-only pass must find every solve cached'
    print(
        f'EigenmodeModel: {args.shapes} shapes × {STRIKES} strikes, {solves} eigen-solves per run; solve '
        f'{solve_wall / args.shapes:.3f} s per shape (physics.eigenmodes alone), render '
        f'{render_wall / len(strike_items) * 1000:.2f} ms per strike (solves cached); other processes used '
        f'{eigen_load.share:.0%} of the CPUs meanwhile'
    )
    rates: dict[int, tuple[float, float]] = {}
    for R, count in ((1, args.fdtd_drums), (R_matched, args.matched_drums)):
        if R in rates:
            continue
        fdtd_items = [d * STRIKES for d in range(count)]

        def fdtdRun(R: int = R, fdtd_items: list[int] = fdtd_items) -> None:
            FDTDModel(DURATION, SAMPLE_RATE, oversampling=R, **SETTINGS).generateBatch(fdtd_items)

        with OtherProcesses() as fdtd_load:
            wall, cpu = best_of(args.repeats, fdtdRun)
        rates[R] = (count / wall, count / cpu)
        print(
            f'FDTDModel R = {R}: {count} drums, {wall / count:.2f} s per drum; other processes used '
            f'{fdtd_load.share:.0%} of the CPUs meanwhile'
        )

    # --- the table ---
    eigen_rate, eigen_per_cpu = len(strike_items) / eigen_wall, len(strike_items) / eigen_cpu
    print(f'{"path":<34}{"max peak error":>15}{"drums/s":>10}{"per CPU-s":>11}{"× FDTD matched":>16}{"× FDTD R=1":>12}')
    matched_rate, one_rate = rates[R_matched][0], rates[1][0]
    rows = [('EigenmodeModel (50 modes, 4e-3)', eigen_error, eigen_rate, eigen_per_cpu)]
    rows += [(f'FDTDModel R = {R}', errors[R], *rates.get(R, (math.nan, math.nan))) for R in errors]
    for name, error, rate, per_cpu in rows:
        if math.isnan(rate):
            print(f'{name:<34}{error:>15.3%}{"—":>10}{"—":>11}{"—":>16}{"—":>12}')
        else:
            print(
                f'{name:<34}{error:>15.3%}{rate:>10.3f}{per_cpu:>11.3f}{rate / matched_rate:>15.1f}×'
                f'{rate / one_rate:>11.1f}×'
            )
    ratio = eigen_rate / matched_rate
    accurate = eigen_error <= MATCHED
    verdict = 'ok' if ratio >= TARGET and accurate else 'NOT MET'
    print(
        f'EigenmodeModel {ratio:.1f}× FDTDModel at matched accuracy (R = {R_matched}'
        f'{"" if matched else ", not within 0.5 %"}; EigenmodeModel {"within" if accurate else "NOT within"} 0.5 %), '
        f'{eigen_rate / one_rate:.1f}× FDTDModel R = 1; target ≥ {TARGET:g}× at matched accuracy: {verdict}'
    )
    if not matched and len(errors) >= 2:  # FDTD never reached 0.5 %: how far off, by the error's order in h = h₁/R
        (R1, e1), (R2, e2) = list(errors.items())[-2:]
        order = math.log(e1 / e2) / math.log(R2 / R1)
        needed = R2 * (e2 / MATCHED) ** (1.0 / order) if order > 0.0 else math.inf
        rate = matched_rate * (R_matched / needed) ** 3
        print(
            f'  extrapolated (not measured): the error falls as h^{order:.2f} (R = {R1}, {R2}); FDTD would reach '
            f'{MATCHED:.1%} at R ≈ {needed:.1f}, ≈ {rate:.3g} drums/s at cost ∝ R³, EigenmodeModel ≈ '
            f'{eigen_rate / rate:.0f}× that; the measured ratio above is a lower bound'
        )
    print(f'total {time.perf_counter() - total_start:.0f} s; after: {load()}')


if __name__ == '__main__':
    main()
