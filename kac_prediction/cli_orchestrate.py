"""The orchestrating verbs of `kac-prediction` (thin: parse, call kac_prediction.orchestrate, report):

kac-prediction match drum.wav [--family circle|rectangle|polygon] [--wave-speed C | --material NAME] [--out DIR]
kac-prediction design --notes C3 Eb3 G3 [--family …] [--material NAME | --wave-speed C] [--shape FILE] [--out DIR]
kac-prediction arrange SCORE --kit kit/kit.json [--out piece.wav] [--room SEED] [--rt60 S]
kac-prediction materials [--json]
"""

import argparse
import json
import sys
from typing import Any

__all__ = ['ORCHESTRATE_COMMANDS', 'addOrchestrateCommands', 'runOrchestrate']

ORCHESTRATE_COMMANDS = ('match', 'design', 'arrange', 'materials')
_FAMILIES = ('circle', 'rectangle', 'polygon')


def _membraneArguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--family', choices=_FAMILIES, default='circle', help='the drum family (default circle)')
    parser.add_argument('--wave-speed', type=float, default=None, metavar='C', help='m/s, the membrane\'s '
                        'c = sqrt(tension / density) (default 100; sound fixes only size / c)')  # fmt: skip
    parser.add_argument('--material', default=None, metavar='NAME', help='a membrane from kac-prediction materials '
                        '(its nominal wave speed), instead of --wave-speed')  # fmt: skip
    parser.add_argument('--json', action='store_true', help='print the result as JSON')
    parser.add_argument('--overwrite', action='store_true', help='write into a directory holding other files')


def addOrchestrateCommands(commands: Any) -> None:
    """Add match, design, arrange and materials to the `kac-prediction` subparsers `commands`."""
    match = commands.add_parser(
        'match',
        help='find the drum that makes a sound (network guess, refined by analysis-by-synthesis)',
        description="Find the drum of a family that best reproduces TARGET: the shipped model's (or --checkpoint's) "
        "prediction, refined by fitting the partials' frequencies, the damping, the strike and the pickup. Writes "
        'DIR/match.wav (the matched drum), DIR/match.png (spectra overlaid, the drum drawn) and DIR/match.json '
        '(parameters, distances before and after refinement).',
    )
    match.add_argument('target', metavar='TARGET', help='an audio file of one drum strike')
    _membraneArguments(match)
    match.add_argument('--checkpoint', default=None, help="a checkpoint of the family's routine instead of the "
                       'shipped model')  # fmt: skip
    match.add_argument('--out', default='match', metavar='DIR', help='output directory (default ./match)')
    match.add_argument('--duration', type=float, default=2.0, help='s of the sound analysed (default 2)')
    design = commands.add_parser(
        'design',
        help='design drums tuned to notes',
        description='Design one drum per note, its fundamental on the note (tuned from the eigenvalues: exact to '
        'float rounding), and write DIR/kit.json (geometry, partials in Hz and cents), DIR/NOTE.wav (a strike of '
        'each) and DIR/kit.png.',
    )
    design.add_argument('--notes', nargs='+', required=True, help='note names (C3 Eb3 F#4) or frequencies (220Hz)')
    _membraneArguments(design)
    design.add_argument('--aspect-ratio', type=float, default=1.0, help='Lx/Ly of rectangles (default 1)')
    design.add_argument('--shape', default=None, metavar='FILE', help='a polygon outline: a text file of "x y" '
                        'vertices, one per line (any unit; implies --family polygon)')  # fmt: skip
    design.add_argument('--size-range', type=float, nargs=2, default=(0.1, 2.0), metavar=('MIN', 'MAX'),
                        help='m, allowed drum sizes (default 0.1 2)')  # fmt: skip
    design.add_argument('--decay-time', type=float, default=2.0, help='s, T60 at 0 Hz (default 2)')
    design.add_argument('--decay-time-high', type=float, default=None, help='s, T60 at 1 kHz (default: as at 0 Hz)')
    design.add_argument('--stiffness', type=float, default=0.0, help='m²/s, κ of a stiff membrane (default 0)')
    design.add_argument('--out', default='kit', metavar='DIR', help='output directory (default ./kit)')
    design.add_argument('--duration', type=float, default=2.0, help='s of each rendered strike (default 2)')
    arrange = commands.add_parser(
        'arrange',
        help='render a score (MIDI or text) on a designed kit',
        description='Play SCORE (a standard MIDI file, or a text score: "TIME DRUM [VELOCITY]" per line, optional '
        '"tempo BPM" first) on the drums of KIT (design\'s kit.json, or match.json) and write the mix as a 24-bit '
        'WAV, peak-normalised with headroom; velocity sets loudness and strike position.',
    )
    arrange.add_argument('score', metavar='SCORE', help='a .mid file or a text score')
    arrange.add_argument('--kit', required=True, help="a kit file: design's kit.json or match's match.json")
    arrange.add_argument('--out', default='arrangement.wav', metavar='WAV', help='default ./arrangement.wav')
    arrange.add_argument('--sample-rate', type=int, default=48000, help='Hz (default 48000)')
    arrange.add_argument('--headroom', type=float, default=1.0, metavar='DB', help='peak at −DB dBFS (default 1)')
    arrange.add_argument('--room', type=int, default=None, metavar='SEED', help='play in a shoebox room drawn '
                         'with this seed (the recording chain\'s rooms)')  # fmt: skip
    arrange.add_argument('--rt60', type=float, default=None, metavar='S', help="the room's T60 in s (with --room)")
    arrange.add_argument('--json', action='store_true', help='print the summary as JSON')
    arrange.add_argument('--overwrite', action='store_true', help='replace an existing WAV')
    materials = commands.add_parser(
        'materials', help='list the membrane materials', description='The membrane materials --material accepts: '
        'surface density, typical tension range and the wave speeds they give (sources: docs/materials.md).',
    )  # fmt: skip
    materials.add_argument('--json', action='store_true', help='print the table as JSON')


def _readShape(path: str) -> list[list[float]]:
    """Vertices of a text file of 'x y' lines (commas allowed, '#' comments); ValueError naming the file."""
    vertices = []
    with open(path, encoding='utf-8') as file:
        for number, line in enumerate(file, 1):
            text = line.split('#', 1)[0].replace(',', ' ').split()
            if not text:
                continue
            try:
                x, y = (float(v) for v in text)
            except ValueError:
                raise ValueError(f'{path}, line {number}: expected two numbers "x y", got {line.strip()!r}.') from None
            vertices.append([x, y])
    if len(vertices) < 3:
        raise ValueError(f'{path}: an outline needs at least 3 vertices "x y", one per line; found {len(vertices)}.')
    return vertices


def _match(args: argparse.Namespace) -> int:
    from .orchestrate import matchFile

    result = matchFile(args.target, args.out, args.family, args.wave_speed, args.material, args.checkpoint,
                       args.duration, args.overwrite)  # fmt: skip
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return 0
    drum, distances = result['drum'], result['distance_db']
    shape = f', aspect ratio {drum["aspect_ratio"]:.3f}' if drum['family'] == 'rectangle' else ''
    print(f'{args.target}: {drum["family"]} of size {drum["drum_size"]:.4f} m{shape} at c = {drum["wave_speed"]:g} '
          f'm/s ({result["wave_speed_source"]})')  # fmt: skip
    print(f'fundamental {drum["fundamental"]:.2f} Hz; partials (cents): '
          f'{" ".join(f"{v:.0f}" for v in drum["partials_cents"])}')  # fmt: skip
    high = drum['decay_time_high']
    print(f'T60 {drum["decay_time"]:.2f} s at 0 Hz' + (f', {high:.2f} s at 1 kHz' if high else '') +
          f'; strike {tuple(round(v, 3) for v in result["strike"])}, pickup '
          f'{tuple(round(v, 3) for v in result["pickup"])} (ρ, θ)')  # fmt: skip
    print(f'spectral distance {distances["network"]:.2f} dB (network) → {distances["matched"]:.2f} dB (matched); '
          f'wrote {args.out}/match.wav, match.png, match.json')  # fmt: skip
    return 0


def _design(args: argparse.Namespace) -> int:
    from .orchestrate import designFiles, waveSpeed

    c, source = waveSpeed(args.wave_speed, args.material)
    outline = _readShape(args.shape) if args.shape else None
    family = 'polygon' if outline is not None else args.family
    if outline is not None and args.family not in ('circle', 'polygon'):  # circle is the default, not a choice
        raise ValueError(f'--shape makes polygon drums; drop --family {args.family} or --shape.')
    settings: dict[str, Any] = {
        'family': family, 'wave_speed': c, 'outline': outline, 'size_range': tuple(args.size_range),
        'decay_time': args.decay_time, 'decay_time_high': args.decay_time_high, 'stiffness': args.stiffness,
    }  # fmt: skip
    if family == 'rectangle':
        settings['aspect_ratio'] = args.aspect_ratio
    kit = designFiles(args.notes, args.out, duration=args.duration, overwrite=args.overwrite, **settings)
    kit['wave_speed_source'] = source
    if args.json:
        print(json.dumps(kit, indent=1, ensure_ascii=False))
        return 0
    print(f'{len(kit["drums"])} {family} drums at c = {c:g} m/s ({source}), written to {args.out}/')
    print(f'{"note":<8}{"size (m)":>10}{"f1 (Hz)":>10}  partials (cents above f1)')
    for drum in kit['drums']:
        cents = ' '.join(f'{v:.0f}' for v in drum['partials_cents'][1:])
        print(f'{drum["name"]:<8}{drum["drum_size"]:>10.4f}{drum["fundamental"]:>10.2f}  {cents}')
    return 0


def _arrange(args: argparse.Namespace) -> int:
    from .orchestrate import arrangeFile

    summary = arrangeFile(args.score, args.kit, args.out, args.sample_rate, args.headroom, args.room, args.rt60,
                          args.overwrite)  # fmt: skip
    if args.json:
        print(json.dumps(summary, indent=1, ensure_ascii=False))
    else:
        room = f' in a room of T60 {summary["room"]["rt60"]:.2f} s' if summary['room'] else ''
        print(f'{summary["output"]}: {summary["events"]} notes on {", ".join(summary["drums_used"])}{room}, '
              f'{summary["duration"]:.2f} s, peak {summary["peak_dbfs"]:.1f} dBFS')  # fmt: skip
    return 0


def _materials(args: argparse.Namespace) -> int:
    from .orchestrate import MATERIALS

    if args.json:
        print(json.dumps([m.toDict() for m in MATERIALS.values()], indent=1, ensure_ascii=False))
        return 0
    print(f'{"name":<14}{"kg/m²":>7}{"N/m":>14}{"c (m/s)":>12}  description')
    for m in MATERIALS.values():
        low, high = m.wave_speed_range
        print(f'{m.name:<14}{m.material_density:>7.3f}{f"{m.tension[0]:.0f}–{m.tension[1]:.0f}":>14}'
              f'{f"{low:.0f}–{high:.0f}":>12}  {m.description}')  # fmt: skip
    return 0


def runOrchestrate(args: argparse.Namespace) -> int:
    """Run one orchestrating verb; an error in the input is one `error:` line and exit status 2."""
    run = {'match': _match, 'design': _design, 'arrange': _arrange, 'materials': _materials}[args.command]
    try:
        return run(args)
    except (OSError, ValueError, TypeError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
