// After the call: the scorecard, findings linked to their transcript turns, coaching and the rep's rating.
import { api } from '/app/api.js';
import { h, clear, pageHeader, loading, errorBox, titleCase, sentence, duration, when, scorePill, announce, notice } from '/app/ui.js';
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
  main.append(
    h('a.crumb', { href: '/app/progress' }, '← Progress'),
    pageHeader(`Scorecard: ${title}`, `${when(session.started_at || session.created_at)} · ${duration(session.duration)} · ${titleCase(session.status)}`,
      scenario ? h('a.btn', { href: `/app/practice/${scenario.id}` }, 'Practise again') : null),
    ...(timedOut ? [notice('The call reached its time limit and was ended for you.')] : []));

  if (!session.performance_metrics) {
    main.append(h('div.card.empty', session.status === 'abandoned'
      ? 'This call was left before it ended, so it has no score. Its transcript is below.'
      : 'This call has no score yet.'));
  } else {
    const talk = m.talk_time_ratio != null ? Math.round(m.talk_time_ratio * 100) : null;
    const talkScore = talk == null ? null : talk >= 40 && talk <= 60 ? 90 : talk >= 30 && talk <= 70 ? 65 : 40;
    const rows = [
      ['Talk ratio', talkScore, talk == null ? '–' : `${talk}%`, 'You talked this share of the time (aim for 40–60%)'],
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
            h('span.who', `${t.speaker === 'user' ? 'You' : persona} · turn ${i + 1}`), t.text)))
        : h('p.muted', 'Nothing was said in this call.'))));

  main.append(h('section.card', { style: 'margin-top:16px', 'aria-labelledby': 'r-h' }, h('h2#r-h', { style: 'margin-bottom:10px' }, 'Rate this practice'), ratingForm(session)));

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
