"""Tests of kac_prediction.orchestrate.materials: the table of membranes, material() and waveSpeed()."""

import json
import math
import re
from pathlib import Path

import pytest

from kac_prediction.orchestrate.materials import DEFAULT_WAVE_SPEED, MATERIALS, Material, material, waveSpeed

DOCS = Path(__file__).resolve().parent.parent / 'docs' / 'materials.md'


@pytest.fixture(scope='module')
def docs() -> str:
    return DOCS.read_text(encoding='utf-8')


def _sources(text: str) -> str:
    """The docs' "Sources" section."""
    return text[text.index('## Sources') :]


# The table


def test_table_size_and_keys() -> None:
    assert 6 <= len(MATERIALS) <= 9
    for name, entry in MATERIALS.items():
        assert entry.name == name == name.strip().lower()
        assert entry.description and '\n' not in entry.description


@pytest.mark.parametrize('entry', MATERIALS.values(), ids=list(MATERIALS))
def test_entry_physics(entry: Material) -> None:
    rho, (low, high) = entry.material_density, entry.tension
    assert rho > 0.0
    assert 0.0 < low < high
    c = entry.wave_speed
    assert c == pytest.approx(math.sqrt(math.sqrt(low * high) / rho), rel=1e-12)
    c_low, c_high = entry.wave_speed_range
    assert c_low == pytest.approx(math.sqrt(low / rho), rel=1e-12)
    assert c_high == pytest.approx(math.sqrt(high / rho), rel=1e-12)
    assert c_low < c < c_high
    assert c == pytest.approx(math.sqrt(c_low * c_high), rel=1e-12)  # the geometric mean, in c as in T


@pytest.mark.parametrize('entry', MATERIALS.values(), ids=list(MATERIALS))
def test_entry_source_cited_in_docs(entry: Material, docs: str) -> None:
    assert f'**[{entry.source}]**' in _sources(docs)


@pytest.mark.parametrize('entry', MATERIALS.values(), ids=list(MATERIALS))
def test_entry_row_in_docs_matches(entry: Material, docs: str) -> None:
    """docs/materials.md's table row shows this entry's density, tension and wave speeds."""
    row = next((line for line in docs.splitlines() if line.startswith(f'| `{entry.name}` |')), None)
    assert row is not None, f'no row for {entry.name} in docs/materials.md'
    cells = [cell.strip() for cell in row.strip('|').split('|')]
    assert cells[1] == entry.description
    assert float(cells[2]) == pytest.approx(entry.material_density)
    assert cells[3] == f'{entry.tension[0]:g}–{entry.tension[1]:g}'
    assert cells[4] == '{:.0f}–{:.0f}'.format(*entry.wave_speed_range)
    assert cells[5] == f'{entry.wave_speed:.0f}'
    assert cells[6] == f'[{entry.source}]'


def test_every_cited_key_has_a_source(docs: str) -> None:
    listed = set(re.findall(r'^- \*\*\[([a-z0-9-]+)\]\*\*', _sources(docs), flags=re.MULTILINE))
    cited = set(re.findall(r'\[([a-z0-9-]+)\](?!\*\*)', docs[: docs.index('## Sources')]))
    assert cited <= listed, f'cited without a source: {sorted(cited - listed)}'
    assert listed <= cited, f'listed but never cited: {sorted(listed - cited)}'


def test_default_is_the_samplers_membrane() -> None:
    default = MATERIALS['default']
    assert default.material_density == 0.2
    assert default.wave_speed == pytest.approx(DEFAULT_WAVE_SPEED, rel=1e-12)
    assert DEFAULT_WAVE_SPEED == pytest.approx(math.sqrt(2000.0 / 0.2))
    # the band contains the realistic training range 720–6480 N/m at 0.2 kg/m²
    assert default.tension[0] <= 720.0 and default.tension[1] >= 6480.0


def test_films_share_their_density_per_thickness() -> None:
    """A PET film's surface density is its thickness × 1390 kg/m³ (docs/materials.md)."""
    mil = 25.4e-6
    for name, thickness in [('mylar-3mil', 3 * mil), ('mylar-7mil', 7 * mil), ('mylar-10mil', 10 * mil)]:
        assert MATERIALS[name].material_density == pytest.approx(thickness * 1390.0, rel=5e-3)
    assert MATERIALS['mylar-2x7mil'].material_density == pytest.approx(14 * mil * 1390.0, rel=5e-3)
    assert MATERIALS['timpani-mylar'].material_density == pytest.approx(0.2e-3 * 1390.0, rel=5e-3)


def test_to_dict_is_json_ready() -> None:
    entry = MATERIALS['mylar-10mil']
    record = entry.toDict()
    assert json.loads(json.dumps(record)) == record
    assert record['name'] == 'mylar-10mil'
    assert record['material_density'] == entry.material_density
    assert record['tension'] == list(entry.tension)
    assert record['wave_speed'] == entry.wave_speed
    assert record['wave_speed_range'] == list(entry.wave_speed_range)
    assert record['source'] == entry.source


@pytest.mark.parametrize(
    ('density', 'tension', 'match'),
    [
        (0.0, (1.0, 2.0), 'material_density'),
        (math.nan, (1.0, 2.0), 'material_density'),
        (0.2, (2.0, 1.0), 'low < high'),
        (0.2, (1.0, 1.0), 'low < high'),
        (0.2, (-1.0, 2.0), 'tension low'),
        (0.2, (1.0, math.inf), 'tension high'),
    ],
)
def test_material_checks_its_figures(density: float, tension: tuple[float, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Material('x', 'x', density, tension, 'project')


def test_material_is_frozen() -> None:
    with pytest.raises(AttributeError):
        MATERIALS['default'].material_density = 1.0  # type: ignore[misc]


# material()


def test_material_by_name() -> None:
    assert material('calfskin') is MATERIALS['calfskin']
    assert material('  Mylar-10mil ') is MATERIALS['mylar-10mil']


def test_unknown_material_suggests_the_closest() -> None:
    with pytest.raises(ValueError) as raised:
        material('mylar-10')
    message = str(raised.value)
    assert message.startswith("unknown material 'mylar-10': choose one of ")
    assert all(name in message for name in MATERIALS)
    assert message.endswith("; did you mean 'mylar-10mil'?")
    with pytest.raises(ValueError, match=r"did you mean 'calfskin'\?"):
        material('calfskn')


def test_unknown_material_without_a_close_name() -> None:
    with pytest.raises(ValueError) as raised:
        material('zzz')
    assert 'did you mean' not in str(raised.value)
    assert str(raised.value).startswith("unknown material 'zzz': choose one of default, ")


# waveSpeed()


def test_wave_speed_given() -> None:
    assert waveSpeed(120.0) == (120.0, 'given')
    assert waveSpeed(wave_speed=80) == (80.0, 'given')


def test_wave_speed_of_a_material() -> None:
    c, source = waveSpeed(material_name='timpani-mylar')
    assert source == 'material timpani-mylar'
    assert c == MATERIALS['timpani-mylar'].wave_speed


def test_wave_speed_default() -> None:
    assert waveSpeed() == (DEFAULT_WAVE_SPEED, 'default')
    assert DEFAULT_WAVE_SPEED == 100.0


def test_wave_speed_both_given() -> None:
    with pytest.raises(ValueError, match='give --wave-speed or --material, not both'):
        waveSpeed(100.0, 'calfskin')


@pytest.mark.parametrize('bad', [0.0, -5.0, math.nan, math.inf, True, '100'])
def test_wave_speed_must_be_positive_finite(bad: object) -> None:
    with pytest.raises(ValueError, match='wave_speed must be a finite number > 0'):
        waveSpeed(bad)  # type: ignore[arg-type]


def test_wave_speed_unknown_material() -> None:
    with pytest.raises(ValueError, match="unknown material 'mylar'"):
        waveSpeed(material_name='mylar')
