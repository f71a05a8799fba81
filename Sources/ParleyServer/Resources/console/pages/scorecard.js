// After the call: the scorecard, findings linked to their transcript turns, coaching, comments pinned
// to moments (a coach's notes, the rep's answers) and the rep's rating. A coach opening a rep's call
// sees the same page without the rating form, which is the rep's.
import { api, user } from '/app/api.js';
import { h, clear, pageHeader, loading, errorBox, titleCase, sentence, duration, when, scorePill, announce, notice, field } from '/app/ui.js';
import { ring, bar } from '/app/charts.js';

const labels = {
  rapport_building: 'Rapport', discovery: 'Discovery', objection_handling: 'Objection handling',
  closing: 'Closing', talk_time: 'Talk time',
};

export async function render(main, [id]) {
  main.append(loading('Loading your scorecard…'));
  let session = await api(`/api/v1/sessions/${id}`);
  // Scoring finishes moments after the call; wait for it.
  for (let i = 0; i < 30 && session.status === 'processing'; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    session = await api(`/api/v1/sessions/${id}`);
  }
  const scenario = session.scenario_id ? await api(`/api/v1/scenarios/${session.scenario_id}`).catch(() => null) : null;
  clear(main);
  const m = session.performance_metrics || {};
  const persona = scenario?.prospect_persona?.name || 'Prospect';
  const title = scenario?.title || 'Practice call';
  const timedOut = new URLSearchParams(location.search).get('ended') === 'time';
  const own = session.user_id === user()?.id;
  main.append(
    own ? h('a.crumb', { href: '/app/progress' }, '← Progress') : h('a.crumb', { href: `/app/team/${session.user_id}` }, '← The rep\'s progress'),
    pageHeader(`Scorecard: ${title}`, `${when(session.started_at || session.created_at)} · ${duration(session.duration)} · ${titleCase(session.status)}`,
      scenario && own ? h('a.btn', { href: `/app/practice/${scenario.id}` }, 'Practise again') : null),
    ...(timedOut ? [notice('The call reached its time limit and was ended for you.')] : []));

  if (!session.performance_metrics) {
    main.append(h('div.card.empty', session.status === 'abandoned'
      ? 'This call was left before it ended, so it has no score. Its transcript is below.'
      : 'This call has no score yet.'));
  } else {
    const talk = m.talk_time_ratio != null ? Math.round(m.talk_time_ratio * 100) : null;
    const talkScore = talk == null ? null : talk >= 40 && talk <= 60 ? 90 : talk >= 30 && talk <= 70 ? 65 : 40;
    const rows = [
      ['Talk ratio', talkScore, talk == null ? '–' : `${talk}%`, `${own ? 'You' : 'The rep'} talked this share of the time (aim for 40–60%)`],
      ['Questions asked', Math.min(100, (m.question_count || 0) * 12), String(m.question_count ?? '–'), null],
      ['Objection handling', m.objection_handling_score, m.objection_handling_score, m.objections_raised != null ? `${m.objections_handled ?? 0} of ${m.objections_raised} objections handled` : null],
      ['Rapport', m.rapport_building_score, m.rapport_building_score, null],
      ['Discovery', m.discovery_score, m.discovery_score, null],
      ['Closing', m.closing_effectiveness, m.closing_effectiveness, null],
    ].filter(([, , shown]) => shown !== undefined);
    main.append(h('section.card#scorecard', { 'aria-labelledby': 'sc-h' },
      h('h2#sc-h.sr-only', 'Scores'),
      h('div.score-hero',
        h('div', { style: 'text-align:center' }, ring(m.overall_score, 'Overall score', 136), h('div.label', 'Overall')),
        h('div.metric-list', rows.map(([label, score, shown, note]) => h('div.metric',
          h('div', h('div', label), note ? h('div.small.muted', note) : null),
          bar(score, label, shown),
          h('strong.num', { style: 'text-align:right' }, shown ?? '–')))))));
  }

  const feedback = session.coaching_feedback || [];
  const transcript = session.transcript || [];
  main.append(h('div.grid.grid-2', { style: 'margin-top:16px' },
    h('section.card#findings', { 'aria-labelledby': 'f-h' },
      h('div.card-head', h('h2#f-h', 'Coaching'), h('p', 'Each finding links to the moment in the call.')),
      feedback.length ? feedback.map(finding) : h('p.muted', 'No findings for this call.')),
    h('section.card', { 'aria-labelledby': 't-h' },
      h('div.card-head', h('h2#t-h', 'Transcript'), h('p', `${transcript.length} turns`)),
      transcript.length
        ? h('ol.transcript', { style: 'height:auto;max-height:640px;list-style:none;margin:0;padding:4px', 'aria-label': 'Call transcript' },
          transcript.map((t, i) => h(`li.turn.turn-${t.speaker === 'user' ? 'user' : 'ai'}#turn-${i + 1}`, { tabindex: '-1' },
            h('span.who', `${t.speaker === 'user' ? (own ? 'You' : 'Rep') : persona} · turn ${i + 1}`), t.text,
            h('button.link.comment-on', { type: 'button', 'data-turn': String(i + 1), 'aria-label': `Comment on turn ${i + 1}` }, 'Comment'))))
        : h('p.muted', 'Nothing was said in this call.'))));

  main.append(comments(session, transcript));
  if (own) main.append(h('section.card', { style: 'margin-top:16px', 'aria-labelledby': 'r-h' }, h('h2#r-h', { style: 'margin-bottom:10px' }, 'Rate this practice'), ratingForm(session)));

  main.querySelectorAll('.evidence a').forEach((a) => a.addEventListener('click', (event) => {
    event.preventDefault();
    const turn = document.querySelector(a.getAttribute('href'));
    if (!turn) return;
    document.querySelectorAll('.turn.highlight').forEach((t) => t.classList.remove('highlight'));
    turn.classList.add('highlight');
    turn.scrollIntoView({ block: 'center', behavior: 'smooth' });
    turn.focus({ preventScroll: true });
  }));
}

// Comments pinned to moments: listed in call order, each linking to its turn; a turn's "Comment"
// button picks that turn in the form.
function comments(session, transcript) {
  const list = h('ol#comments.comments', { 'aria-label': 'Comments' });
  const status = h('div', { 'aria-live': 'polite' });
  const turn = h('select#comment-turn', { name: 'turn' }, h('option', { value: '' }, 'The whole call'),
    transcript.map((t, i) => h('option', { value: String(i + 1) }, `Turn ${i + 1}: ${t.text.slice(0, 60)}${t.text.length > 60 ? '…' : ''}`)));
  const text = h('textarea#comment-text', { name: 'text', maxlength: '2000', required: true, rows: '3' });
  const submit = h('button.btn.btn-primary', { type: 'submit' }, 'Add comment');
  const show = (all) => {
    clear(list, ...(all.length ? all.map((c) => h('li.comment',
      h('div.spread', h('strong', `${c.author_name}${c.author_role !== 'user' ? ` (${titleCase(c.author_role)})` : ''}`), h('span.small.muted', when(c.created_at))),
      c.turn ? h('a.small', { href: `#turn-${c.turn}` }, `Turn ${c.turn}${c.at_seconds != null ? ` · ${duration(c.at_seconds)}` : ''}`)
        : c.at_seconds != null ? h('span.small.muted', `At ${duration(c.at_seconds)}`) : h('span.small.muted', 'The whole call'),
      h('p', c.text))) : [h('li.muted', 'No comments yet.')]));
    document.querySelectorAll('.turn .has-comments').forEach((b) => b.remove());
    const counts = new Map();
    all.forEach((c) => c.turn && counts.set(c.turn, (counts.get(c.turn) || 0) + 1));
    counts.forEach((n, t) => document.getElementById(`turn-${t}`)?.append(h('span.has-comments.tag', `${n} ${n === 1 ? 'comment' : 'comments'}`)));
  };
  const load = () => api(`/api/v1/sessions/${session.id}/comments`).then(show).catch((error) => clear(status, errorBox(error, load)));
  const form = h('form#comment-form', {
    onsubmit: async (event) => {
      event.preventDefault();
      clear(status);
      if (!text.value.trim()) { status.append(h('div.alert.alert-error', { role: 'alert' }, 'Write a comment first.')); return; }
      submit.disabled = true;
      try {
        await api(`/api/v1/sessions/${session.id}/comments`, { method: 'POST', json: { text: text.value.trim(), turn: turn.value ? Number(turn.value) : null } });
        text.value = '';
        announce('Comment added');
        await load();
      } catch (error) { status.append(errorBox(error)); } finally { submit.disabled = false; }
    },
  }, h('div.grid.grid-2', field('Moment', turn), field('Comment', text)), submit, status);
  const section = h('section.card#comments-card', { style: 'margin-top:16px', 'aria-labelledby': 'c-h' },
    h('div.card-head', h('h2#c-h', 'Comments'), h('p', 'Notes pinned to moments of the call.')), list, form);
  queueMicrotask(() => document.querySelectorAll('.comment-on').forEach((b) => b.addEventListener('click', () => {
    turn.value = b.dataset.turn;
    text.focus();
    form.scrollIntoView({ block: 'center', behavior: 'smooth' });
  })));
  load();
  return section;
}

function finding(f) {
  const label = labels[f.category] || titleCase(f.category);
  return h('article.finding',
    h('div.spread', h('h3', label), scorePill(f.score, label)),
    h('p', f.feedback),
    f.improvement_tip ? h('p.tip', h('strong', 'Try: '), sentence(f.improvement_tip)) : null,
    f.evidence?.length ? h('div.evidence', { 'aria-label': `Moments for ${label}` },
      f.evidence.map((e) => h('a', { href: `#turn-${e.turn}`, 'aria-label': `Turn ${e.turn}: ${e.phrase}` }, `Turn ${e.turn}: “${e.phrase}”`))) : null);
}

function ratingForm(session) {
  const done = session.feedback;
  const status = h('div', { 'aria-live': 'polite' });
  const scale = (name, legend, value) => h('fieldset.stars', h('legend', legend),
    [1, 2, 3, 4, 5].map((n) => h('label', h('input', { type: 'radio', name, value: n, checked: value === n, required: name === 'rating' }), h('span', String(n)))));
  const text = h('textarea#rating-text', { name: 'feedback', maxlength: '5000' }, done?.feedback || done?.comment || '');
  const issues = h('input', { type: 'checkbox', name: 'technical_issues', checked: done?.technical_issues });
  const submit = h('button.btn.btn-primary', { type: 'submit' }, done ? 'Update rating' : 'Submit rating');
  const form = h('form#rating', {
    onsubmit: async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      clear(status);
      if (!data.get('rating')) { status.append(h('div.alert.alert-error', { role: 'alert' }, 'Choose a rating from 1 to 5.')); return; }
      submit.disabled = true;
      try {
        await api(`/api/v1/sessions/${session.id}/feedback`, { method: 'PUT', json: {
          rating: Number(data.get('rating')),
          difficulty_rating: data.get('difficulty_rating') ? Number(data.get('difficulty_rating')) : null,
          feedback: text.value.trim() || null,
          technical_issues: issues.checked,
        } });
        status.append(h('div.alert.alert-success', { role: 'status' }, 'Thanks: your rating is saved.'));
        submit.textContent = 'Update rating';
        announce('Rating saved');
      } catch (error) {
        status.append(errorBox(error));
      } finally { submit.disabled = false; }
    },
  },
  h('div.grid.grid-2', scale('rating', 'How useful was this practice? (1 = not at all, 5 = very)', done?.rating),
    scale('difficulty_rating', 'How hard was the prospect? (1 = easy, 5 = very hard)', done?.difficulty_rating)),
  h('div.field', h('label', { for: 'rating-text' }, 'Anything to add? (optional)'), text),
  h('label.row', { style: 'margin-bottom:12px' }, issues, h('span', 'I had technical problems (sound, microphone, connection)')),
  submit, status);
  return form;
}
