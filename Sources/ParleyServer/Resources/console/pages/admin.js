// Administrators: the organization's people and teams on /api/v1/admin. Add a person with a role, a
// team and a coach; change anyone's role, team, coach or access in place (each change is one PATCH);
// create teams; invite people by e-mail (the invitation code is shown once, to hand over).
import { api, user } from '/app/api.js';
import { h, clear, pageHeader, loading, errorBox, field, announce, when, day } from '/app/ui.js';

const roles = [['user', 'Rep'], ['supervisor', 'Supervisor'], ['admin', 'Admin']];
const roleName = Object.fromEntries(roles);

export async function render(main) {
  const me = user();
  const [users, teams, invitations] = await Promise.all([
    api('/api/v1/admin/users?limit=500'),
    api('/api/v1/admin/teams'),
    api('/api/v1/admin/invitations').catch(() => null),
  ]);
  const name = (u) => [u.first_name, u.last_name].filter(Boolean).join(' ') || u.email;
  const byId = (id) => users.find((u) => u.id === id);
  const teamName = (id) => teams.find((t) => t.id === id)?.name;
  const coaches = () => users.filter((u) => u.is_active && (u.role === 'supervisor' || u.role === 'admin'));

  const stats = h('div.grid.grid-stats', { style: 'margin-bottom:16px' });
  const usersStatus = h('div#users-status', { 'aria-live': 'polite' });
  const usersTable = h('div');
  const teamsList = h('div');
  const invitesBody = h('div');

  // Options for the team and coach pickers, from the current lists.
  const teamOptions = (selected, none = 'No team') => [h('option', { value: '' }, none),
    teams.map((t) => h('option', { value: t.id, selected: t.id === selected }, t.name))];
  const coachOptions = (selected, except) => [h('option', { value: '' }, 'No coach'),
    coaches().filter((c) => c.id !== except).map((c) => h('option', { value: c.id, selected: c.id === selected }, `${name(c)} (${roleName[c.role]})`))];

  function drawStats() {
    const active = users.filter((u) => u.is_active).length;
    clear(stats,
      stat('People', users.length, `${active} with access`),
      stat('Reps', users.filter((u) => u.role === 'user').length),
      stat('Supervisors', users.filter((u) => u.role === 'supervisor').length),
      stat('Teams', teams.length));
  }

  function drawUsers(focusId) {
    const sorted = [...users].sort((a, b) => name(a).localeCompare(name(b)));
    clear(usersTable, h('div.table-wrap', h('table#users',
      h('caption.sr-only', 'People in your organization'),
      h('thead', h('tr', ['Name', 'Role', 'Team', 'Coach', 'Access', 'Last sign-in'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', sorted.map((u) => {
        const self = u.id === me.id;
        const who = name(u);
        const role = h('select', { id: `role-${u.id}`, 'aria-label': `Role of ${who}`, disabled: self,
          onchange: () => change(u, { role: role.value }, `${who} is now ${article(roleName[role.value])}.`, role.id) },
        roles.map(([value, label]) => h('option', { value, selected: u.role === value }, label)));
        const team = h('select', { id: `team-${u.id}`, 'aria-label': `Team of ${who}`,
          onchange: () => change(u, { team_id: team.value ? Number(team.value) : null },
            team.value ? `${who} is now in ${teamName(Number(team.value))}.` : `${who} is no longer in a team.`, team.id) },
        teamOptions(u.team_id));
        const coach = h('select', { id: `coach-${u.id}`, 'aria-label': `Coach of ${who}`,
          onchange: () => change(u, { supervisor_id: coach.value ? Number(coach.value) : null },
            coach.value ? `${name(byId(Number(coach.value)))} now coaches ${who}.` : `${who} has no coach now.`, coach.id) },
        coachOptions(u.supervisor_id, u.id));
        const active = h('input', { id: `active-${u.id}`, type: 'checkbox', checked: u.is_active, disabled: self,
          onchange: () => change(u, { is_active: active.checked }, active.checked ? `${who} can sign in again.` : `${who} can no longer sign in.`, active.id) });
        return h('tr', { 'data-user': u.id },
          h('th', { scope: 'row' }, h('div', who, self ? h('span.muted', ' (you)') : null), h('div.small.muted', u.email)),
          h('td', role), h('td', team), h('td', coach),
          h('td', h('label.row.nowrap', { style: 'gap:6px;flex-wrap:nowrap' }, active, h('span', u.is_active ? 'Active' : 'Disabled'), h('span.sr-only', ` (${who})`))),
          h('td.nowrap.small', u.last_login ? when(u.last_login) : 'Never'));
      })))));
    if (focusId) document.getElementById(focusId)?.focus();
  }

  async function change(u, body, said, focusId) {
    clear(usersStatus);
    for (const el of usersTable.querySelectorAll('select, input')) el.disabled = true;
    try {
      const updated = await api(`/api/v1/admin/users/${u.id}`, { method: 'PATCH', json: body });
      Object.assign(u, updated);
      usersStatus.append(h('div.alert.alert-success', { role: 'status' }, said));
      announce(said);
    } catch (error) {
      usersStatus.append(errorBox(error));
    }
    drawUsers(focusId);
    drawStats();
    drawTeams();
    refreshPickers();
  }

  function drawTeams() {
    clear(teamsList, teams.length
      ? h('ul.plain#teams', teams.map((t) => {
        const members = users.filter((u) => u.team_id === t.id).length;
        return h('li.spread', h('strong', t.name), h('span.small.muted', `${members} ${members === 1 ? 'person' : 'people'} · since ${day(t.created_at)}`));
      }))
      : h('p.empty', 'No teams yet. Create one to group reps with their supervisor.'));
  }

  // Adding a person.
  const first = h('input#new-first', { name: 'first_name', autocomplete: 'off', required: true });
  const last = h('input#new-last', { name: 'last_name', autocomplete: 'off', required: true });
  const email = h('input#new-email', { name: 'email', type: 'email', required: true });
  const password = h('input#new-password', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
  const role = h('select#new-role', { name: 'role' }, roles.map(([value, label]) => h('option', { value }, label)));
  const team = h('select#new-team', { name: 'team_id' });
  const coach = h('select#new-coach', { name: 'supervisor_id' });
  const userStatus = h('div', { 'aria-live': 'polite' });
  const inputs = { first_name: first, last_name: last, email, password, role, team_id: team, supervisor_id: coach };
  const refreshPickers = () => {
    const keepTeam = team.value; const keepCoach = coach.value;
    clear(team, teamOptions(Number(keepTeam) || null));
    clear(coach, coachOptions(Number(keepCoach) || null));
    clear(inviteTeam, teamOptions(Number(inviteTeam.value) || null));
  };
  const userForm = h('form#user-form', { novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    clear(userStatus);
    for (const input of Object.values(inputs)) input.removeAttribute('aria-invalid');
    const missing = [[first, 'First name'], [last, 'Last name'], [email, 'E-mail'], [password, 'Temporary password']].find(([input]) => !input.value.trim());
    if (missing) return invalid(userStatus, missing[0], `${missing[1]}: this is required.`);
    const button = userForm.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const created = await api('/api/v1/admin/users', { method: 'POST', json: {
        first_name: first.value.trim(), last_name: last.value.trim(), email: email.value.trim(), password: password.value, role: role.value,
        team_id: team.value ? Number(team.value) : null, supervisor_id: coach.value ? Number(coach.value) : null,
      } });
      users.push(created);
      const said = `${name(created)} was added as ${article(roleName[created.role])}${created.team_id ? ` in ${teamName(created.team_id)}` : ''}. They can sign in with the temporary password.`;
      userStatus.append(h('div.alert.alert-success', { role: 'status' }, said));
      announce(said);
      userForm.reset();
      drawUsers(); drawStats(); drawTeams(); refreshPickers();
    } catch (error) {
      const input = inputs[error.field];
      if (input) invalid(userStatus, input, error.message); else userStatus.append(errorBox(error));
    } finally {
      button.disabled = false;
    }
  } },
  h('div.grid.grid-2.form-pair', field('First name', first), field('Last name', last)),
  field('E-mail', email),
  field('Temporary password', password, 'At least 8 characters. Give it to them; they can change it after signing in.'),
  h('div.grid.grid-2.form-pair', field('Role', role), field('Team', team)),
  field('Coach', coach, 'A supervisor or admin who reviews their calls.'),
  userStatus,
  h('button.btn.btn-primary', { type: 'submit' }, 'Add person'));

  // Teams.
  const teamNameInput = h('input#team-name', { name: 'name', autocomplete: 'off', required: true });
  const teamStatus = h('div', { 'aria-live': 'polite' });
  const teamForm = h('form.composer#team-form', { novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    clear(teamStatus);
    teamNameInput.removeAttribute('aria-invalid');
    if (!teamNameInput.value.trim()) return invalid(teamStatus, teamNameInput, 'Team name: this is required.');
    const button = teamForm.querySelector('button');
    button.disabled = true;
    try {
      const created = await api('/api/v1/admin/teams', { method: 'POST', json: { name: teamNameInput.value.trim() } });
      teams.push(created);
      const said = `Team ${created.name} was created.`;
      teamStatus.append(h('div.alert.alert-success', { role: 'status' }, said));
      announce(said);
      teamNameInput.value = '';
      drawTeams(); drawStats(); drawUsers(); refreshPickers();
    } catch (error) {
      if (error.field === 'name') invalid(teamStatus, teamNameInput, error.message.replace(/^Name:/, 'Team name:'));
      else teamStatus.append(errorBox(error));
    } finally {
      button.disabled = false;
    }
  } }, h('div', { style: 'flex:1' }, field('Team name', teamNameInput)),
  h('button.btn.btn-primary', { type: 'submit', style: 'align-self:end;margin-bottom:14px' }, 'Create team'));

  // Invitations.
  const inviteEmail = h('input#invite-email', { name: 'email', type: 'email', required: true });
  const inviteRole = h('select#invite-role', { name: 'role' }, roles.map(([value, label]) => h('option', { value }, label)));
  const inviteTeam = h('select#invite-team', { name: 'team_id' });
  const inviteStatus = h('div', { 'aria-live': 'polite' });
  const inviteForm = h('form.filters#invite-form', { novalidate: true, style: 'margin:10px 0 0', onsubmit: async (event) => {
    event.preventDefault();
    clear(inviteStatus);
    inviteEmail.removeAttribute('aria-invalid');
    if (!inviteEmail.value.trim()) return invalid(inviteStatus, inviteEmail, 'E-mail: this is required.');
    const button = inviteForm.querySelector('button');
    button.disabled = true;
    try {
      const created = await api('/api/v1/admin/invitations', { method: 'POST', json: {
        email: inviteEmail.value.trim(), role: inviteRole.value, team_id: inviteTeam.value ? Number(inviteTeam.value) : null,
      } });
      invitations.unshift(created);
      const code = h('input#invite-code', { type: 'text', readonly: true, value: created.token, onfocus: (e) => e.target.select() });
      inviteStatus.append(h('div.alert.alert-success', { role: 'status' },
        h('div', { style: 'flex:1 1 100%' }, `Invitation created for ${created.email}. Give them this code; they register with it before ${day(created.expires_at)}. It is shown only now.`),
        h('div', { style: 'flex:1' }, field('Invitation code', code))));
      announce(`Invitation created for ${created.email}`);
      inviteEmail.value = '';
      drawInvites();
    } catch (error) {
      if (error.field === 'email') invalid(inviteStatus, inviteEmail, error.message); else inviteStatus.append(errorBox(error));
    } finally {
      button.disabled = false;
    }
  } }, h('div', { style: 'flex:1;min-width:240px' }, field('E-mail', inviteEmail)), field('Role', inviteRole), field('Team', inviteTeam),
  h('button.btn.btn-primary', { type: 'submit' }, 'Invite'));

  function drawInvites() {
    if (!invitations) { clear(invitesBody, h('p.muted', 'Invitations are not available on this server.')); return; }
    clear(invitesBody, invitations.length
      ? h('div.table-wrap', h('table#invitations',
        h('thead', h('tr', ['E-mail', 'Role', 'Team', 'Status', 'Expires', ''].map((c) => h('th', { scope: 'col' }, c || h('span.sr-only', 'Actions'))))),
        h('tbody', invitations.map((i) => h('tr',
          h('td', i.email), h('td', roleName[i.role] || i.role), h('td', i.team_id ? teamName(i.team_id) || `Team ${i.team_id}` : '–'),
          h('td', h(`span.tag.${{ pending: 'tag-intermediate', accepted: 'status-active' }[i.status] || 'invite'}`, i.status.charAt(0).toUpperCase() + i.status.slice(1))),
          h('td.nowrap', day(i.expires_at)),
          h('td', i.status === 'pending' ? h('button.btn.btn-small', { type: 'button', 'aria-label': `Revoke the invitation for ${i.email}`, onclick: async (event) => {
            event.target.disabled = true;
            try {
              await api(`/api/v1/admin/invitations/${i.id}`, { method: 'DELETE' });
              i.status = 'revoked';
              announce(`The invitation for ${i.email} was revoked.`);
              drawInvites();
            } catch (error) {
              event.target.disabled = false;
              clear(inviteStatus, errorBox(error));
            }
          } }, 'Revoke') : null))))))
      : h('p.empty', 'No invitations yet.'));
  }

  main.append(
    pageHeader('Users and teams', 'Add people to your organization, group them in teams, and choose who coaches whom.'),
    stats,
    h('section.card', { 'aria-labelledby': 'people-h' },
      h('div.card-head', h('h2#people-h', 'People'), h('p', 'Changes are saved as you make them.')),
      usersStatus, usersTable),
    h('div.grid.grid-2', { style: 'margin-top:16px' },
      h('section.card', { 'aria-labelledby': 'add-h' }, h('h2#add-h', { style: 'margin-bottom:12px' }, 'Add a person'), userForm),
      h('section.card', { 'aria-labelledby': 'teams-h' }, h('h2#teams-h', { style: 'margin-bottom:8px' }, 'Teams'), teamsList,
        h('div', { style: 'margin-top:14px' }, teamForm, teamStatus))),
    h('section.card', { 'aria-labelledby': 'invites-h', style: 'margin-top:16px' },
      h('h2#invites-h', 'Invitations'),
      h('p.muted.small', 'Invite someone by e-mail: they register with the code you give them and join with the role and team you choose.'),
      invitations ? inviteForm : null, inviteStatus, invitesBody));
  refreshPickers();
  drawStats(); drawUsers(); drawTeams(); drawInvites();
}

function stat(label, value, note) {
  return h('div.stat', h('div.stat-label', label), h('div.stat-value', value), note ? h('div.stat-note', note) : null);
}

function article(word) { return `${/^[AEIOU]/i.test(word) ? 'an' : 'a'} ${word.toLowerCase()}`; }

/** Marks a field as wrong, says why next to the form, and puts the cursor in it. */
function invalid(status, input, message) {
  input.setAttribute('aria-invalid', 'true');
  status.append(h('div.alert.alert-error', { role: 'alert' }, message));
  input.focus();
}
