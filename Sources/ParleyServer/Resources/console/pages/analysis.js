// One speech analysis: waveform with pauses and fillers, pitch and pace timelines, scores with factors,
// the transcript with word timings (click a word to play from there), and clips.
import { api, coaching, freshToken } from '/app/api.js';
import { h, clear, pageHeader, loading, errorBox, titleCase, duration, when, scorePill, announce, download, field, notice } from '/app/ui.js';
import { ring, bar, lineChart, waveform } from '/app/charts.js';
import { SocketIO } from '/app/socketio.js';

export async function render(main, [id], { go }) {
  main.append(loading('Loading the analysis…'));
  let { session } = await coaching(`/sessions/${id}`);
  const cleanups = [];
  if (session.status !== 'completed') {
    clear(main);
    return waiting(main, session, go);
  }
  const [{ metrics }, { scores }, clips] = await Promise.all([
    coaching(`/sessions/${id}/metrics`), coaching(`/sessions/${id}/scores`), coaching(`/sessions/${id}/clips`).catch(() => ({ clips: [] })),
  ]);
  clear(main);
  const transcript = session.transcript || {};
  const words = transcript.wordTimings || [];
  const fluency = session.fluency || {};
  const total = session.duration || metrics.summary?.duration || words.at(-1)?.end || 1;
  const fillerTimes = (fluency.fillerWords || []).flatMap((f) => (f.timestamps || []).map((time) => ({ time, word: f.word, words: f.word.split(/\s+/).length })));
  // The session does not say whose it is; it is the caller's own when their list has it.
  const own = await coaching('/sessions?limit=100').catch(() => ({ sessions: [] }));
  const mine = own.sessions.some((s) => s.id === id);

  const fillers = fillerIndexes(words, fillerTimes);
  const audio = h('audio#player', { controls: true, preload: 'auto', style: 'width:100%;margin-top:10px', 'aria-label': 'Recording' });
  const canvas = h('canvas.waveform#waveform', { role: 'img', 'aria-label': `Waveform of the recording: ${metrics.pauses?.length || 0} pauses shaded, ${fillerTimes.length} filler words marked in red. Click to play from a point.` });
  const waveNote = h('p.small.muted', 'Loading the recording…');

  main.append(
    h('a.crumb', { href: '/app/coaching' }, '← Speech coaching'),
    pageHeader(session.title, `${titleCase(session.type)} · ${when(session.createdAt)} · ${duration(total)}`,
      mine ? h('button.btn', { type: 'button', onclick: (event) => copyLink(event.currentTarget) }, 'Copy link for your coach') : null),
    ...(mine ? [] : [notice('You are viewing a team member\'s recording (read only).')]),
    h('section.card#overview', { 'aria-labelledby': 'ov-h' },
      h('h2#ov-h.sr-only', 'Overview'),
      h('div.score-hero',
        h('div', { style: 'text-align:center' }, ring(scores.overall ?? session.score, 'Overall speaking score', 136), h('div.label', 'Overall')),
        h('div.grid.grid-stats',
          stat('Pace', [String(Math.round(metrics.summary?.wpm ?? session.metrics?.wpm ?? 0)), h('span.unit', ' wpm')], 'Ideal 130–165 words a minute'),
          stat('Filler words', String(metrics.summary?.fillerWords ?? fillerTimes.length), `${fluency.fillerRate ?? '–'} per 100 words`),
          stat('Pauses', String(metrics.summary?.totalPauses ?? metrics.pauses?.length ?? 0), `${metrics.summary?.pauseTime ?? 0} s in total`),
          stat('Pitch', [String(Math.round(metrics.pitch?.mean ?? 0)), h('span.unit', ' Hz')], `${Math.round(metrics.pitch?.min ?? 0)}–${Math.round(metrics.pitch?.max ?? 0)} Hz, ${metrics.pitch?.trend || 'steady'}`),
          stat('Fluency', String(Math.round(fluency.overallFluency ?? 0)), `${fluency.wordCount ?? words.length} words`)))),
    h('section.card', { 'aria-labelledby': 'wave-h' },
      h('div.card-head', h('h2#wave-h', 'Recording'),
        h('div.legend', h('span', h('i', { style: 'background:rgba(217,154,11,.5)' }), 'Pauses'), h('span', h('i', { style: 'background:#b42318' }), 'Filler words'))),
      h('div.waveform-wrap', canvas), waveNote, audio),
    h('div.grid.grid-2', { style: 'margin-top:16px' },
      h('section.card', { 'aria-labelledby': 'pitch-h' },
        h('div.card-head', h('h2#pitch-h', 'Pitch'), h('p', 'Hz, second by second')),
        lineChart([{ values: (metrics.timeline || []).map((p) => ({ x: p.timestamp, y: p.pitch })) }],
          { label: `Pitch over time, mean ${Math.round(metrics.pitch?.mean ?? 0)} Hz`, xLabel: (x) => duration(x), area: true, height: 190,
            bands: (metrics.pauses || []).map((p) => ({ from: p.start, to: p.end })) })),
      h('section.card', { 'aria-labelledby': 'pace-h' },
        h('div.card-head', h('h2#pace-h', 'Pace'), h('p', 'Words per minute')),
        lineChart([{ values: smooth((metrics.timeline || []).map((p) => ({ x: p.timestamp, y: p.wpm }))) }],
          { label: `Pace over time, average ${Math.round(metrics.summary?.wpm ?? 0)} words per minute`, xLabel: (x) => duration(x), yMin: 0, area: true, height: 190,
            markers: fillerTimes.map((f) => ({ x: f.time, color: '#b42318' })) }))),
    h('section.card', { style: 'margin-top:16px', 'aria-labelledby': 'sc-h' },
      h('div.card-head', h('h2#sc-h', 'Scores'), h('p', 'Each category is weighted into the overall score')),
      h('div.grid.grid-2', Object.entries(scores.categories || {}).map(([name, c]) => category(name, c))),
      scores.improvements?.length ? h('div', { style: 'margin-top:14px' }, h('h3', 'What to work on'),
        h('ul.bullets', scores.improvements.map((i) => h('li', h('strong', `${titleCase(i.category)}: `), i.suggestion, i.impact ? h('span.muted', ` (${i.impact} impact)`) : null)))) : null,
      scores.notes?.length ? h('p.small.muted', scores.notes.join(' ')) : null),
    h('section.card', { 'aria-labelledby': 'tr-h' },
      h('div.card-head', h('h2#tr-h', 'Transcript'), h('p', 'Select a word to play from there. Filler words are highlighted.')),
      h('p.words#words', words.length ? words.map((w, i) => h(`button.word${fillers.has(i) ? '.word-filler' : ''}`, {
        type: 'button', 'data-i': i, 'data-start': w.start, 'aria-label': `${w.word.replace(/[,.!?]$/, '')} at ${duration(w.start)}`,
        onclick: () => { audio.currentTime = w.start; audio.play().catch(() => {}); selected = w; },
      }, w.word)) : (transcript.text || 'No words were recognised.'))),
    clipsCard(id, clips.clips || [], () => selected, mine));

  let selected = null;
  // The recording needs the Bearer token, so it is fetched and played from memory.
  let draw = () => {};
  try {
    const blob = await api(`/coaching/sessions/${id}/media`, { as: 'blob' });
    const url = URL.createObjectURL(blob);
    cleanups.push(() => URL.revokeObjectURL(url));
    audio.src = url;
    const decoded = await new OfflineAudioContext(1, 1, 8000).decodeAudioData(await blob.arrayBuffer());
    draw = waveform(canvas, decoded.getChannelData(0), decoded.duration, { pauses: metrics.pauses || [], fillers: fillerTimes });
    draw(0);
    waveNote.textContent = `${metrics.pauses?.length || 0} pauses and ${fillerTimes.length} filler words marked.`;
  } catch (error) {
    waveNote.replaceWith(errorBox(error.status ? error : new Error('The recording could not be loaded in this browser, but the analysis below is complete.')));
  }
  canvas.addEventListener('click', (event) => {
    const rect = canvas.getBoundingClientRect();
    audio.currentTime = ((event.clientX - rect.left) / rect.width) * (audio.duration || total);
    audio.play().catch(() => {});
  });
  let frame = 0;
  const wordEls = [...main.querySelectorAll('.word')];
  let current = null;
  const follow = () => {
    draw(audio.currentTime);
    const i = words.findIndex((w) => audio.currentTime >= w.start && audio.currentTime < w.end);
    if (current) current.classList.remove('current');
    current = i >= 0 ? wordEls[i] : null;
    if (current) current.classList.add('current');
    if (!audio.paused) frame = requestAnimationFrame(follow);
  };
  audio.addEventListener('play', () => { cancelAnimationFrame(frame); frame = requestAnimationFrame(follow); });
  audio.addEventListener('seeked', follow);
  const resize = () => { if (audio.src) follow(); };
  window.addEventListener('resize', resize);
  cleanups.push(() => { cancelAnimationFrame(frame); audio.pause(); window.removeEventListener('resize', resize); });
  return () => cleanups.forEach((fn) => fn());
}

function copyLink(button) {
  const done = () => { button.textContent = 'Link copied'; announce('Link copied'); setTimeout(() => { button.textContent = 'Copy link for your coach'; }, 2500); };
  if (navigator.clipboard?.writeText) navigator.clipboard.writeText(location.href).then(done, () => prompt('Copy this link:', location.href));
  else prompt('Copy this link:', location.href);
}

function stat(label, value, note) {
  return h('div.stat', h('div.stat-label', label), h('div.stat-value', value), note ? h('div.stat-note', note) : null);
}

function smooth(points) {
  return points.map((p, i) => {
    const window = points.slice(Math.max(0, i - 1), i + 2).filter((q) => q.y != null);
    return { x: p.x, y: window.reduce((a, q) => a + q.y, 0) / (window.length || 1) };
  });
}

function fillerIndexes(words, fillers) {
  const marked = new Set();
  for (const f of fillers) {
    const i = words.findIndex((w) => Math.abs(f.time - w.start) < 0.05 || (w.start <= f.time && f.time < w.end - 0.01));
    for (let k = 0; i >= 0 && k < f.words; k++) marked.add(i + k);
  }
  return marked;
}

function category(name, c) {
  const factors = Object.entries(c.factors || {});
  return h('article', { style: 'border:1px solid var(--border);border-radius:8px;padding:12px 14px' },
    h('div.spread', h('h3', titleCase(name)), h('span.row', h('span.small.muted', `weight ${Math.round((c.weight || 0) * 100)}%`), scorePill(c.score, titleCase(name)))),
    h('div', { style: 'display:grid;gap:6px;margin:10px 0' }, factors.map(([f, v]) => h('div.factor',
      h('span', titleCase(f.replace(/([A-Z])/g, ' $1'))),
      v == null ? h('span.small.muted', 'needs video') : bar(v, titleCase(f)),
      h('span.small', { style: 'text-align:right' }, v == null ? '–' : Math.round(v))))),
    c.findings?.length ? h('ul.bullets.small.muted', c.findings.map((x) => h('li', x))) : null);
}

function clipsCard(id, clips, selectedWord, mine) {
  const list = h('ul#clips', { style: 'list-style:none;padding:0;margin:0;display:grid;gap:8px' });
  const render = (all) => {
    clear(list, all.length ? all.map((c) => h('li.spread', { style: 'border:1px solid var(--border);border-radius:8px;padding:8px 12px' },
      h('span', h('strong', c.title), h('span.muted.small', ` ${duration(c.startTime)}–${duration(c.endTime)} · ${c.format?.toUpperCase()} · ${titleCase(c.status)}`)),
      c.status === 'completed' ? h('button.btn.btn-small', { type: 'button', onclick: async () => {
        const blob = await api(`/coaching/clips/${c.id}/download`, { as: 'blob' });
        download(blob, `${c.title}.${c.format || 'mp4'}`);
      } }, 'Download') : h('span.small.muted', c.status === 'failed' ? 'Failed' : 'Rendering…')))
      : h('li.muted', 'No clips yet.'));
  };
  render(clips);
  const start = h('input', { type: 'number', min: '0', step: '0.1', value: '0' });
  const end = h('input', { type: 'number', min: '0.1', step: '0.1', value: '10' });
  const title = h('input', { type: 'text', value: 'Highlight', maxlength: '200' });
  const status = h('div', { 'aria-live': 'polite' });
  const refresh = async () => {
    const { clips: all } = await coaching(`/sessions/${id}/clips`);
    render(all);
    return all;
  };
  const form = h('form.filters', { style: 'margin:12px 0 0', onsubmit: async (event) => {
    event.preventDefault();
    clear(status);
    try {
      await coaching(`/sessions/${id}/clips`, { method: 'POST', json: { title: title.value.trim() || 'Highlight', startTime: Number(start.value), endTime: Number(end.value), includeCaptions: true } });
      announce('Clip requested');
      for (let i = 0; i < 30; i++) {
        const all = await refresh();
        if (!all.some((c) => c.status === 'processing' || c.status === 'queued')) break;
        await new Promise((r) => setTimeout(r, 1500));
      }
    } catch (error) { status.append(errorBox(error)); }
  } },
  field('Clip title', title), field('From (seconds)', start), field('To (seconds)', end),
  h('button.btn', { type: 'button', onclick: () => { const w = selectedWord(); if (w) { start.value = Math.max(0, w.start - 1).toFixed(1); end.value = (w.start + 9).toFixed(1); } } }, 'Start at selected word'),
  h('button.btn.btn-primary', { type: 'submit' }, 'Create clip'));
  return h('section.card', { 'aria-labelledby': 'clips-h' },
    h('div.card-head', h('h2#clips-h', 'Clips'), h('p', 'Cut a highlight to share (video with captions)')), list, mine ? form : null, status);
}

function waiting(main, session, go) {
  const line = h('p#processing-line', `${titleCase(session.processing?.stage || session.status)}…`);
  main.append(h('a.crumb', { href: '/app/coaching' }, '← Speech coaching'), pageHeader(session.title, titleCase(session.type)),
    h('section.card', session.status === 'failed'
      ? [h('div.alert.alert-error', { role: 'alert' }, 'This recording could not be analysed.'),
        h('button.btn', { type: 'button', onclick: async () => { await coaching(`/sessions/${session.id}/retry`, { method: 'POST' }); go(`/app/coaching/${session.id}`); } }, 'Try again')]
      : session.status === 'created'
        ? [h('p', 'No recording has been uploaded for this session yet.'), h('a.btn', { href: '/app/coaching' }, 'Upload a recording')]
        : [h('h2', 'Analysing your recording'), loading('This usually takes less than a minute.'), line]));
  if (session.status !== 'processing' && session.status !== 'uploading') return null;
  const socket = new SocketIO(location.origin, `/sessions/${session.id}`, { auth: async () => ({ token: await freshToken() }) });
  const check = async () => {
    const { session: s } = await coaching(`/sessions/${session.id}`);
    if (s.status === 'completed' || s.status === 'failed') go(`/app/coaching/${session.id}`, true);
  };
  socket.on('processing:status', (message) => {
    const data = message?.data || message || {};
    line.textContent = `${titleCase(data.stage || 'processing')} · ${Math.round(data.progress || 0)}%`;
    if (data.status === 'completed' || data.status === 'failed') check();
  });
  socket.open();
  const poll = setInterval(() => check().catch(() => {}), 4000);
  return () => { socket.close(); clearInterval(poll); };
}
