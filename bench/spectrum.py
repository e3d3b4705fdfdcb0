"""The log-frequency spectrum (output_type 'spectrum'): ms per item, beside the algorithm it replaced, in the same run.

Usage: python bench/spectrum.py [--items 32] [--repeats 5]

1-s BesselModel drums at 48 kHz, the routines' setting (1024 bands, 20 Hz–4 kHz: a 2¹⁹-point FFT), through
`InputRepresentation.transformBatch` in batches of --items (the path the dataset layer uses). The reference,
`reference` below, is the algorithm 'spectrum' had until 2026-12: per item, torch.fft.rfft of the whole waveform
zero-padded to 2¹⁹ in float32 on one thread (the thread count set to 1 and back around it), power summed over the
bands tap by tap. It is timed twice: as the library ran it (torch's default thread count outside the FFT) and with
torch pinned to one thread for the whole call. Ours (a decimated signal's 2¹⁷-point float64 FFT, one thread) is
timed between them in each repeat; each figure is the best of --repeats. Target: ≥ 5× the one-thread reference.

Agreement: per band, |ours − reference| / (reference + 10⁻⁸ · the item's strongest band) ≤ 1e-3 (SpectrumCRePE reads
log10(P / max P + 10⁻⁸): this bounds the change of its input by 4.3·10⁻⁴); also printed against the same algorithm
in float64 (NumPy), which the float32 reference itself misses by up to 10⁻⁵ on drums. The breakdowns time each stage
alone on one item, torch on one thread (with two on a busy machine, its small ops wait on each other). A second
line does the same for the polygon routine's setting (0.5 s, 100 Hz–10 kHz, 2¹⁷ points).
"""

import argparse
import functools
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.fft
import torch
from _machine import OtherProcesses

from kac_prediction.dataset.input_representation import (
    InputRepresentation,
    _halve,
    _SpectrumPlan,
    logBands,
    spectrumFFTSize,
)
from kac_prediction.samplers import BesselModel

SAMPLE_RATE, SEED, TARGET, TOLERANCE, FLOOR = 48000, 20241207, 5.0, 1e-3, 1e-8
SETTINGS: list[tuple[str, float, dict[str, Any]]] = [
    ('circle/rectangle routines', 1.0, {'output_type': 'spectrum', 'n_bins': 1024, 'f_min': 20.0, 'f_max': 4000.0}),
    ('polygon routine', 0.5, {'output_type': 'spectrum', 'n_bins': 1024, 'f_min': 100.0, 'f_max': 10000.0}),
]


class Reference:
    """The previous 'spectrum' of `settings` at SAMPLE_RATE (a copy of its algorithm), taps built once."""

    def __init__(self, length: int, settings: dict[str, Any]) -> None:
        ir = InputRepresentation(SAMPLE_RATE, settings)
        s = self.settings = ir.settings
        self.n_fft = spectrumFFTSize(length, SAMPLE_RATE, s['n_bins'], s['f_min'], ir.f_max)
        indices, weights = logBands(SAMPLE_RATE, self.n_fft, s['n_bins'], s['f_min'], ir.f_max)
        band = torch.arange(s['n_bins']).expand_as(indices)
        keep = weights > 0
        order = torch.argsort(indices[keep] * s['n_bins'] + band[keep])
        self.bins, self.bands, self.weights = indices[keep][order], band[keep][order], weights[keep][order]
        self.low, self.high = int(self.bins[0]), int(self.bins[-1]) + 1

    def __call__(self, waveforms: npt.NDArray[Any]) -> torch.Tensor:
        """(B, L) → (B, n_bins) float32, as `InputRepresentation._spectrum` computed it until 2026-12."""
        x = InputRepresentation.normalise(torch.tensor(waveforms, dtype=torch.float32))
        threads = torch.get_num_threads()
        try:
            torch.set_num_threads(1)
            spectrum = torch.stack([torch.fft.rfft(row, n=self.n_fft)[self.low : self.high] for row in x])
        finally:
            torch.set_num_threads(threads)
        power = (spectrum.real.square() + spectrum.imag.square()).T
        taps = power.index_select(0, self.bins - self.low) * self.weights[:, None]
        out = torch.zeros((self.settings['n_bins'], x.shape[0]), dtype=torch.float32)
        return out.index_add_(0, self.bands, taps).T.contiguous()


def exact(waveforms: npt.NDArray[Any], reference: Reference) -> npt.NDArray[np.float64]:
    """The reference's algorithm in float64 (NumPy's rfft, float64 taps): (B, n_bins)."""
    x = InputRepresentation.normalise(np.asarray(waveforms, dtype=np.float32)).astype(np.float64)
    spectrum = np.fft.rfft(x, n=reference.n_fft)[:, reference.low : reference.high]
    power = spectrum.real**2 + spectrum.imag**2
    out = np.zeros((len(x), reference.settings['n_bins']))
    for row, p in zip(out, power, strict=True):
        np.add.at(row, reference.bands.numpy(), p[reference.bins.numpy() - reference.low] * reference.weights.numpy())
    return out


def error(new: npt.NDArray[np.float64], expected: npt.NDArray[np.float64]) -> float:
    """max over bands and items of |new − expected| / (expected + FLOOR · the item's strongest band)."""
    return float(np.max(np.abs(new - expected) / (expected + FLOOR * expected.max(axis=-1, keepdims=True))))


def oneThread(function: Callable[[], object]) -> Callable[[], object]:
    """`function` run with torch pinned to one thread."""

    def pinned() -> object:
        threads = torch.get_num_threads()
        try:
            torch.set_num_threads(1)
            return function()
        finally:
            torch.set_num_threads(threads)

    return pinned


def seconds(function: Callable[[], object], repeats: int = 20) -> float:
    """The best wall time of `repeats` calls (s)."""
    best = float('inf')
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def breakdowns(x: npt.NDArray[np.float64], reference: Reference, ours: InputRepresentation) -> tuple[str, str]:
    """'stage ms, …' of one item for the reference and for ours, each stage timed alone on one thread (best of 20)."""
    row = torch.tensor(x, dtype=torch.float32)
    spectrum = torch.fft.rfft(row, n=reference.n_fft)[reference.low : reference.high]
    power = spectrum.real.square() + spectrum.imag.square()
    bins = reference.bins - reference.low
    ref: dict[str, Callable[[], object]] = {
        f'rfft 2^{reference.n_fft.bit_length() - 1} float32': lambda: torch.fft.rfft(row, n=reference.n_fft),
        'power': lambda: spectrum.real.square() + spectrum.imag.square(),
        'bands': lambda: torch.zeros(reference.settings['n_bins']).index_add_(
            0, reference.bands, power[bins] * reference.weights
        ),
        'normalise': lambda: InputRepresentation.normalise(row),
    }
    ours.transformBatch(x[None])
    plan: _SpectrumPlan = next(iter(ours._plans.values()))
    signal = row.numpy().astype(np.float64)
    new: dict[str, Callable[[], object]] = {}
    for s, h in enumerate(plan.filters):
        new[f'halving {s + 1} ({len(h)} taps)'] = functools.partial(_halve, signal, h)
        signal = _halve(signal, h)
    assert len(signal) <= plan.size  # no folding at these lengths
    fine = scipy.fft.rfft(signal, n=plan.size)[plan.low : plan.high]
    new[f'rfft 2^{plan.size.bit_length() - 1} float64'] = lambda: scipy.fft.rfft(signal, n=plan.size)
    new['power and bands'] = lambda: plan.matrix @ (fine.real**2 + fine.imag**2)
    new['normalise'] = lambda: InputRepresentation.normalise(row.numpy()).astype(np.float64)

    def line(stages: dict[str, Callable[[], object]]) -> str:
        return ', '.join(f'{name} {1000 * seconds(oneThread(function)):.2f}' for name, function in stages.items())

    return line(ref), line(new)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--items', type=int, default=32, help='drums per timed batch (default 32)')
    parser.add_argument('--repeats', type=int, default=5, help='timed repeats, best kept (default 5)')
    args = parser.parse_args()
    print(
        f"'spectrum' of {args.items} BesselModel drums at 48 kHz, 1024 bands; torch's default threads: "
        f'{torch.get_num_threads()}; target ≥ {TARGET:g}× the one-thread reference, agreement ≤ {TOLERANCE:g}'
    )
    for name, duration, settings in SETTINGS:
        sampler = BesselModel(duration, SAMPLE_RATE, seed=SEED, strikes_per_drum=1)
        waveforms = np.asarray(sampler.generateBatch(range(args.items))[0])
        reference, ours = Reference(waveforms.shape[1], settings), InputRepresentation(SAMPLE_RATE, settings)
        reference(waveforms[:2])
        ours.transformBatch(waveforms[:2])  # builds the plan (filters, band matrix)
        contenders: dict[str, Callable[[], object]] = {
            'library': functools.partial(reference, waveforms),
            'ours': functools.partial(ours.transformBatch, waveforms),
            'one thread': oneThread(functools.partial(reference, waveforms)),
        }
        times = dict.fromkeys(contenders, np.inf)
        with OtherProcesses() as load:
            for _ in range(args.repeats):  # interleaved: a slow spell of the machine slows all three
                for key, function in contenders.items():
                    start = time.perf_counter()
                    function()
                    times[key] = min(times[key], time.perf_counter() - start)
        ms = {key: 1000 * value / args.items for key, value in times.items()}
        new = ours.transformBatch(waveforms).double().numpy()
        against_reference = error(new, reference(waveforms).double().numpy())
        against_float64 = error(new, exact(waveforms, reference))
        reference_float64 = error(reference(waveforms).double().numpy(), exact(waveforms, reference))
        plan = next(iter(ours._plans.values()))
        ratio = ms['one thread'] / ms['ours']
        verdict = 'ok' if ratio >= TARGET and against_reference <= TOLERANCE else 'BELOW TARGET'
        print(f'\n{name}: {duration:g}-s items, {settings["f_min"]:g}–{settings["f_max"]:g} Hz')
        print(
            f'  reference {ms["library"]:.2f} ms/item as the library ran it, {ms["one thread"]:.2f} ms/item on one '
            f'thread (2^{reference.n_fft.bit_length() - 1}-point float32 rfft)'
        )
        print(
            f'  ours      {ms["ours"]:.2f} ms/item (decimated by {plan.decimation}, 2^{plan.size.bit_length() - 1}-'
            f'point float64 rfft): {ratio:.1f}× the one-thread reference, {ms["library"] / ms["ours"]:.1f}× as the '
            f'library ran it  {verdict if name == SETTINGS[0][0] else "(no target)"}'
        )
        print(
            f'  agreement: ours vs reference {against_reference:.1e}, ours vs float64 {against_float64:.1e}, '
            f'reference vs float64 {reference_float64:.1e}  (|Δ| / (band + 1e-8 · max band), max over bands and items)'
        )
        reference_stages, our_stages = breakdowns(waveforms[0], reference, ours)
        print(f'  reference, one item, one thread (ms): {reference_stages}')
        print(f'  ours, one item, one thread (ms): {our_stages}')
        print(f'  other processes used {100 * load.share:.0f} % of the CPUs meanwhile')


if __name__ == '__main__':
    main()
