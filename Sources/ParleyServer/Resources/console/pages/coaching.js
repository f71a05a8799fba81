// Speech coaching: upload a recording (XMLHttpRequest progress), follow its processing live over
// Socket.IO (namespace /sessions/{id}), and list earlier analyses with their reports.
import { api, coaching, upload, freshToken } from '/app/api.js';
import { h, clear, pageHeader, loading, errorBox, titleCase, duration, when, scorePill, field, announce, download } from '/app/ui.js';
import { SocketIO } from '/app/socketio.js';

const types = ['presentation', 'interview', 'conversation', 'speech'];
const stages = [['queued', 'Uploaded'], ['decoding', 'Decoding'], ['prosody', 'Voice'], ['transcription', 'Transcribing'], ['analysis', 'Analysing'], ['scoring', 'Scoring'], ['completed', 'Done']];

export async function render(main, params, { go }) {
  let socket = null;
  let poll = null;
  const title = h('input#rec-title', { type: 'text', name: 'title', required: true, maxlength: '200', placeholder: 'e.g. Quarterly review rehearsal' });
  const type = h('select#rec-type', { name: 'type' }, types.map((t) => h('option', { value: t }, titleCase(t))));
  const file = h('input#rec-file', { type: 'file', name: 'file', required: true, accept: 'audio/*,video/*,.wav,.mp3,.m4a,.mp4,.webm,.ogg,.flac' });
  const submit = h('button.btn.btn-primary#upload-btn', { type: 'submit' }, 'Upload and analyse');
  const status = h('div#upload-status', { 'aria-live': 'polite' });
  const form = h('form#upload-form', { onsubmit: start, novalidate: true },
    h('div.grid.grid-2', field('Title', title), field('Kind of talk', type)),
    field('Recording', file, 'Audio or video (WAV, MP3, M4A, MP4, WebM, OGG, FLAC), up to 500 MB.'),
    submit, status);
  const list = h('div', loading('Loading your recordings…'));
  const reports = h('div.row',
    h('button.btn', { type: 'button', 'data-report': 'pdf', onclick: () => report('pdf') }, 'PDF report (30 days)'),
    h('button.btn', { type: 'button', 'data-report': 'csv', onclick: () => report('csv') }, 'CSV export (30 days)'));
  const reportStatus = h('div', { 'aria-live': 'polite' });
  main.append(
    pageHeader('Speech coaching', 'Upload a recording of a talk or call: get pace, pitch, pauses, filler words and scores.'),
    h('section.card', { 'aria-labelledby': 'up-h' }, h('h2#up-h', { style: 'margin-bottom:12px' }, 'Analyse a recording'), form),
    h('section.card', { 'aria-labelledby': 'list-h' },
      h('div.card-head', h('h2#list-h', 'Your recordings'), reports), reportStatus, list));

  async function start(event) {
    event.preventDefault();
    clear(status);
    if (!title.value.trim()) { status.append(h('div.alert.alert-error', { role: 'alert' }, 'Give the recording a title.')); title.focus(); return; }
    if (!file.files[0]) { status.append(h('div.alert.alert-error', { role: 'alert' }, 'Choose a recording to upload.')); file.focus(); return; }
    submit.disabled = true;
    const bar = h('span');
    const pct = h('span.small.muted', '0%');
    const steps = h('div.steps', { 'aria-label': 'Processing steps' }, stages.map(([id, label]) => h('span.step', { 'data-stage': id }, label)));
    const line = h('p.small#processing-line', 'Preparing the upload…');
    clear(status, h('div', { style: 'margin-top:16px' },
      h('div.spread', h('span.label', 'Upload'), pct),
      h('div.progress#upload-progress', { role: 'progressbar', 'aria-label': 'Upload progress', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0' }, bar),
      steps, line));
    try {
      const { session } = await coaching('/sessions', { method: 'POST', json: { title: title.value.trim(), type: type.value } });
      listen(session.id, { steps, line, bar, pct });
      const form = new FormData();
      form.append('file', file.files[0]);
      line.textContent = 'Uploading…';
      await upload(`/coaching/sessions/${session.id}/upload`, form, (fraction) => {
        const v = Math.round(fraction * 100);
        bar.style.width = `${v}%`;
        pct.textContent = `${v}%`;
        bar.parentElement.setAttribute('aria-valuenow', String(v));
      });
      bar.style.width = '100%'; pct.textContent = '100%';
      mark(steps, 'queued');
      line.textContent = 'Uploaded. Processing has started…';
      announce('Upload complete. Processing.');
    } catch (error) {
      socket?.close();
      clearInterval(poll);
      status.append(errorBox(error));
      submit.disabled = false;
    }
  }

  function listen(id, ui) {
    const done = (session) => {
      socket?.close();
      clearInterval(poll);
      if (session.status === 'completed') {
        mark(ui.steps, 'completed');
        ui.line.textContent = 'Analysis ready.';
        announce('Analysis ready');
        go(`/app/coaching/${id}`);
      } else {
        ui.line.replaceWith(h('div.alert.alert-error', { role: 'alert' }, session.error?.message || 'The recording could not be analysed. Check that it contains speech and try another file.',
          h('button.btn.btn-small', { type: 'button', onclick: async () => { await coaching(`/sessions/${id}/retry`, { method: 'POST' }); go(`/app/coaching/${id}`); } }, 'Retry')));
        submit.disabled = false;
      }
    };
    socket = new SocketIO(location.origin, `/sessions/${id}`, { auth: async () => ({ token: await freshToken() }) });
    socket.on('processing:status', (message) => {
      const data = message?.data || message || {};
      if (data.stage) mark(ui.steps, data.stage);
      if (data.status === 'completed' || data.status === 'failed') { check(); return; }
      ui.line.textContent = `${titleCase(data.stage || 'processing')}${data.progress != null ? ` · ${Math.round(data.progress)}%` : ''}${data.estimatedTime ? ` · about ${Math.ceil(data.estimatedTime)} s left` : ''}`;
    });
    socket.on('connect_error', () => { /* the polling below keeps the page honest */ });
    socket.open();
    // Also poll, so a missed event or a blocked socket never leaves the page waiting.
    const check = async () => {
      try {
        const { session } = await coaching(`/sessions/${id}`);
        if (session.status === 'completed' || session.status === 'failed') done(session);
      } catch { /* keep waiting */ }
    };
    poll = setInterval(check, 3000);
  }

  async function report(format) {
    clear(reportStatus, loading(`Preparing the ${format.toUpperCase()} report…`));
    try {
      const { report } = await coaching(`/reports/sessions?format=${format}`);
      const blob = await api(new URL(report.downloadUrl).pathname, { as: 'blob' });
      download(blob, `parley-speech-report.${format}`);
      clear(reportStatus, h('div.alert.alert-success', { role: 'status' }, `Your ${format.toUpperCase()} report is downloaded.`));
    } catch (error) { clear(reportStatus, errorBox(error)); }
  }

  async function load() {
    try {
      const { sessions } = await coaching('/sessions?limit=50');
      clear(list, sessions.length ? h('div.table-wrap', h('table#recordings',
        h('thead', h('tr', h('th', { scope: 'col' }, 'Title'), h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col' }, 'Recorded'),
          h('th.num', { scope: 'col' }, 'Length'), h('th', { scope: 'col' }, 'Status'), h('th.num', { scope: 'col' }, 'Score'))),
        h('tbody', sessions.map((s) => h('tr',
          h('td', h('a', { href: `/app/coaching/${s.id}` }, s.title)),
          h('td', titleCase(s.type)), h('td.nowrap', when(s.createdAt)), h('td.num', duration(s.duration)),
          h('td', titleCase(s.status)), h('td.num', s.score != null ? scorePill(s.score, 'Score') : '–'))))))
        : h('p.empty', 'No recordings yet. Upload one above to get your first analysis.'));
    } catch (error) { clear(list, errorBox(error, load)); }
  }
  load();
  return () => { socket?.close(); clearInterval(poll); };
}

function mark(steps, stage) {
  const order = stages.map(([id]) => id);
  let index = order.indexOf(stage);
  if (index < 0) index = 1;
  steps.querySelectorAll('.step').forEach((el, i) => {
    el.classList.toggle('done', i < index || stage === 'completed');
    el.classList.toggle('active', i === index && stage !== 'completed');
  });
}
