// Speech drills (/coaching/drills): the catalogue, filtered by category and difficulty and ordered
// weakest skill first, and one drill's exercises: hear a model answer, record yours with the
// microphone (recorder.js: 16 kHz mono PCM sent as a base64 WAV) or type it, and read its score,
// feedback and the correct answer. Answering the first exercise starts a drill session on the server.
import { api, coaching, ApiError } from '/app/api.js';
import { h, clear, pageHeader, loading, errorBox, titleCase, field, announce, band, duration } from '/app/ui.js';
import { Recorder, canRecord, base64 } from '/app/recorder.js';

const categories = ['pronunciation', 'pace', 'fillers', 'confidence'];
const difficulties = ['beginner', 'intermediate', 'advanced'];
const paces = { too_slow: 'Too slow', on_target: 'On target', too_fast: 'Too fast' };
const kinds = {
  minimal_pair: 'Minimal pair',
  read_aloud: 'Read aloud',
  filler_free: 'Answer without fillers',
  confident_statement: 'Confident statement',
};

export async function render(main, [drillId]) {
  return drillId ? drillPage(main, drillId) : listPage(main);
}

async function listPage(main) {
  const params = new URLSearchParams(location.search);
  const category = h('select#drill-category', { name: 'category' }, h('option', { value: '' }, 'All skills'),
    categories.map((c) => h('option', { value: c, selected: params.get('category') === c }, titleCase(c))));
  const difficulty = h('select#drill-difficulty', { name: 'difficulty' }, h('option', { value: '' }, 'Any difficulty'),
    difficulties.map((d) => h('option', { value: d, selected: params.get('difficulty') === d }, titleCase(d))));
  const list = h('div');
  main.append(
    pageHeader('Drills', 'Short speaking exercises: say a word, read a passage, or answer a question, and get scored on what you said.'),
    h('form.filters', { role: 'search', 'aria-label': 'Filter drills', onsubmit: (e) => e.preventDefault() },
      field('Skill', category), field('Difficulty', difficulty)),
    list);

  async function load() {
    const query = new URLSearchParams();
    if (category.value) query.set('category', category.value);
    if (difficulty.value) query.set('difficulty', difficulty.value);
    history.replaceState(null, '', '/app/drills' + (query.toString() ? '?' + query : ''));
    clear(list, loading('Loading drills…'));
    try {
      const { drills } = await coaching('/drills?' + query);
      const personal = drills.some((d) => d.skillScore != null);
      clear(list,
        drills.length && !personal ? h('p.muted.small#drills-note', `${drills[0].reason}. Once you have analysed a recording, the drills for your weakest skills come first.`) : null,
        drills.length
          ? h('ul.grid.grid-3#drills', { style: 'list-style:none;padding:0;margin:0', 'aria-label': 'Drills' }, drills.map((d) => card(d, personal)))
          : h('div.card.empty', 'No drills match these filters.'));
      announce(`${drills.length} ${drills.length === 1 ? 'drill' : 'drills'}`);
    } catch (error) {
      clear(list, errorBox(error, load));
    }
  }
  category.addEventListener('change', load);
  difficulty.addEventListener('change', load);
  await load();
}

function card(d, personal) {
  const count = d.exercises.length;
  return h('li.card.scenario',
    h('div.tags', h(`span.tag.tag-${d.difficulty}`, titleCase(d.difficulty)), h('span.tag', titleCase(d.category)),
      h('span.tag', `${count} ${count === 1 ? 'exercise' : 'exercises'} · ${Math.max(1, Math.round(d.duration / 60))} min`)),
    h('h2', d.title),
    h('p', d.description),
    personal && d.reason ? h('div.persona-line', d.reason) : null,
    h('a.btn.btn-primary', { href: `/app/drills/${d.id}`, 'aria-label': `Open drill: ${d.title}` }, 'Open drill'));
}

async function drillPage(main, id) {
  main.append(loading('Loading the drill…'));
  const { drills } = await coaching('/drills');
  const drill = drills.find((d) => d.id === id);
  if (!drill) throw new ApiError('That drill could not be found. Choose one from the list of drills.', { status: 404 });
  clear(main);

  const state = { session: null, starting: null, results: new Map(), recorder: null, audio: null, urls: [] };
  const status = h('p.small.muted#drill-status', { 'aria-live': 'polite' }, progressText(drill, state));
  const voice = canRecord();
  main.append(
    h('a.crumb', { href: '/app/drills' }, '← All drills'),
    pageHeader(drill.title, drill.description),
    h('section.card', { 'aria-labelledby': 'how-h' },
      h('div.spread',
        h('div', h('h2#how-h', 'How it works'),
          h('p.muted', voice
            ? 'For each exercise, press Record, answer out loud, press Stop, then submit your recording to have it scored. You can listen to a model answer first.'
            : 'Recording needs a microphone and a secure (https) connection, which this browser does not offer here. You can type your answers instead.')),
        h('div.tags', h(`span.tag.tag-${drill.difficulty}`, titleCase(drill.difficulty)), h('span.tag', titleCase(drill.category)))),
      status),
    h('ol.exercise-list', { 'aria-label': 'Exercises' }, drill.exercises.map((exercise, index) => exerciseCard(drill, exercise, index, state, voice, status))));

  return () => {
    state.recorder?.release();
    state.audio?.pause();
    for (const url of state.urls) URL.revokeObjectURL(url);
  };
}

function progressText(drill, state) {
  const done = [...state.results.values()];
  const total = drill.exercises.length;
  if (!done.length) return `${total} ${total === 1 ? 'exercise' : 'exercises'}. Your drill session starts with your first answer.`;
  const average = Math.round(done.reduce((n, r) => n + r.score, 0) / done.length);
  return `${done.length} of ${total} answered · average score ${average}${done.length === total ? ' · drill complete' : ''}`;
}

/** What the person is asked to do, by exercise type, and what its model audio says. */
function prompt(exercise) {
  switch (exercise.type) {
    case 'minimal_pair': {
      const target = exercise.target === 2 ? exercise.word2 : exercise.word1;
      const other = exercise.target === 2 ? exercise.word1 : exercise.word2;
      return {
        body: [h('p.pair', h('strong.pair-target', target), h('span.pair-not', 'not'), h('span.pair-other', other)),
          h('p.muted.small', `Say “${target}” clearly, so it cannot be heard as “${other}”.`)],
        listen: `Hear “${target}”`, answer: 'Correct answer',
      };
    }
    case 'read_aloud':
      return {
        body: [h('p.muted.small', `Read this aloud at ${exercise.minimumWPM}–${exercise.maximumWPM} words a minute.`),
          h('blockquote.passage', exercise.text)],
        listen: 'Hear it read', answer: 'The passage',
      };
    case 'filler_free':
      return {
        body: [h('p.exercise-prompt', exercise.prompt),
          h('p.muted.small', `Answer in at least ${exercise.minimumWords} words, without “um”, “uh”, “like” or “you know”.`)],
        listen: 'Hear the question', answer: 'Your answer without fillers',
      };
    case 'confident_statement':
      return {
        body: [h('p.exercise-prompt', exercise.prompt),
          h('p.muted.small', 'Say it as a firm statement: no “maybe”, “I guess” or “I’m not sure”.'),
          h('details.small', h('summary', 'Show an example'), h('p', exercise.example))],
        listen: 'Hear an example', answer: 'A confident version',
      };
    default:
      return { body: [h('p', exercise.text || exercise.prompt || '')], listen: 'Listen', answer: 'Correct answer' };
  }
}

function exerciseCard(drill, exercise, index, state, voice, status) {
  const n = index + 1;
  const what = prompt(exercise);
  const headingId = `exercise-${index}-h`;
  const level = h('span', { style: 'width:0%' });
  const meter = h('div.meter.mic-level.rec-meter', { role: 'img', 'aria-label': 'Microphone level', hidden: true }, level);
  const clock = h('span.rec-clock', { id: `rec-clock-${index}`, hidden: true }, '0:00');
  const live = h('p.small.muted.rec-status', { id: `rec-status-${index}`, 'aria-live': 'polite' });
  const take = h('div.take', { id: `take-${index}` });
  const result = h('div', { id: `result-${index}` });
  const record = h('button.btn.btn-primary.btn-record', {
    id: `record-${index}`, type: 'button', disabled: !voice, 'aria-describedby': headingId, onclick: toggle,
  }, 'Record answer');
  const listen = exercise.audioUrl ? h('button.btn.btn-small', { id: `listen-${index}`, type: 'button', onclick: play, 'aria-describedby': headingId }) : null;
  const showListen = (playing) => listen && clear(listen, h('span', { 'aria-hidden': 'true' }, playing ? '■' : '▶'), playing ? 'Stop listening' : what.listen);
  showListen(false);
  const typed = h('input', { id: `typed-${index}`, type: 'text', autocomplete: 'off' });
  const typedForm = h('form.composer', {
    onsubmit: (event) => {
      event.preventDefault();
      if (!typed.value.trim()) { clear(result, h('div.alert.alert-error', { role: 'alert' }, 'Type your answer first.')); typed.focus(); return; }
      submit({ response: typed.value.trim() });
    },
  }, h('div', { style: 'flex:1' }, field('Your answer', typed)), h('button.btn', { type: 'submit', style: 'align-self:end;margin-bottom:14px' }, 'Submit typed answer'));

  async function play() {
    if (state.audio?.owner === listen) return silence();
    if (state.recorder) return; // the model answer would be recorded too
    silence();
    listen.disabled = true;
    try {
      if (!exercise.blobUrl) {
        const url = new URL(exercise.audioUrl, location.href);
        exercise.blobUrl = URL.createObjectURL(await api(url.pathname + url.search, { as: 'blob' }));
        state.urls.push(exercise.blobUrl);
      }
      if (state.recorder) return;
      const audio = new Audio(exercise.blobUrl);
      audio.owner = listen;
      audio.onended = () => { if (state.audio === audio) silence(); };
      state.audio = audio;
      state.silence = () => showListen(false);
      showListen(true);
      await audio.play();
    } catch (error) {
      silence();
      clear(live, error.message || 'The model answer could not be played.');
    } finally {
      listen.disabled = false;
    }
  }

  // Stops any model answer playing (on this page), so it is neither heard over nor recorded.
  function silence() {
    state.audio?.pause();
    state.audio = null;
    state.silence?.();
    state.silence = null;
  }

  async function toggle() {
    if (state.recorder && state.recorder.index === index) return stop();
    if (state.recorder) return; // another exercise is recording
    silence();
    record.disabled = true;
    clear(result);
    clear(live, 'Opening the microphone…');
    const recorder = new Recorder({
      onChunk: (value, seconds) => {
        level.style.width = `${Math.min(100, Math.round(value * 400))}%`;
        clock.textContent = duration(seconds);
      },
      onLimit: () => stop(),
    });
    recorder.index = index;
    try {
      await recorder.start();
    } catch (error) {
      clear(live);
      clear(result, errorBox(error));
      record.disabled = false;
      return;
    }
    state.recorder = recorder;
    clear(take);
    meter.hidden = false;
    clock.hidden = false;
    clock.textContent = '0:00';
    record.disabled = false;
    record.textContent = 'Stop';
    record.classList.replace('btn-primary', 'btn-danger');
    live.textContent = 'Recording… Press Stop when you have finished.';
  }

  function stop() {
    const recorder = state.recorder;
    if (!recorder || recorder.index !== index) return;
    state.recorder = null;
    const blob = recorder.stop();
    meter.hidden = true;
    clock.hidden = true;
    level.style.width = '0%';
    record.textContent = 'Record again';
    record.classList.replace('btn-danger', 'btn-primary');
    const seconds = recorder.seconds;
    if (seconds < 0.3) {
      clear(live, 'Nothing was recorded. Press Record and speak your answer.');
      record.textContent = 'Record answer';
      return;
    }
    const url = URL.createObjectURL(blob);
    state.urls.push(url);
    live.textContent = `Recorded ${seconds.toFixed(1)} s. Listen back, or submit it for scoring.`;
    const send = h('button.btn.btn-primary', { id: `submit-${index}`, type: 'button', onclick: async () => {
      send.disabled = true;
      if (await submit({ audioData: await base64(blob) })) {
        send.remove();
        live.textContent = 'Scored. Record again to try once more.';
      } else {
        send.disabled = false;
      }
    } }, 'Submit recording');
    clear(take, h('audio', { controls: true, src: url, 'aria-label': `Your recording for exercise ${n}` }), send);
    send.focus();
  }

  async function submit(answer) {
    clear(result, loading('Scoring your answer…'));
    try {
      if (!state.session) {
        state.starting ||= coaching(`/drills/${drill.id}/start`, { method: 'POST' });
        try { state.session = (await state.starting).drillSession; } finally { state.starting = null; }
      }
      const score = await coaching(`/drills/${drill.id}/submit`, { method: 'POST', json: { exerciseIndex: index, ...answer } });
      state.results.set(index, score);
      clear(result, scoreView(score, what.answer, exercise));
      status.textContent = progressText(drill, state);
      announce(`Exercise ${n}: score ${Math.round(score.score)} out of 100. ${score.feedback || ''}`);
      return true;
    } catch (error) {
      const empty = error.status === 422 && /empty|no words/i.test(error.message);
      clear(result, errorBox(empty
        ? new Error(answer.audioData
          ? 'No words were heard in your recording. Check that your microphone is working, then record your answer again.'
          : 'Type your answer first.')
        : error));
      return false;
    }
  }

  return h('li.card.exercise', { 'aria-labelledby': headingId },
    h('div.spread', h('h2', { id: headingId }, `Exercise ${n}: ${kinds[exercise.type] || titleCase(exercise.type)}`), listen),
    what.body,
    h('div.row.rec-row', record, meter, clock, live),
    take,
    h('details.type-instead', { open: !voice }, h('summary', voice ? 'Type your answer instead' : 'Type your answer'), typedForm),
    result);
}

function scoreView(score, answerLabel, exercise) {
  const value = Math.round(score.score);
  const accuracy = score.accuracy == null ? null : Math.round(score.accuracy * 100);
  const pace = score.wordsPerMinute != null
    ? h('div.stat', h('div.stat-label', 'Pace'), h('div.stat-value', Math.round(score.wordsPerMinute), h('span.unit', ' wpm')),
      h('div.stat-note', `${paces[score.pace] || ''}${exercise.minimumWPM ? ` (aim ${exercise.minimumWPM}–${exercise.maximumWPM})` : ''}`))
    : null;
  return h('div.drill-result',
    h('h3.sr-only', 'Your result'),
    h('div.grid.grid-stats',
      h('div.stat', h('div.stat-label', 'Score'), h(`div.stat-value.score-${band(value)}`, value, h('span.unit', ' / 100'))),
      accuracy == null ? null : h('div.stat', h('div.stat-label', 'Accuracy'), h('div.stat-value', accuracy, h('span.unit', '%'))),
      pace),
    score.feedback ? h('p.feedback', score.feedback) : null,
    h('dl.facts',
      score.heard != null ? [h('dt', 'We heard'), h('dd', score.heard ? `“${score.heard}”` : 'nothing')] : null,
      score.correctAnswer ? [h('dt', answerLabel), h('dd', score.correctAnswer)] : null));
}
