// Voice agents: the user's agents, their campaigns with live call counts (refreshed while one runs;
// launch, pause, resume), a new campaign from pasted numbers, and the latest calls, each opening its
// transcript, analysis and recording. All on the Voice Agents API (mounted at the server's root).
import { api } from '/app/api.js';
import { h, clear, pageHeader, loading, errorBox, titleCase, when, field, announce, duration } from '/app/ui.js';

const REFRESH_MS = 4000; // one list and one call page every 4 s stays far under 100 requests a minute

export async function render(main) {
  const agentsBox = h('div', loading('Loading your agents…'));
  const campaignsBox = h('div', loading('Loading campaigns…'));
  const callsBox = h('div', loading('Loading calls…'));
  const agentStatus = h('div', { 'aria-live': 'polite' });
  const campaignStatus = h('div', { 'aria-live': 'polite' });
  const agentName = h('input#agent-name', { type: 'text', maxlength: '100', required: true, placeholder: 'Sales Assistant' });
  const agentDescription = h('input#agent-description', { type: 'text', maxlength: '500', placeholder: 'Books product demos with small businesses' });
  const campaignName = h('input#campaign-name', { type: 'text', maxlength: '200', required: true, placeholder: 'Spring outreach' });
  const campaignAgent = h('select#campaign-agent', { required: true });
  const numbers = h('textarea#campaign-numbers', { rows: '4', required: true, placeholder: '+14155550123\n+14155550124' });
  const concurrent = h('input#campaign-concurrent', { type: 'number', min: '1', max: '50', value: '5' });
  let agents = [];
  let timer = null;

  main.append(
    pageHeader('Voice agents', 'Agents that call for you, their campaigns and every call they placed.'),
    h('div.grid.grid-2',
      h('section.card', { 'aria-labelledby': 'agents-h' },
        h('h2#agents-h', { style: 'margin-bottom:10px' }, 'Agents'), agentsBox,
        h('form#agent-form', { onsubmit: createAgent, style: 'margin-top:12px' },
          h('div.grid.grid-2', field('Name', agentName), field('What it does (optional)', agentDescription)),
          h('button.btn', { type: 'submit' }, 'Create agent'), agentStatus)),
      h('section.card', { 'aria-labelledby': 'newc-h' },
        h('h2#newc-h', { style: 'margin-bottom:10px' }, 'New campaign'),
        h('form#campaign-form', { onsubmit: createCampaign },
          h('div.grid.grid-2', field('Name', campaignName), field('Agent', campaignAgent)),
          field('Phone numbers', numbers, 'One per line, in international format (+1…). Numbers on your do-not-call list are never dialled.'),
          h('div', { style: 'max-width:200px' }, field('Calls at once', concurrent)),
          h('button.btn.btn-primary', { type: 'submit' }, 'Create campaign'), campaignStatus))),
    h('section.card', { style: 'margin-top:16px', 'aria-labelledby': 'camp-h' }, h('h2#camp-h', { style: 'margin-bottom:10px' }, 'Campaigns'), campaignsBox),
    h('section.card', { style: 'margin-top:16px', 'aria-labelledby': 'calls-h' }, h('h2#calls-h', { style: 'margin-bottom:10px' }, 'Latest calls'), callsBox));

  async function loadAgents() {
    try {
      agents = (await api('/agents?limit=100')).items;
      clear(agentsBox, agents.length ? h('ul.plain#agents', agents.map((a) => h('li.spread',
        h('div', h('strong', a.name), a.description ? h('div.small.muted', a.description) : null),
        h('span.tag', titleCase(a.status)))))
        : h('p.empty', 'No agents yet. Create one below: it speaks with the built-in voice and playbook until you configure providers.'));
      clear(campaignAgent, agents.filter((a) => a.status === 'active').map((a) => h('option', { value: a.id }, a.name)));
    } catch (error) { clear(agentsBox, errorBox(error, loadAgents)); }
  }

  async function loadCampaigns() {
    try {
      const { items } = await api('/campaigns?limit=50');
      const names = new Map(agents.map((a) => [a.id, a.name]));
      clear(campaignsBox, items.length ? h('div.table-wrap', h('table#campaigns',
        h('thead', h('tr', ['Campaign', 'Agent', 'Status', 'Calling now', 'Done', 'Waiting', 'Numbers', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', items.map((c) => {
          const p = c.progress || {};
          const done = (p.completed || 0) + (p.voicemail || 0) + (p.busy || 0) + (p.no_answer || 0) + (p.failed || 0) + (p.do_not_call || 0);
          return h('tr',
            h('th', { scope: 'row' }, c.name),
            h('td', names.get(c.agent_id) || '–'),
            h('td', h(`span.tag.status-${c.status}`, titleCase(c.status))),
            h('td.num', String(p.dialling || 0)),
            h('td.num', String(done)),
            h('td.num', String(p.pending || 0)),
            h('td.num', String(c.phone_number_count)),
            h('td', { style: 'text-align:right' }, action(c)));
        })))) : h('p.empty', 'No campaigns yet.'));
      return items.some((c) => c.status === 'active');
    } catch (error) { clear(campaignsBox, errorBox(error, loadCampaigns)); return false; }
  }

  function action(c) {
    const verb = { draft: 'launch', paused: 'resume', active: 'pause' }[c.status];
    if (!verb) return null;
    return h('button.btn.btn-small', { type: 'button', 'aria-label': `${titleCase(verb)} ${c.name}`, onclick: async (event) => {
      event.target.disabled = true;
      try {
        await api(`/campaigns/${c.id}/${verb}`, { method: 'POST' });
        announce(`${c.name}: ${verb === 'pause' ? 'paused' : verb === 'resume' ? 'resumed' : 'launched'}`);
        await refresh();
      } catch (error) { clear(campaignStatus, errorBox(error)); event.target.disabled = false; }
    } }, titleCase(verb));
  }

  async function loadCalls() {
    try {
      const { items } = await api('/call-logs?limit=15');
      clear(callsBox, items.length ? h('div.table-wrap', h('table#call-logs',
        h('thead', h('tr', ['Number', 'Status', 'Length', 'Sentiment', 'When', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', items.map((c) => h('tr',
          h('th', { scope: 'row' }, c.phone_number === 'web' ? 'Web call' : c.phone_number),
          h('td', titleCase(c.status)), h('td.num', duration(c.duration_seconds)), h('td', c.sentiment ? titleCase(c.sentiment) : '–'),
          h('td.nowrap', when(c.created_at)),
          h('td', { style: 'text-align:right' }, h('a.btn.btn-small', { href: `/app/calls/${c.id}`, 'aria-label': `Open the call to ${c.phone_number}` }, 'Open')))))))
        : h('p.empty', 'No calls yet. Launch a campaign and its calls appear here as they are placed.'));
    } catch (error) { clear(callsBox, errorBox(error, loadCalls)); }
  }

  async function refresh() {
    clearTimeout(timer);
    const running = await loadCampaigns();
    await loadCalls();
    // While a campaign runs, its counts and calls are refreshed on their own.
    if (running && document.getElementById('campaigns')) timer = setTimeout(refresh, REFRESH_MS);
  }

  async function createAgent(event) {
    event.preventDefault();
    clear(agentStatus);
    try {
      await api('/agents', { method: 'POST', json: { name: agentName.value.trim(), description: agentDescription.value.trim() || null } });
      agentName.value = '';
      agentDescription.value = '';
      announce('Agent created');
      await loadAgents();
    } catch (error) { agentStatus.append(errorBox(error)); }
  }

  async function createCampaign(event) {
    event.preventDefault();
    clear(campaignStatus);
    const list = numbers.value.split(/[\s,;]+/).map((n) => n.trim()).filter(Boolean);
    if (!campaignAgent.value) { campaignStatus.append(h('div.alert.alert-error', { role: 'alert' }, 'Create an active agent first.')); return; }
    try {
      await api('/campaigns', { method: 'POST', json: {
        name: campaignName.value.trim(), agent_id: campaignAgent.value, phone_numbers: list, max_concurrent_calls: Number(concurrent.value) || 5,
      } });
      campaignName.value = '';
      numbers.value = '';
      campaignStatus.append(h('div.alert.alert-success', { role: 'status' }, 'Campaign created as a draft: launch it from the list below.'));
      await refresh();
    } catch (error) { campaignStatus.append(errorBox(error)); }
  }

  await loadAgents();
  await refresh();
  return () => clearTimeout(timer);
}
