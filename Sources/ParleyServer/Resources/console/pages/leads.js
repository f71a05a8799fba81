// Leads: a searchable, paged table with scores, CSV import (with upload progress) and CSV export.
import { api, upload } from '/app/api.js';
import { h, clear, pageHeader, loading, errorBox, titleCase, day, field, announce, download, band } from '/app/ui.js';

const statuses = ['new', 'contacted', 'qualified', 'proposal', 'negotiation', 'closed_won', 'closed_lost'];

export async function render(main) {
  let page = 1;
  const search = h('input#lead-search', { type: 'search', placeholder: 'Name, e-mail or company' });
  const status = h('select#lead-status', h('option', { value: '' }, 'Any status'), statuses.map((s) => h('option', { value: s }, titleCase(s))));
  const table = h('div', loading('Loading leads…'));
  const file = h('input#lead-file', { type: 'file', accept: '.csv,text/csv', required: true });
  const duplicate = h('select#lead-dup', h('option', { value: 'skip' }, 'Skip leads already in Parley'), h('option', { value: 'update' }, 'Update leads already in Parley'));
  const importStatus = h('div', { 'aria-live': 'polite' });
  const importButton = h('button.btn.btn-primary', { type: 'submit' }, 'Import CSV');
  main.append(
    pageHeader('Leads', 'Your pipeline, scored by fit, engagement and intent.',
      h('button.btn', { type: 'button', onclick: exportCsv }, 'Export CSV')),
    h('section.card', { 'aria-labelledby': 'imp-h' },
      h('h2#imp-h', { style: 'margin-bottom:10px' }, 'Import leads'),
      h('form.filters', { onsubmit: importCsv, style: 'margin:0' },
        h('div', { style: 'flex:1;min-width:260px' }, field('CSV file', file, 'Columns like First Name, Last Name, Email, Company, Job Title, Lead Source.')),
        field('Existing leads', duplicate), importButton),
      importStatus),
    h('section.card', { 'aria-labelledby': 'leads-h' },
      h('h2#leads-h.sr-only', 'Lead list'),
      h('form.filters', { role: 'search', 'aria-label': 'Filter leads', onsubmit: (e) => { e.preventDefault(); page = 1; load(); } },
        h('div', { style: 'flex:1;min-width:240px' }, field('Search', search)), field('Status', status),
        h('button.btn', { type: 'submit' }, 'Search')),
      table));
  status.addEventListener('change', () => { page = 1; load(); });

  async function load() {
    clear(table, loading('Loading leads…'));
    const q = new URLSearchParams({ page, per_page: 25 });
    if (search.value.trim()) q.set('search', search.value.trim());
    if (status.value) q.set('status', status.value);
    try {
      const result = await api(`/api/v1/leads?${q}`);
      clear(table, result.leads.length ? [
        h('div.table-wrap', h('table#leads',
          h('thead', h('tr', ['Name', 'Company', 'Title', 'Status', 'Source', 'Score', 'Added'].map((c) => h('th', { scope: 'col', class: c === 'Score' ? 'num' : null }, c)))),
          h('tbody', result.leads.map((l) => {
            const score = l.score?.overall_score;
            const pct = score == null ? null : Math.round(score * 100);
            return h('tr',
              h('td', h('strong', `${l.first_name} ${l.last_name}`), h('div.small.muted', l.email || '')),
              h('td', l.company || '–'), h('td', l.title || '–'),
              h('td', h('span.tag', titleCase(l.status))), h('td', titleCase(l.source || '–')),
              h('td.num', pct == null ? '–' : h(`span.pill.pill-${band(pct)}`, { 'aria-label': `Score ${pct} out of 100${l.score?.band ? `, band ${l.score.band}` : ''}` }, `${pct}${l.score?.band ? ` · ${l.score.band}` : ''}`)),
              h('td.nowrap', day(l.created_at)));
          })))),
        h('div.spread', { style: 'margin-top:12px' },
          h('span.small.muted', `${result.total} ${result.total === 1 ? 'lead' : 'leads'} · page ${result.page} of ${Math.max(1, result.total_pages)}`),
          h('div.actions',
            h('button.btn.btn-small', { type: 'button', disabled: page <= 1, onclick: () => { page--; load(); } }, 'Previous'),
            h('button.btn.btn-small', { type: 'button', disabled: page >= result.total_pages, onclick: () => { page++; load(); } }, 'Next')))]
        : h('p.empty', search.value || status.value ? 'No leads match.' : 'No leads yet. Import a CSV file to start.'));
    } catch (error) { clear(table, errorBox(error, load)); }
  }

  async function importCsv(event) {
    event.preventDefault();
    clear(importStatus);
    if (!file.files[0]) { importStatus.append(h('div.alert.alert-error', { role: 'alert' }, 'Choose a CSV file to import.')); file.focus(); return; }
    importButton.disabled = true;
    const bar = h('span');
    clear(importStatus, h('div.progress', { role: 'progressbar', 'aria-label': 'Import upload', 'aria-valuemin': '0', 'aria-valuemax': '100' }, bar));
    try {
      const form = new FormData();
      form.append('file', file.files[0]);
      form.append('on_duplicate', duplicate.value);
      let result = await upload('/api/v1/leads/import', form, (f) => { bar.style.width = `${Math.round(f * 100)}%`; });
      for (let i = 0; i < 120 && result.status !== 'completed' && result.status !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        result = await api(`/api/v1/leads/imports/${result.import_id}`);
      }
      const skipped = result.skipped_count || 0;
      const message = `Imported ${result.imported} ${result.imported === 1 ? 'lead' : 'leads'}${result.updated ? `, updated ${result.updated}` : ''}${skipped ? `, skipped ${skipped}` : ''}.`;
      clear(importStatus, h(`div.alert.alert-${result.status === 'failed' ? 'error' : 'success'}`, { role: 'status' }, message),
        skipped ? h('ul.bullets.small', (result.skipped || []).slice(0, 10).map((s) => h('li', `Row ${s.row}: ${s.reason || s.error || 'skipped'}`))) : null);
      announce(message);
      file.value = '';
      page = 1;
      load();
    } catch (error) { clear(importStatus, errorBox(error)); } finally { importButton.disabled = false; }
  }

  async function exportCsv() {
    try { download(await api('/api/v1/leads/export?format=csv', { as: 'blob' }), 'parley-leads.csv'); } catch (error) { clear(importStatus, errorBox(error)); }
  }

  await load();
}
