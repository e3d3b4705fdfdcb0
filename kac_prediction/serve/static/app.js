// The page of `kac-prediction serve`: plain JavaScript, no framework, nothing fetched but this server's /api.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const state = { audio: null, outline: null, recording: false, kitURL: null };

const $ = (id) => document.getElementById(id);

// ---- messages ------------------------------------------------------------------------------------------------

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = false;
}

function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
}

function setStatus(text) {
  $('status').textContent = text;
}

async function busy(button, text, work) {
  const buttons = document.querySelectorAll('button');
  buttons.forEach((b) => { b.disabled = true; });
  clearError();
  setStatus(text);
  try {
    await work();
    setStatus('');
  } catch (error) {
    setStatus('');
    showError(error.message);
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

async function answer(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    body = null;
  }
  if (!response.ok) {
    const message = body && body.error ? body.error : `the server answered ${response.status} ${response.statusText}.`;
    throw new Error(message);
  }
  return body;
}

// ---- membrane fields -----------------------------------------------------------------------------------------

function membrane(materialId, speedId) {
  const material = $(materialId).value;
  if (material && material !== 'custom') return { material };
  return { wave_speed: $(speedId).value };
}

function linkMaterial(materialId, speedId, materials) {
  const select = $(materialId);
  for (const entry of materials) {
    const option = document.createElement('option');
    option.value = entry.name;
    option.textContent = `${entry.name} (${entry.wave_speed.toFixed(0)} m/s)`;
    option.title = entry.description;
    select.appendChild(option);
  }
  select.addEventListener('change', () => {
    const entry = materials.find((m) => m.name === select.value);
    $(speedId).disabled = Boolean(entry);
    if (entry) $(speedId).value = entry.wave_speed.toFixed(1);
  });
}

// ---- audio in: a file, or a recording encoded as a 16-bit WAV ---------------------------------------------------

function useAudio(blob, name) {
  state.audio = { blob, name };
  const player = $('input-audio');
  if (player.src) URL.revokeObjectURL(player.src);
  player.src = URL.createObjectURL(blob);
  player.hidden = false;
}

function wavBlob(samples, rate) {
  const buffer = new ArrayBuffer(44 + 2 * samples.length);
  const view = new DataView(buffer);
  const text = (offset, s) => { for (let i = 0; i < s.length; i++) view.setUint8(offset + i, s.charCodeAt(i)); };
  text(0, 'RIFF');
  view.setUint32(4, 36 + 2 * samples.length, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, 2 * rate, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, 2 * samples.length, true);
  for (let i = 0; i < samples.length; i++) {
    const x = Math.max(-1, Math.min(1, samples[i]));
    view.setInt16(44 + 2 * i, x < 0 ? x * 32768 : x * 32767, true);
  }
  return new Blob([buffer], { type: 'audio/wav' });
}

async function record() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw new Error('this browser cannot record here: open the page at http://127.0.0.1 or over https.');
  }
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const context = new AudioContext();
  const source = context.createMediaStreamSource(stream);
  const processor = context.createScriptProcessor(4096, 1, 1);
  const chunks = [];
  processor.onaudioprocess = (event) => { chunks.push(new Float32Array(event.inputBuffer.getChannelData(0))); };
  source.connect(processor);
  processor.connect(context.destination);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  processor.disconnect();
  source.disconnect();
  stream.getTracks().forEach((track) => track.stop());
  const rate = context.sampleRate;
  await context.close();
  const samples = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) { samples.set(chunk, offset); offset += chunk.length; }
  useAudio(wavBlob(samples, rate), 'recording.wav');
  $('audio-file').value = '';
}

function audioForm() {
  if (!state.audio) throw new Error('choose an audio file or record a strike first.');
  const form = new FormData();
  form.append('file', state.audio.blob, state.audio.name);
  form.append('family', $('family').value);
  for (const [key, value] of Object.entries(membrane('material', 'wave-speed'))) form.append(key, value);
  return form;
}

// ---- drawing -------------------------------------------------------------------------------------------------

function node(tag, attributes, parent) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (parent) parent.appendChild(element);
  return element;
}

function label(parent, x, y, text, anchor = 'middle') {
  const element = node('text', { x, y, 'text-anchor': anchor }, parent);
  element.textContent = text;
  return element;
}

function clear(svg) {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
}

function niceLength(extent) {
  const steps = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10];
  let best = steps[0];
  for (const step of steps) if (step <= 0.5 * extent) best = step;
  return best;
}

function drawOutline(svg, outline, caption) {
  clear(svg);
  const width = Number(svg.getAttribute('width'));
  const height = Number(svg.getAttribute('height'));
  if (!outline || outline.length < 3) {
    label(svg, width / 2, height / 2, 'no outline');
    return;
  }
  const xs = outline.map((p) => p[0]);
  const ys = outline.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const margin = 24;
  const bar = 44;
  const scale = Math.min((width - 2 * margin) / (x1 - x0), (height - 2 * margin - bar) / (y1 - y0));
  const cx = width / 2 - scale * (x0 + x1) / 2;
  const cy = margin + (height - 2 * margin - bar) / 2 + scale * (y0 + y1) / 2;
  const points = outline.map(([x, y]) => `${(cx + scale * x).toFixed(1)},${(cy - scale * y).toFixed(1)}`).join(' ');
  node('polygon', { points, fill: 'rgba(230, 126, 34, 0.35)', stroke: '#d35400', 'stroke-width': 1.5 }, svg);
  const length = niceLength(Math.max(x1 - x0, y1 - y0));
  const left = width / 2 - (scale * length) / 2;
  const y = height - 26;
  node('path', {
    d: `M${left},${y - 5} V${y} H${left + scale * length} V${y - 5}`, stroke: '#222', fill: 'none', 'stroke-width': 1.5,
  }, svg);
  label(svg, width / 2, y + 14, length >= 1 ? `${length} m` : `${Math.round(length * 100)} cm`);
  label(svg, 8, 16, caption, 'start');
}

function axes(svg, box, fMin, fMax, floor) {
  const { left, top, width, height } = box;
  const x = (f) => left + (width * Math.log(f / fMin)) / Math.log(fMax / fMin);
  const y = (db) => top + (height * Math.min(Math.max(-db, 0), -floor)) / -floor;
  node('rect', { x: left, y: top, width, height, fill: 'white', stroke: '#ccc' }, svg);
  for (const f of [20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]) {
    if (f < fMin || f > fMax) continue;
    node('line', { x1: x(f), x2: x(f), y1: top, y2: top + height, stroke: '#eee' }, svg);
    label(svg, x(f), top + height + 14, f >= 1000 ? `${f / 1000}k` : `${f}`);
  }
  for (let db = 0; db >= floor; db -= 30) {
    node('line', { x1: left, x2: left + width, y1: y(db), y2: y(db), stroke: '#eee' }, svg);
    label(svg, left - 5, y(db) + 4, `${db}`, 'end');
  }
  label(svg, left + width / 2, top + height + 30, 'frequency (Hz)');
  label(svg, left - 34, top + height / 2, 'dB');
  return { x, y };
}

function line(svg, frequencies, levels, map, colour, fMin, fMax) {
  const points = [];
  frequencies.forEach((f, i) => {
    if (f < fMin || f > fMax || levels[i] === null) return;
    points.push(`${map.x(f).toFixed(1)},${map.y(levels[i]).toFixed(1)}`);
  });
  node('polyline', { points: points.join(' '), fill: 'none', stroke: colour, 'stroke-width': 1 }, svg);
}

function plotBox(svg) {
  const width = Number(svg.getAttribute('width'));
  const height = Number(svg.getAttribute('height'));
  return { left: 48, top: 12, width: width - 62, height: height - 56 };
}

function frequencyRange(frequencies) {
  const fMax = frequencies.length ? Math.max(5000, ...frequencies) : 5000;
  return [20, Math.min(fMax, 20000)];
}

function drawSpectrum(svg, spectrum, partials) {
  clear(svg);
  const [fMin, fMax] = frequencyRange(spectrum.frequencies);
  const map = axes(svg, plotBox(svg), fMin, fMax, -90);
  line(svg, spectrum.frequencies, spectrum.levels_db, map, '#1f77b4', fMin, fMax);
  partials.frequencies.forEach((f, i) => {
    if (f < fMin || f > fMax) return;
    const y = map.y(Math.min(partials.levels_db[i], 0));
    node('line', { x1: map.x(f), x2: map.x(f), y1: map.y(-90), y2: y, stroke: '#d62728', 'stroke-width': 1 }, svg);
    node('circle', { cx: map.x(f), cy: y, r: 3, fill: '#d62728' }, svg);
  });
}

function drawOverlay(svg, overlay, modes) {
  clear(svg);
  const [fMin, fMax] = frequencyRange(overlay.frequencies);
  const box = plotBox(svg);
  const map = axes(svg, box, fMin, fMax, -90);
  for (const f of modes) {
    if (f < fMin || f > fMax) continue;
    node('line', {
      x1: map.x(f), x2: map.x(f), y1: box.top, y2: box.top + box.height, stroke: '#888', 'stroke-dasharray': '2,3',
    }, svg);
  }
  line(svg, overlay.frequencies, overlay.target_db, map, '#1f77b4', fMin, fMax);
  line(svg, overlay.frequencies, overlay.matched_db, map, '#ff7f0e', fMin, fMax);
  const legend = [['original', '#1f77b4'], ['matched drum', '#ff7f0e']];
  legend.forEach(([text, colour], i) => {
    const y = box.top + 16 + 16 * i;
    node('line', { x1: box.left + box.width - 130, x2: box.left + box.width - 110, y1: y - 4, y2: y - 4, stroke: colour,
      'stroke-width': 2 }, svg);
    label(svg, box.left + box.width - 104, y, text, 'start');
  });
}

// ---- the three actions ---------------------------------------------------------------------------------------

function sizeCaption(result) {
  if (result.family === 'circle') return `diameter ${result.drum_size.toFixed(3)} m`;
  return `√area ${result.drum_size.toFixed(3)} m`;
}

async function predict() {
  const result = await answer(await fetch('/api/predict', { method: 'POST', body: audioForm() }));
  $('drum-size').textContent = `${result.drum_size.toFixed(3)} m`;
  const aspect = result.aspect_ratio;
  $('aspect-ratio').textContent = aspect !== null ? `, aspect ratio ${aspect.toFixed(2)}` : '';
  const c = result.wave_speed;
  const speed = c !== null ? `c = ${c.toFixed(1)} m/s (${result.wave_speed_source})` : '';
  $('prediction-details').textContent = ` · ${result.family}${speed ? ', ' + speed : ''} · ${result.model} · ` +
    `${result.elapsed_s.toFixed(2)} s`;
  const warnings = $('warnings');
  warnings.replaceChildren(...result.warnings.map((text) => {
    const item = document.createElement('li');
    item.textContent = text;
    return item;
  }));
  drawOutline($('outline'), result.outline, sizeCaption(result));
  drawSpectrum($('spectrum'), result.spectrum, result.partials);
  if (result.family === 'polygon' && result.outline.length >= 3) state.outline = result.outline;
  $('prediction').hidden = false;
}

async function match() {
  const result = await answer(await fetch('/api/match', { method: 'POST', body: audioForm() }));
  const drum = result.drum;
  const shape = drum.family === 'rectangle' ? `, aspect ratio ${drum.aspect_ratio.toFixed(2)}` : '';
  const distance = result.distance_db;
  $('match-summary').textContent = `${drum.family} of size ${drum.drum_size.toFixed(3)} m${shape} at ` +
    `c = ${drum.wave_speed.toFixed(1)} m/s; fundamental ${drum.fundamental.toFixed(2)} Hz. Spectral distance ` +
    `${distance.network.toFixed(2)} dB (network) → ${distance.matched.toFixed(2)} dB (matched); partial distance ` +
    `${result.partial_distance_cents2.network.toFixed(1)} → ${result.partial_distance_cents2.matched.toFixed(1)} ` +
    `cents² (${result.elapsed_s.toFixed(1)} s).`;
  $('target-audio').src = result.target_wav;
  $('matched-audio').src = result.matched_wav;
  drawOverlay($('overlay'), result.overlay, drum.partials);
  $('match-result').hidden = false;
}

async function design() {
  const family = $('design-family').value;
  const body = { notes: $('notes').value, family, ...membrane('design-material', 'design-wave-speed') };
  if (family === 'rectangle') body.aspect_ratio = $('aspect').value;
  if (family === 'polygon') body.outline = state.outline;
  const kit = await answer(await fetch('/api/design', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  }));
  const rows = kit.drums.map((drum) => {
    const row = document.createElement('tr');
    const cells = [drum.name, drum.drum_size.toFixed(4), drum.fundamental.toFixed(2),
      (drum.tuning_error_cents ?? 0).toFixed(4), drum.partials_cents.slice(1).map((c) => c.toFixed(0)).join(' ')];
    for (const text of cells) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.appendChild(cell);
    }
    const player = document.createElement('audio');
    player.controls = true;
    player.src = drum.wav;
    const link = document.createElement('a');
    link.href = drum.wav;
    link.download = drum.file;
    link.textContent = drum.file;
    for (const element of [player, link]) {
      const cell = document.createElement('td');
      cell.appendChild(element);
      row.appendChild(cell);
    }
    return row;
  });
  $('kit').querySelector('tbody').replaceChildren(...rows);
  const file = { ...kit, drums: kit.drums.map((drum) => ({ ...drum, wav: drum.file })) };
  if (state.kitURL) URL.revokeObjectURL(state.kitURL);
  state.kitURL = URL.createObjectURL(new Blob([JSON.stringify(file, null, 1)], { type: 'application/json' }));
  $('download-json').href = state.kitURL;
  $('design-summary').textContent = `${kit.drums.length} ${kit.family} drums at c = ${kit.wave_speed.toFixed(1)} m/s ` +
    `(${kit.wave_speed_source}), struck 30 % of the way to the edge.`;
  $('design-result').hidden = false;
}

// ---- start ---------------------------------------------------------------------------------------------------

async function start() {
  $('audio-file').addEventListener('change', (event) => {
    const file = event.target.files[0];
    if (file) useAudio(file, file.name);
  });
  $('record').addEventListener('click', () => busy($('record'), 'recording 2 s…', record));
  $('predict').addEventListener('click', () => busy($('predict'), 'predicting…', predict));
  const slow = ' (a polygon: up to half a minute)…';
  $('match').addEventListener('click', () => busy($('match'), `matching: a few seconds${slow}`, match));
  $('design').addEventListener('click', () => busy($('design'), `designing${slow}`, design));
  const aspect = () => { $('aspect').parentElement.hidden = $('design-family').value !== 'rectangle'; };
  $('design-family').addEventListener('change', aspect);
  aspect();
  try {
    const [info, materials] = await Promise.all([
      answer(await fetch('/api/info')), answer(await fetch('/api/materials')),
    ]);
    const megabytes = Number((info.max_bytes / 1e6).toPrecision(3));
    $('limits').textContent = `Uploads up to ${megabytes} MB and ${info.max_seconds} s; ` +
      'any format soundfile reads (WAV, FLAC, OGG, MP3).';
    linkMaterial('material', 'wave-speed', materials);
    linkMaterial('design-material', 'design-wave-speed', materials);
  } catch (error) {
    showError(error.message);
  }
}

start();
