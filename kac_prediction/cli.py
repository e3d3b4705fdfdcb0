"""The `kac-prediction` command: a thin layer over the library (parse arguments, call it, report).

    kac-prediction generate BesselModel data/circles --size 1000 --seed 0 [--workers N] [--shard I N] [--overwrite]
    kac-prediction check data/circles [--json]
    kac-prediction install-dataset 5000-circular-drums-of-varying-size data/circles
    kac-prediction train --routine size_of_circular_drum [--config FILE | --resume RUN_DIR] [--key=value ...]
    kac-prediction sweep scripts/config/wandb/size_of_circular_drum.yaml --count 8 [--resume] [-- extra arguments]
    kac-prediction predict drum.wav [more.flac ...] [--family circle|rectangle|polygon] [--wave-speed C] [--json]
    kac-prediction predict model/<run id> drum.wav [...]      (a checkpoint of your own instead of a shipped model)
    kac-prediction models [FAMILY] [--json]
    kac-prediction match drum.wav [--family F] [--wave-speed C | --material NAME]   (cli_orchestrate.py)
    kac-prediction design --notes C3 Eb3 G3 [--family F] [--material NAME] [--shape FILE]
    kac-prediction arrange score.mid --kit kit/kit.json [--room SEED]
    kac-prediction materials
    kac-prediction serve [CHECKPOINT ...] [--host 127.0.0.1] [--port 8000] [--max-mb 10] [--max-seconds 30]

Each subcommand has --help.
"""

import argparse
import json
import math
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from .cli_orchestrate import ORCHESTRATE_COMMANDS, addOrchestrateCommands, runOrchestrate

__all__ = ['main', 'parseOverrides', 'train']

_SAMPLERS = ('BesselModel', 'PoissonModel', 'LameModel', 'FDTDModel', 'EigenmodeModel', 'TestTone', 'TestSweep')
_FAMILIES = ('circle', 'rectangle', 'polygon')  # kac_prediction.models.FAMILIES, without importing torch to parse


def _generate(args: argparse.Namespace) -> int:
    import warnings

    from . import samplers
    from .dataset import generateDataset

    def showWarning(message: Warning | str, *_: Any, **__: Any) -> None:
        print(f'warning: {message}', file=sys.stderr)  # one line, without the source line

    settings = {'duration': args.duration, 'sample_rate': args.sample_rate, **json.loads(args.settings)}
    representation = json.loads(args.representation)
    shard = tuple(args.shard) if args.shard else None
    with warnings.catch_warnings():  # e.g. the damaged items a rerun re-renders, named in one line
        warnings.showwarning = showWarning
        result = generateDataset(
            getattr(samplers, args.sampler), args.dataset_dir, args.size, representation, settings,
            seed=args.seed, num_workers=args.workers, shard=shard, overwrite=args.overwrite,
        )  # fmt: skip
    print(f'{args.dataset_dir}: {"shard written" if result is None else f"{len(result)} items"}')
    return 0


def _check(args: argparse.Namespace) -> int:
    from .dataset import checkDataset

    report = checkDataset(args.dataset_dir)
    print(json.dumps(report.asDict(), indent=2) if args.json else report)
    return 0 if report.healthy else 1


def _install(args: argparse.Namespace) -> int:
    from .dataset.install import main as install

    return install([args.name, args.dataset_dir])


def parseOverrides(extra: Sequence[str]) -> dict[str, Any]:
    """['--batch_size=32', '--testing=true'] → {'batch_size': 32, 'testing': True}: `--key=value` arguments, as
    `wandb agent` passes them, values read as YAML (32, 0.5, 1e-4, true, [0.7, 0.15, 0.15]), dashes in keys read as
    underscores. ValueError for anything else."""
    from .pipeline.parameters import parseValue

    overrides: dict[str, Any] = {}
    for argument in extra:
        if not argument.startswith('--') or '=' not in argument:
            raise ValueError(f'unrecognised argument {argument!r}: parameters are given as --key=value.')
        key, value = argument[2:].split('=', 1)
        try:
            overrides[key.replace('-', '_')] = parseValue(value)
        except ValueError as error:
            raise ValueError(f'the value of {argument!r}: {error}') from None
    return overrides


_TRAIN_EPILOG = """examples:
  kac-prediction train --routine size_of_circular_drum --config scripts/config/local/size_of_circular_drum.yaml
  kac-prediction train --routine dim_of_rectangular_drum --testing    # a smoke run on 200 generated drums
  kac-prediction train --wandb --learning_rate=0.0005                 # as `wandb agent` calls it
  kac-prediction train --resume model/abc123xyz0 --num_of_epochs=60   # continue an interrupted run

`--key=value` arguments (values read as YAML: 32, 0.5, true, [0.7, 0.15, 0.15]) override the config file; they are
validated like it (an unknown key or a wrong type is an error listing the valid keys). When the environment variable
KAC_SWEEP_METRICS names a file, the run's metrics are written there as JSON (how `kac-prediction sweep` reads them).
"""


def train(arguments: Sequence[str], prog: str = 'kac-prediction train') -> int:
    """`kac-prediction train`: parse the arguments, run the routine, print where its checkpoints are; returns the exit
    status (2 for bad arguments, parameters or dataset directories, with one `error:` line)."""
    from .pipeline.parameters import loadYAML
    from .routines import ROUTINES, runRoutine
    from .sweep import METRICS_VARIABLE, writeRunMetrics

    parser = argparse.ArgumentParser(
        prog=prog,
        description='Train and evaluate one of the example routines.',
        epilog=_TRAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        '--routine', choices=list(ROUTINES), default=None, help='what to train (default size_of_circular_drum)'
    )
    parser.add_argument('--config', default='', help='a YAML file of parameters')
    parser.add_argument(
        '--resume', default='', metavar='RUN_DIR', help="continue an interrupted run from RUN_DIR/last.pt, with its "
        'recorded routine, parameters and dataset (--key=value may raise num_of_epochs, patience, …)',
    )  # fmt: skip
    parser.add_argument('--wandb', action='store_true', help='track the run with wandb (WANDB_MODE=offline works)')
    parser.add_argument('--testing', action='store_true', help='a smoke run: 200 generated items')
    parser.add_argument('--exports-dir', default='model', help='where checkpoints go (default model/)')
    parser.add_argument(
        '--dataset-dir', default='', help='where the dataset is (default data/<name>, or data/<sampler>-<dataset_size>)'
    )
    args, extra = parser.parse_known_args(arguments)
    try:
        overrides = parseOverrides(extra)
        if args.config:
            loadYAML(args.config)  # a missing or malformed file is a usage error, reported before any work
    except (ValueError, FileNotFoundError) as error:
        parser.error(str(error))
    if args.testing:
        overrides['testing'] = True
    wandb_config = {'project': 'kac_prediction'} if args.wandb else {}
    routine = args.routine or ('' if args.resume else 'size_of_circular_drum')
    try:  # runRoutine validates the parameters before it writes anything
        metrics = runRoutine(
            routine, args.config, overrides, wandb_config, args.dataset_dir, args.exports_dir, resume=args.resume
        )
    except (ValueError, TypeError, OSError, FloatingPointError) as error:  # settings, files, disk, a diverged loss
        print(f'error: {error}', file=sys.stderr)
        return 2
    if os.environ.get(METRICS_VARIABLE):
        writeRunMetrics(metrics, os.environ[METRICS_VARIABLE])
    print(f'best validation loss {metrics["validation_loss"]:.6g}; checkpoints in {metrics["exports_dir"]}')
    return 0


def _sweep(args: argparse.Namespace, extra: Sequence[str]) -> int:
    from .sweep import runSweep

    directory = args.sweep_dir or os.path.join('sweeps', os.path.splitext(os.path.basename(args.config))[0])
    try:
        result = runSweep(args.config, args.count, directory, seed=args.seed, extra_args=extra, resume=args.resume)
    except (ValueError, FileExistsError, FileNotFoundError, ImportError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f'interrupted: the finished runs are in {directory}/runs.jsonl; continue with --resume.', file=sys.stderr)
        return 130
    runs = result['runs']
    if runs and all(run['status'] == 'failed' for run in runs):
        print(f'error: every run failed; see the logs in {directory}.', file=sys.stderr)
        return 1
    return 0


def _plotPath(path: str, index: int, count: int) -> str:
    """PATH for one file; for several, PATH with `_<index>` (from 0) before its suffix: out.png → out_1.png."""
    if count == 1:
        return path
    stem, suffix = os.path.splitext(path)
    return f'{stem}_{index}{suffix}'


_CHECKPOINT_SUFFIXES = ('.pt', '.pth')


def _checkpointAndAudio(paths: Sequence[str]) -> tuple[str | None, list[str]]:
    """(checkpoint, audio files) of `predict`'s paths: the first is a checkpoint when it is a directory (a run) or a
    .pt / .pth file and others follow; otherwise there is none (a shipped model is used)."""
    first = paths[0]
    if len(paths) > 1 and (os.path.isdir(first) or first.lower().endswith(_CHECKPOINT_SUFFIXES)):
        return first, list(paths[1:])
    if len(paths) > 1 and not os.path.exists(first) and not os.path.splitext(first)[1]:
        raise FileNotFoundError(f'no checkpoint at {first} (neither a run directory nor a .pt file), nor an audio file')
    return None, list(paths)


def _predict(args: argparse.Namespace) -> int:
    from .inference import loadPredictor

    checkpoint, args.audio = _checkpointAndAudio(args.paths)
    if checkpoint is not None:
        if args.family is not None:
            raise ValueError(f'--family picks a shipped model; give it or the checkpoint {checkpoint}, not both.')
        predictor = loadPredictor(checkpoint)
    else:
        from .models import DEFAULT_FAMILY, FAMILIES, loadPretrained

        family = args.family or DEFAULT_FAMILY
        predictor = loadPretrained(family)
        if args.family is None:
            others = '|'.join(name for name in FAMILIES if name != family)
            print(f'note: the shipped {family} model ({FAMILIES[family]}); --family {others} for the others, or give '
                  'a checkpoint before the audio files', file=sys.stderr)  # fmt: skip
    if args.wave_speed is not None and (args.tension is not None or args.density is not None):
        raise ValueError('give either --wave-speed or --tension and --density, not both.')
    if (args.tension is None) != (args.density is None):
        raise ValueError('--tension (N/m) and --density (kg/m²) go together: c = sqrt(tension / density).')
    wave_speed = args.wave_speed
    if args.tension is not None:
        if not (args.tension > 0 and args.density > 0):
            raise ValueError(f'--tension and --density must be > 0, got {args.tension} and {args.density}.')
        wave_speed = math.sqrt(args.tension / args.density)
    transit = 'transit_time' in predictor.labels
    if transit and wave_speed is None:
        print('warning: no --wave-speed (or --tension/--density): drum_size assumes the training default 100 m/s; '
              'sound fixes only size / wave speed', file=sys.stderr)  # fmt: skip
    X, found = predictor.readFiles(args.audio, progressbar=len(args.audio) > 1)
    for path, messages in zip(args.audio, found, strict=True):  # the rules: audioWarnings, inference/audio.py
        for message in messages:
            print(f'warning: {path}: {message}', file=sys.stderr)
    with warnings.catch_warnings():  # the missing wave speed was reported above
        warnings.simplefilter('ignore', UserWarning)
        predicted = predictor.predictInputs(X, wave_speed)
    results = [
        {'file': path, **labels, 'warnings': messages}
        for path, labels, messages in zip(args.audio, predicted, found, strict=True)
    ]
    shown = [*predictor.labels, *(['drum_size', 'wave_speed'] if transit else [])]
    outlines = any('outline' in result for result in results)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        from .pipeline.plots import LABEL_UNITS

        units = {**LABEL_UNITS, 'transit_time': 's', 'wave_speed': 'm/s'}
        header = ['file'] + [f'{label} ({units[label]})' if units.get(label) else label
                             for label in shown] + (['outline points'] if outlines else [])  # fmt: skip
        formats = {label: '.4g' if label == 'transit_time' else '.4f' for label in shown}
        rows = [
            [str(result['file'])] + [format(result[label], formats[label]) for label in shown]
            + ([str(len(result['outline']))] if outlines else [])
            for result in results
        ]  # fmt: skip
        widths = [max(len(row[k]) for row in [header, *rows]) for k in range(len(header))]
        for row in [header, *rows]:
            cells = [
                cell.ljust(w) if k == 0 else cell.rjust(w) for k, (cell, w) in enumerate(zip(row, widths, strict=True))
            ]
            print('  '.join(cells))
    if args.plot:
        from .inference import plotPrediction

        for index, result in enumerate(results):
            labels = {key: result[key] for key in [*shown, *(['outline'] if outlines else [])]}
            written = plotPrediction(
                X[index].numpy(), predictor.representation_settings, predictor.sampler_name, labels,
                _plotPath(args.plot, index, len(results)), title=os.path.basename(result['file']),
                sample_rate=predictor.sample_rate,
            )  # fmt: skip
            print(f'plot: {written}', file=sys.stderr)
    return 0


_HEADLINE = ('clean', 'snr10', 'room', 'realistic', 'material')  # conditions `models` shows per model
_SHOWN = {
    'clean': 'clean',
    'snr10': '10 dB SNR',
    'room': 'room',
    'realistic': 'recorded',
    'material': 'wider material',
}


def _headline(row: dict[str, Any]) -> str:
    """One condition's figure of a card: drum_size RMSE (cm), with the outline IoU for polygons."""
    size = row.get('model_rmse_cm')
    text = f'{size:.2f} cm' if isinstance(size, (int, float)) else '–'
    iou = row.get('model_iou')
    return f'IoU {iou:.3f}, {text}' if isinstance(iou, (int, float)) else text


def _models(args: argparse.Namespace) -> int:
    from .inference import robustnessTable
    from .models import FAMILIES, ModelCardError, modelCard, modelCards, verifyModel

    cards = [modelCard(args.family)] if args.family else modelCards()
    if not cards:
        raise FileNotFoundError('no shipped models in this installation: reinstall kac_prediction.')
    failed = []
    for card in cards:
        try:
            verifyModel(card['family'])
            card['check'] = 'ok'
        except (ModelCardError, FileNotFoundError) as error:
            card['check'] = str(error)
            failed.append(card['check'])
    if args.json:
        print(json.dumps(cards if not args.family else cards[0], indent=1, ensure_ascii=False))
    elif args.family:
        card = cards[0]
        weights, dataset = card['weights'], card.get('dataset', {})
        sampler = dataset.get('sampler')
        sampler = sampler.get('name') if isinstance(sampler, dict) else sampler
        conditions = card['held_out'].get('conditions', {})
        print(f'{card["family"]}: {card["model"]} of {card["routine"]}, predicting {", ".join(card["labels"])}')
        print(f'weights: {weights["file"]}, {weights["bytes"] / 1e6:.2f} MB, {weights["dtype"]}; '
              f'sha256 {weights["sha256"]} ({card["check"]})')  # fmt: skip
        print(f'dataset: {sampler}, {dataset.get("dataset_size")} sounds; project {card["project_version"]}')
        print(f'trained by: {card["command"]}')
        print(f'held out: {conditions.get("drums")} new drums per condition (seed {conditions.get("seed")})')
        print(robustnessTable(conditions.get('rows', [])))
    else:
        header = ['family', 'routine', 'labels', 'weights', *(_SHOWN[key] for key in _HEADLINE), 'check']
        rows = []
        for card in cards:
            found = {row.get('key'): row for row in card['held_out'].get('conditions', {}).get('rows', [])}
            rows.append([
                card['family'], card['routine'], ' '.join(card['labels']),
                f'{card["weights"]["bytes"] / 1e6:.1f} MB {card["weights"]["dtype"].split()[0]}',
                *(_headline(found[key]) if key in found else '–' for key in _HEADLINE),
                'ok' if card['check'] == 'ok' else 'FAILED',
            ])  # fmt: skip
        widths = [max(len(row[k]) for row in [header, *rows]) for k in range(len(header))]
        for row in [header, *rows]:
            print('  '.join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        print(f'held-out drums the models never saw; kac-prediction models {"|".join(FAMILIES)} for a card')
    for message in failed:
        print(f'error: {message}', file=sys.stderr)
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `kac-prediction`; returns the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ['train']:  # its --key=value arguments are open-ended: parsed by `train` itself
        return train(arguments[1:])
    extra: list[str] = []
    if arguments[:1] == ['sweep'] and '--' in arguments:
        split = arguments.index('--')
        arguments, extra = arguments[:split], arguments[split + 1 :]
    parser = argparse.ArgumentParser(prog='kac-prediction', description=__doc__.split('\n')[0])
    commands = parser.add_subparsers(dest='command', required=True)
    generate = commands.add_parser('generate', help='generate a dataset (parallel, resumable)')
    generate.add_argument('sampler', choices=_SAMPLERS)
    generate.add_argument('dataset_dir')
    generate.add_argument('--size', type=int, default=100, help='items (default 100)')
    generate.add_argument('--seed', type=int, default=None)
    generate.add_argument('--duration', type=float, default=1.0, help='seconds per item (default 1)')
    generate.add_argument('--sample-rate', type=int, default=48000, help='Hz (default 48000)')
    generate.add_argument('--settings', default='{}', help='other sampler settings as JSON, e.g. {"drum_size": 0.5}')
    generate.add_argument('--representation', default='{}', help='representation settings as JSON')
    generate.add_argument('--workers', type=int, default=None, help='processes (default: one per core)')
    generate.add_argument('--shard', type=int, nargs=2, metavar=('I', 'N'), help='render shard I of N')
    generate.add_argument('--overwrite', action='store_true', help='replace a different dataset in dataset_dir')
    check = commands.add_parser(
        'check',
        help='report what is damaged in a dataset, changing nothing',
        description='Check a dataset directory (metadata, labels, every WAV, the X caches, an unfinished generation) '
        'and print what is damaged and the commands that repair it. Exit status 0 when healthy, 1 when damaged, 2 '
        'when DATASET is not a dataset directory.',
    )
    check.add_argument('dataset_dir', metavar='DATASET')
    check.add_argument('--json', action='store_true', help='print the report as JSON')
    install = commands.add_parser('install-dataset', help='download an official dataset')
    install.add_argument('name')
    install.add_argument('dataset_dir', nargs='?', default='data')
    commands.add_parser('train', help='train and evaluate a routine (see train --help)')
    sweep = commands.add_parser(
        'sweep',
        help='run a wandb sweep file locally, without a wandb server',
        description='Run a wandb sweep file locally (random, grid or bayes via optuna), from the directory its program '
        'path is relative to. Logs, metrics and runs.jsonl go to the sweep directory; the best configuration is '
        'printed as YAML. Exit status 1 when every run failed.',
        usage='kac-prediction sweep CONFIG [--count N] [--sweep-dir DIR] [--seed S] [--resume] [-- extra arguments]',
    )
    sweep.add_argument('config', metavar='CONFIG', help='a wandb sweep YAML, e.g. scripts/config/wandb/….yaml')
    sweep.add_argument(
        '--count', type=int, default=10, metavar='N', help='runs in all, earlier ones included (default 10)'
    )
    sweep.add_argument(
        '--sweep-dir', default='', metavar='DIR', help='where logs and runs.jsonl go (default sweeps/<CONFIG stem>)'
    )
    sweep.add_argument(
        '--seed', type=int, default=0, metavar='S', help='seeds random draws and the bayes sampler (default 0)'
    )
    sweep.add_argument('--resume', action='store_true', help='continue the sweep recorded in the sweep directory')
    predict = commands.add_parser(
        'predict',
        help='predict the drums heard in audio files (a shipped model, or a checkpoint of yours)',
        description='Print the labels (e.g. drum_size in m) that a shipped model (--family; kac-prediction models '
        'lists them) or a SpectrumCRePE checkpoint of your own predicts for audio files. Any '
        'format soundfile reads, any sample rate (resampled), stereo (mixed to mono), any length (aligned on the '
        'onset, then trimmed or zero-padded to the training duration); only the part used is read, so memory does not '
        'grow with the length of a file. Sample rates outside 1000–768000 Hz are refused. Audio too quiet (peak < −60 '
        'dBFS), too short (< 10 %% of the training duration), mostly below the lowest band, or clipped gives one line '
        '"warning: FILE: ..." per problem on stderr (and under "warnings" in --json).',
    )
    predict.add_argument(
        'paths', metavar='[CHECKPOINT] AUDIO', nargs='+', help='audio files (WAV, FLAC, OGG, …), after an optional '
        'checkpoint of your own (a run directory, its best checkpoint, or a .pt file)',
    )  # fmt: skip
    predict.add_argument(
        '--family', choices=_FAMILIES, default=None, help='the shipped model to use '
        'without a checkpoint (default circle): kac-prediction models lists them',
    )  # fmt: skip
    predict.add_argument(
        '--json', action='store_true', help='print a JSON list of {file, label: value, warnings: [...]} instead'
    )
    predict.add_argument(
        '--plot', default='', metavar='PATH', help='write a PNG of the spectrum and the predicted drum (several files: '
        'PATH with _<index> before the suffix, from 0)',
    )  # fmt: skip
    predict.add_argument(
        '--wave-speed', type=float, default=None, metavar='C', help="m/s: the membrane's wave speed, turning a "
        'predicted transit_time (realistic routines) into drum_size = C × transit_time (default 100 m/s, warned)',
    )  # fmt: skip
    predict.add_argument('--tension', type=float, default=None, metavar='T', help='N/m (with --density: c = sqrt(T/D))')
    predict.add_argument('--density', type=float, default=None, metavar='D', help='kg/m² (with --tension)')
    models = commands.add_parser(
        'models',
        help='list the models shipped in the package and their cards',
        description='List the shipped models (one per drum family), check each against the SHA-256 in its card, and '
        "print their held-out figures; with FAMILY, that model's card: training command, dataset, figures per "
        'condition. Exit status 1 when a model fails its check.',
    )
    models.add_argument('family', metavar='FAMILY', nargs='?', choices=_FAMILIES)
    models.add_argument('--json', action='store_true', help='print the cards as JSON')
    addOrchestrateCommands(commands)
    serve = commands.add_parser('serve', help='serve the web page: hear a drum, match it, design a kit',
                                description='Serve the page (kac_prediction/serve/app.py) until Ctrl-C.')  # fmt: skip
    serve.add_argument('checkpoints', metavar='CHECKPOINT', nargs='*', help='run directories or .pt files serving '
                       'their families instead of the shipped models')  # fmt: skip
    serve.add_argument('--host', default='127.0.0.1', help='default 127.0.0.1: this machine only')
    serve.add_argument('--port', type=int, default=8000, help='default 8000')
    serve.add_argument('--max-mb', type=float, default=10.0, help='the largest upload, MB (default 10)')
    serve.add_argument('--max-seconds', type=float, default=30.0, help='the longest audio, s (default 30)')
    args = parser.parse_args(arguments)
    if args.command == 'serve':
        from .serve import serve as run

        try:
            return run(args.host, args.port, args.checkpoints, args.max_mb, args.max_seconds)
        except (OSError, ValueError) as error:
            print(f'error: {error}', file=sys.stderr)
            return 2
    if args.command in ORCHESTRATE_COMMANDS:
        return runOrchestrate(args)
    if args.command == 'models':
        try:
            return _models(args)
        except (OSError, ValueError) as error:
            print(f'error: {error}', file=sys.stderr)
            return 2
    if args.command == 'predict':
        try:
            return _predict(args)
        except (OSError, ValueError, TypeError) as error:
            print(f'error: {error}', file=sys.stderr)
            return 2
        except MemoryError as error:  # Predictor.readFiles names the file it was reading
            print(f'error: {str(error) or "out of memory"}', file=sys.stderr)
            return 2
    if args.command in ('generate', 'check'):
        try:
            return _generate(args) if args.command == 'generate' else _check(args)
        except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM (generateDataset raises GenerationInterrupted)
            if args.command == 'generate':
                print(f'interrupted: {args.dataset_dir} holds an unfinished generation; run the same command again '
                      'to resume it.', file=sys.stderr)  # fmt: skip
            return 128 + int(getattr(interrupt, 'signal_number', 2))
        except (OSError, ValueError, TypeError) as error:  # files, a full disk, a lock held, settings
            print(f'error: {error}', file=sys.stderr)
            return 2
    try:
        if args.command == 'sweep':
            return _sweep(args, extra)
        return _install(args)
    except (ValueError, TypeError, FileExistsError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
