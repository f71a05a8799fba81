// Managers: the people they coach (each name opens the member's progress and calls), and any
// recording a rep shares with them.
// Members come from /coaching/organizations/{orgId}/members (scoped by the access policy: admins see
// the organization, supervisors their team and reps); admins also see teams and supervisors.
import { api, coaching, user } from '/app/api.js';
import { h, clear, pageHeader, loading, errorBox, titleCase, when, field, navigate } from '/app/ui.js';

export async function render(main) {
  const me = user();
  const body = h('div', loading('Loading your team…'));
  const shared = h('input#shared-link', { type: 'text', placeholder: 'Paste a link like …/app/coaching/session_… or a session ID', autocomplete: 'off' });
  const sharedStatus = h('div', { 'aria-live': 'polite' });
  main.append(pageHeader('Team', me.role === 'admin' ? 'Everyone in your organization.' : 'The reps you coach and your team.'),
    h('section.card', { 'aria-labelledby': 'open-h' },
      h('h2#open-h', 'Open a recording a rep shared'),
      h('p.muted.small', 'Reps share an analysis with "Copy link for your coach". You can read the recordings of the reps you coach.'),
      h('form.filters#open-shared', { style: 'margin:10px 0 0', onsubmit: (event) => {
        event.preventDefault();
        clear(sharedStatus);
        const value = shared.value.trim();
        const match = value.match(/(session_[A-Za-z0-9]+)/);
        if (!match) { sharedStatus.append(h('div.alert.alert-error', { role: 'alert' }, 'That is not a Parley recording link. It looks like …/app/coaching/session_….')); return; }
        navigate(`/app/coaching/${match[1]}`);
      } }, h('div', { style: 'flex:1;min-width:280px' }, field('Link or session ID', shared)), h('button.btn.btn-primary', { type: 'submit' }, 'Open')),
      sharedStatus),
    body);
  try {
    const { organizations } = await coaching('/organizations');
    const org = organizations[0];
    const [{ members }, admin] = await Promise.all([
      coaching(`/organizations/${org.id}/members?limit=100`),
      me.role === 'admin' ? Promise.all([api('/api/v1/admin/users'), api('/api/v1/admin/teams')]).catch(() => null) : null,
    ]);
    const users = new Map((admin?.[0] || []).map((u) => [`user_${u.id}`, u]));
    const teams = new Map((admin?.[1] || []).map((t) => [t.id, t.name]));
    const people = members.filter((m) => m.id !== `user_${me.id}`);
    const name = (m) => [m.firstName, m.lastName].filter(Boolean).join(' ') || m.email;
    clear(body, h('section.card', { 'aria-labelledby': 'members-h' },
      h('div.card-head', h('h2#members-h', `${org.name}: ${people.length} ${people.length === 1 ? 'member' : 'members'}`), h('p', titleCase(org.role))),
      people.length ? h('div.table-wrap', h('table#members',
        h('thead', h('tr', ['Name', 'E-mail', 'Role', admin ? 'Team' : null, admin ? 'Coach' : null, 'Joined'].filter(Boolean).map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', people.map((m) => {
          const u = users.get(m.id);
          const coach = u?.supervisor_id ? users.get(`user_${u.supervisor_id}`) : null;
          return h('tr',
            h('th', { scope: 'row' }, m.role === 'admin' ? name(m) : h('a', { href: `/app/team/${m.id.replace('user_', '')}` }, name(m))),
            h('td', h('a', { href: `mailto:${m.email}` }, m.email)),
            h('td', h('span.tag', { text: { user: 'Rep', supervisor: 'Supervisor', admin: 'Admin' }[m.role] || m.role })),
            admin ? h('td', u?.team_id ? teams.get(u.team_id) || `Team ${u.team_id}` : '–') : null,
            admin ? h('td', coach ? `${coach.first_name} ${coach.last_name}` : '–') : null,
            h('td.nowrap', when(m.joinedAt)));
        }))))
        : h('p.empty', 'Nobody is on your team yet. An administrator assigns reps to a team or a coach.')));
  } catch (error) {
    clear(body, errorBox(error));
  }
}
