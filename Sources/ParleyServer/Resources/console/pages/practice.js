// Pick a scenario to practise: filters by category and difficulty, one card per scenario with its persona.
import { api } from '/app/api.js';
import { h, clear, pageHeader, loading, errorBox, titleCase, field } from '/app/ui.js';

const categories = ['cold_calling', 'discovery', 'demo', 'objection_handling', 'negotiation', 'closing', 'renewal', 'upsell', 'field_service'];
const difficulties = ['beginner', 'intermediate', 'advanced', 'expert'];

export async function render(main) {
  const params = new URLSearchParams(location.search);
  const category = h('select', { name: 'category' }, h('option', { value: '' }, 'All categories'),
    categories.map((c) => h('option', { value: c, selected: params.get('category') === c }, titleCase(c))));
  const difficulty = h('select', { name: 'difficulty' }, h('option', { value: '' }, 'Any difficulty'),
    difficulties.map((d) => h('option', { value: d, selected: params.get('difficulty') === d }, titleCase(d))));
  const list = h('div');
  main.append(
    pageHeader('Practice a call', 'Choose a scenario, then talk to an AI prospect by voice or by typing.'),
    h('form.filters', { role: 'search', 'aria-label': 'Filter scenarios', onsubmit: (e) => e.preventDefault() },
      field('Category', category), field('Difficulty', difficulty)),
    list);

  async function load() {
    const query = new URLSearchParams();
    if (category.value) query.set('category', category.value);
    if (difficulty.value) query.set('difficulty', difficulty.value);
    history.replaceState(null, '', '/app/practice' + (query.toString() ? '?' + query : ''));
    clear(list, loading('Loading scenarios…'));
    try {
      const scenarios = await api('/api/v1/scenarios?' + query);
      clear(list, scenarios.length
        ? h('ul.grid.grid-3', { style: 'list-style:none;padding:0;margin:0', 'aria-label': 'Scenarios' }, scenarios.map(card))
        : h('div.card.empty', 'No scenarios match these filters.'));
    } catch (error) {
      clear(list, errorBox(error, load));
    }
  }
  category.addEventListener('change', load);
  difficulty.addEventListener('change', load);
  await load();
}

function card(s) {
  const p = s.prospect_persona;
  return h('li.card.scenario',
    h('div.tags', h(`span.tag.tag-${s.difficulty}`, titleCase(s.difficulty)), h('span.tag', titleCase(s.category)),
      h('span.tag', `${Math.round(s.estimated_duration / 60)} min`)),
    h('h2', s.title),
    h('p', s.description),
    p ? h('div.persona-line', h('strong', p.name), `, ${p.title} at ${p.company}`) : null,
    h('a.btn.btn-primary', { href: `/app/practice/${s.id}`, 'aria-label': `Practise: ${s.title}` }, 'Practise this call'));
}
