"""The training loop really learns: a tiny CRePE names the pitch of held-out test tones."""

import os
from pathlib import Path
from typing import Any

import torch

from kac_prediction.architecture import CRePE
from kac_prediction.pipeline import Routine
from kac_prediction.samplers import TestTone

# one 1024-value input per tone: the log power spectrum of a 1024-sample frame at 16 kHz (2046-point FFT, one frame)
SPECTRUM = {'output_type': 'fft', 'n_bins': 2046, 'window_length': 1024, 'hop_length': 2048}


def test_tiny_crepe_learns_the_pitch_of_test_tones(tmp_path: Path) -> None:
    routine = Routine(exports_dir=os.fspath(tmp_path / 'model'))
    routine.setParameters(
        {
            **CRePE.ModelHyperParameters(
                batch_size=16, dataset_split=(0.8, 0.1, 0.1), num_of_epochs=15, testing=False,
                with_early_stopping=False, depth='tiny', dropout=0.0, learning_rate=1e-3, optimiser='adam',
            ),
            'dataset_size': 400,
        }
    )  # fmt: skip
    routine.importDataset(
        os.fspath(tmp_path / 'tones'), LocalSampler=TestTone, representation_settings=SPECTRUM,  # type: ignore[arg-type]
        sampler_settings={'duration': 1024 / 16000, 'sample_rate': 16000},
    )  # fmt: skip
    assert routine.D.X.shape == (400, 1024, 1)
    routine.D.X = torch.log10(routine.D.X[..., 0] + 1e-6)
    f_0 = torch.stack([y['f_0'] for y in routine.D.Y])
    assert 110.0 <= f_0.min() and f_0.max() <= 880.0
    routine.D.Y = [(y['f_0'] - 495.0) / 220.0 for y in routine.D.Y]  # the target, in units of 220 Hz
    routine.setModel(CRePE(depth='tiny', dropout=0.0, learning_rate=1e-3, optimiser='adam', outputs=1))
    squared: list[torch.Tensor] = []

    def innerTestingLoop(i: int, loop_length: int, x: torch.Tensor, y: Any) -> None:
        y_hat = routine.M(x)
        routine.M.testing_loss['aggregate'] += routine.M.criterion(y_hat, y).item() / loop_length
        squared.append(((y_hat - y) * 220.0) ** 2)

    metrics = routine.train(innerTestingLoop)
    test_items = 400 - int(0.9 * 400)
    held_out = torch.cat(squared[-((test_items + 15) // 16) :])  # the final pass: the test split, best weights
    assert held_out.numel() == test_items
    rmse = held_out.mean().sqrt().item()
    baseline = (f_0.flatten() - f_0.mean()).square().mean().sqrt().item()  # predict-the-mean, ≈ 220 Hz
    print(f'held-out f_0 RMSE {rmse:.1f} Hz, predict-the-mean {baseline:.0f} Hz')
    assert baseline > 150.0
    assert rmse <= 20.0, f'f_0 RMSE {rmse:.1f} Hz on held-out tones (predict-the-mean {baseline:.0f} Hz)'
    assert metrics['testing_loss']['aggregate'] * 220.0**2 < 20.0**2 * 1.5
