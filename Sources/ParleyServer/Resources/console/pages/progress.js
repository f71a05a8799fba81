// Progress over time from the learning endpoints: totals, streak, score trend, skills, achievements,
// insights, and the rep's recent practice sessions. At /app/team/{id} a coach sees a member's (the
// same endpoints with `user_id`, as the access policy allows).
import { api, coaching } from '/app/api.js';
import { h, clear, pageHeader, loading, errorBox, titleCase, duration, when, day, field } from '/app/ui.js';
import { lineChart, bar } from '/app/charts.js';

export async function render(main, [memberId] = []) {
  const range = h('select#range', { name: 'time_range' }, ['week', 'month', 'quarter', 'year'].map((r) => h('option', { value: r, selected: r === 'month' }, `This ${r}`)));
  const body = h('div');
  const member = memberId ? `&user_id=${memberId}` : '';
  let title = 'Your progress';
  if (memberId) {
    const name = await memberName(memberId).catch(() => null);
    title = name ? `${name}: progress` : 'A member\'s progress';
    main.append(h('a.crumb', { href: '/app/team' }, '← Team'));
  }
  main.append(pageHeader(title, memberId ? 'Their practice calls over time; open a call to read it and leave comments.' : 'How your practice calls are going over time.',
    h('div', { style: 'min-width:160px' }, field('Period', range))), body);
  async function load() {
    clear(body, loading(memberId ? 'Loading their progress…' : 'Loading your progress…'));
    try {
      const [progress, detailed, sessions, scenarios] = await Promise.all([
        api(`/api/v1/learning/progress?time_range=${range.value}${member}`),
        api(`/api/v1/learning/analytics/detailed?${member.slice(1)}`),
        api(`/api/v1/sessions?limit=20${member}`),
        api('/api/v1/scenarios?limit=200').catch(() => []),
      ]);
      clear(body, view(progress, detailed, sessions, new Map(scenarios.map((s) => [s.id, s])), Boolean(memberId)));
    } catch (error) { clear(body, errorBox(error, load)); }
  }
  range.addEventListener('change', load);
  await load();
}

// A member's name, from the organization's member list (what a coach may list).
async function memberName(id) {
  const { organizations } = await coaching('/organizations');
  const { members } = await coaching(`/organizations/${organizations[0].id}/members?limit=100`);
  const m = members.find((x) => x.id === `user_${id}`);
  return m ? [m.firstName, m.lastName].filter(Boolean).join(' ') || m.email : null;
}

function view(progress, detailed, sessions, scenarios, someoneElse) {
  const o = progress.overall_progress || {};
  const trend = detailed.performance_trends?.scores_over_time || [];
  const skills = Object.entries(progress.skill_breakdown || {});
  const achievements = progress.recent_achievements || [];
  const insights = detailed.personalized_insights || [];
  const recommended = (progress.recommended_scenarios || []).map((id) => scenarios.get(id)).filter(Boolean);
  const stat = (label, value, note) => h('div.stat', h('div.stat-label', label), h('div.stat-value', value), note ? h('div.stat-note', note) : null);
  return h('div.stack',
    h('div.grid.grid-stats',
      stat('Practice calls', String(o.total_sessions ?? 0)),
      stat('Hours practised', String(o.hours_practiced ?? 0)),
      stat('Average score', o.total_sessions ? String(o.average_score ?? '–') : '–'),
      stat('Trend', o.improvement_trend ? `${o.improvement_trend > 0 ? '+' : ''}${o.improvement_trend}` : '±0', 'points vs. earlier calls'),
      stat('Streak', `${o.streak_days ?? 0} ${o.streak_days === 1 ? 'day' : 'days'}`, 'in a row with practice')),
    h('div.grid.grid-2',
      h('section.card', { 'aria-labelledby': 'trend-h' },
        h('div.card-head', h('h2#trend-h', 'Score over time'), h('p', `${trend.length} ${trend.length === 1 ? 'day' : 'days'} with calls`)),
        lineChart([{ values: trend.map((p, i) => ({ x: i, y: p.score })) }], {
          label: trend.length ? `Scores over time: ${trend.map((p) => `${p.date} ${p.score}`).join(', ')}` : 'No scored calls yet',
          yMin: 0, yMax: 100, xLabel: (x) => (trend[Math.round(x)] ? day(trend[Math.round(x)].date) : ''), dots: true, area: true, height: 210 })),
      h('section.card', { 'aria-labelledby': 'skills-h' },
        h('h2#skills-h', { style: 'margin-bottom:12px' }, 'Skills'),
        skills.length ? h('div.metric-list', skills.map(([name, s]) => h('div.metric',
          h('div', h('div', titleCase(name)), h('div.small.muted', `${titleCase(s.current_level)} · ${s.sessions_practiced} calls`)),
          bar(s.score, titleCase(name)), h('strong', { style: 'text-align:right' }, s.score))))
          : h('p.empty', 'Finish a practice call to see your skills.'))),
    h('div.grid.grid-2',
      h('section.card', { 'aria-labelledby': 'ach-h' },
        h('h2#ach-h', { style: 'margin-bottom:12px' }, 'Achievements'),
        achievements.length ? h('ul.achievements', { style: 'list-style:none;padding:0;margin:0' }, achievements.map((a) => h('li.achievement',
          h('span.badge', { 'aria-hidden': 'true' }, '★'), h('div', h('strong', a.name), h('div.small.muted', `${a.description} · ${day(a.earned_at)}`)))))
          : h('p.muted', 'Your first achievement comes with your first completed call.')),
      h('section.card', { 'aria-labelledby': 'ins-h' },
        h('h2#ins-h', { style: 'margin-bottom:8px' }, 'Insights'),
        insights.length ? h('ul.bullets', insights.map((x) => h('li', x))) : h('p.muted', 'Insights appear after a few calls.'),
        recommended.length ? h('div', { style: 'margin-top:12px' }, h('span.label', 'Recommended next'),
          h('ul.bullets', recommended.map((s) => h('li', h('a', { href: `/app/practice/${s.id}` }, s.title))))) : null)),
    h('section.card', { 'aria-labelledby': 'recent-h' },
      h('h2#recent-h', { style: 'margin-bottom:8px' }, 'Recent calls'),
      sessions.length ? h('div.table-wrap', h('table#sessions',
        h('thead', h('tr', h('th', { scope: 'col' }, 'Scenario'), h('th', { scope: 'col' }, 'When'), h('th.num', { scope: 'col' }, 'Length'),
          h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, h('span.sr-only', 'Scorecard')))),
        h('tbody', sessions.map((s) => h('tr',
          h('td', h('a', { href: `/app/sessions/${s.id}` }, scenarios.get(s.scenario_id)?.title || s.id)),
          h('td.nowrap', when(s.started_at || s.created_at)), h('td.num', duration(s.duration)), h('td', titleCase(s.status)),
          h('td', { style: 'text-align:right' }, h('a.btn.btn-small', { href: `/app/sessions/${s.id}` }, s.status === 'completed' ? 'Scorecard' : 'Transcript')))))))
        : someoneElse ? h('p.empty', 'No practice calls yet.') : h('p.empty', 'No calls yet. ', h('a', { href: '/app/practice' }, 'Practise your first call.'))));
}
