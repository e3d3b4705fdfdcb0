"""Render the example recordings in examples/: one drum of each shipped family, as a microphone in a room hears it.

    python examples/render_examples.py          # writes circle.wav, rectangle.wav, polygon.wav and examples.json

Each is a drum the shipped models never heard (its own seed), of a 100 m/s membrane (2000 N/m, 0.2 kg/m²) with
realistic decays, a random strike and listening point and a 1-ms stick, recorded by the recording chain (a shoebox
room, microphone colouration, noise, gain, delay) at 44.1 kHz, 16-bit. examples.json holds the true geometry and the
recording drawn. Deterministic: the same files every run on the same library versions.
"""

import os
from typing import Any

import numpy as np
import soundfile as sf

from kac_prediction._io import atomicPath, writeJSON
from kac_prediction.acoustics import RecordingSettings, record, roomBank
from kac_prediction.samplers import BesselModel, FDTDModel, PoissonModel

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 2026
RATE, OUTPUT_RATE = 48000, 44100
MEMBRANE: dict[str, Any] = {
    'tension': 2000.0, 'material_density': 0.2, 'decay_time': 2.0, 'decay_time_high': 0.3,
    'decay_frequency_high': 1000.0, 'listening_location': 'random', 'strike_duration': 0.001, 'strikes_per_drum': 2,
    'sample_rate': RATE, 'seed': SEED,
}  # fmt: skip
DRUMS: dict[str, Any] = {
    'circle': (BesselModel, {'duration': 1.0, 'drum_size': 0.6}),
    'rectangle': (PoissonModel, {'duration': 1.0, 'drum_size': 0.5, 'aspect_ratio': 1.8}),
    'polygon': (FDTDModel, {'duration': 0.5, 'drum_size': 0.3, 'arbitrary_shape': 'ConvexPolygon'}),
}
KEPT = ('drum_size', 'aspect_ratio', 'wave_speed', 'strike_location', 'sample_location', 'vertices')


def main() -> None:
    bank = roomBank(4, SEED, RATE)
    settings = RecordingSettings(snr_db=(25.0, 30.0), peak_dbfs=(-12.0, -6.0))
    found: dict[str, Any] = {}
    for index, (family, (Sampler, drum)) in enumerate(DRUMS.items()):
        sampler = Sampler(**MEMBRANE, **drum)
        sampler.updateProperties(1)  # the drum's second strike: random, off-centre
        sampler.generateWaveform()
        recorded = record(
            sampler.waveform, RATE, SEED, item=index, settings=settings, bank=bank, output_rate=OUTPUT_RATE
        )
        path = os.path.join(HERE, f'{family}.wav')
        with atomicPath(path) as temporary:
            sf.write(temporary, np.clip(recorded.waveform, -1.0, 1.0), recorded.sample_rate, 'PCM_16', format='WAV')
        labels = sampler.getLabels()
        found[f'{family}.wav'] = {
            'family': family,
            **{key: np.asarray(labels[key]).tolist() for key in KEPT if key in labels},
            'recording': recorded.recording.toDict(),
        }
        print(f'{path}: drum_size {float(np.ravel(labels["drum_size"])[0]):.3f} m')
    writeJSON(os.path.join(HERE, 'examples.json'), found)


if __name__ == '__main__':
    main()
