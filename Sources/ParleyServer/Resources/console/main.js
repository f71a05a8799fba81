// The console's shell: sign-in, navigation and a small router over history.pushState.
import { signIn, signOut, user, isManager, isAdmin, onAuthChange, SessionExpired } from '/app/api.js';
import { h, clear, errorBox, loading, announce, field } from '/app/ui.js';

const main = document.getElementById('main');
const app = document.getElementById('app');
let cleanup = null;
let expiredMessage = '';
let leaving = false;

const routes = [
  { path: /^\/app\/?$/, page: null },
  { path: /^\/app\/signin$/, page: 'signin', open: true },
  { path: /^\/app\/practice$/, page: 'practice', nav: 'practice' },
  { path: /^\/app\/practice\/(\d+)$/, page: 'call', nav: 'practice' },
  { path: /^\/app\/sessions\/([\w-]+)$/, page: 'scorecard', nav: 'progress' },
  { path: /^\/app\/progress$/, page: 'progress', nav: 'progress' },
  { path: /^\/app\/coaching$/, page: 'coaching', nav: 'coaching' },
  { path: /^\/app\/coaching\/([\w-]+)$/, page: 'analysis', nav: 'coaching' },
  { path: /^\/app\/drills$/, page: 'drills', nav: 'drills' },
  { path: /^\/app\/drills\/([\w-]+)$/, page: 'drills', nav: 'drills' },
  { path: /^\/app\/team$/, page: 'team', nav: 'team' },
  { path: /^\/app\/team\/(\d+)$/, page: 'progress', nav: 'team' },
  { path: /^\/app\/leads$/, page: 'leads', nav: 'leads' },
  { path: /^\/app\/agents$/, page: 'agents', nav: 'agents' },
  { path: /^\/app\/calls\/([0-9a-f-]{36})$/, page: 'agentcall', nav: 'agents' },
  { path: /^\/app\/admin$/, page: 'admin', nav: 'admin' },
];

const navItems = [
  { id: 'practice', href: '/app/practice', label: 'Practice', icon: 'M4 8a4 4 0 0 1 8 0v3a4 4 0 0 1-8 0zM8 15v3M5 18h6' },
  { id: 'progress', href: '/app/progress', label: 'Progress', icon: 'M3 16l5-5 3 3 6-7M13 7h4v4' },
  { id: 'coaching', href: '/app/coaching', label: 'Speech coaching', icon: 'M2 10h2M6 6v8M10 3v14M14 7v6M18 9v2' },
  { id: 'drills', href: '/app/drills', label: 'Drills', icon: 'M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM10 14a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM10 10.5v-1' },
  { id: 'team', href: '/app/team', label: 'Team', icon: 'M7 9a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM1 18c0-3 3-5 6-5s6 2 6 5M14 4a3 3 0 0 1 0 5M16 13c2 .5 3 2 3 5', manager: true },
  { id: 'leads', href: '/app/leads', label: 'Leads', icon: 'M3 4h14M3 10h14M3 16h9' },
  { id: 'agents', href: '/app/agents', label: 'Voice agents', icon: 'M4 4h5l2 4-2.5 1.5a10 10 0 0 0 4 4L14 11l4 2v5a1 1 0 0 1-1 1A15 15 0 0 1 3 5a1 1 0 0 1 1-1z' },
  { id: 'admin', href: '/app/admin', label: 'Users and teams', icon: 'M10 2l7 3v5c0 4-3 7-7 8-4-1-7-4-7-8V5zM10 7a2 2 0 1 0 0 4 2 2 0 0 0 0-4zM6.5 15c.8-1.8 2-2.5 3.5-2.5s2.7.7 3.5 2.5', admin: true },
];

function icon(d) {
  return h('svg', { viewBox: '0 0 20 20', width: '20', height: '20', 'aria-hidden': 'true', class: 'icon' },
    h('path', { d, fill: 'none', stroke: 'currentColor', 'stroke-width': '1.7', 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }));
}

function shell(active) {
  const me = user();
  let nav = document.getElementById('nav');
  if (!nav) {
    nav = h('nav#nav.sidebar', { 'aria-label': 'Main' });
    app.prepend(nav);
  }
  const name = [me.first_name, me.last_name].filter(Boolean).join(' ') || me.email;
  clear(nav,
    h('a.brand', { href: '/app/practice' }, h('img', { src: '/app/icon.svg', alt: '', width: '28', height: '28' }), h('span', 'Parley')),
    h('ul.nav-list', navItems.filter((item) => (!item.manager || isManager()) && (!item.admin || isAdmin())).map((item) =>
      h('li', h('a.nav-link', { href: item.href, 'aria-current': item.id === active ? 'page' : null }, icon(item.icon), h('span', item.label))))),
    h('div.me',
      h('div.me-name', name),
      h('div.me-role', { text: { user: 'Sales rep', supervisor: 'Supervisor', admin: 'Administrator' }[me.role] || me.role }),
      h('button.btn.btn-ghost.btn-small#signout', { type: 'button', onclick: doSignOut }, 'Sign out')));
}

async function doSignOut() {
  const button = document.getElementById('signout');
  if (button) { button.disabled = true; button.textContent = 'Signing out…'; }
  leaving = true;
  await signOut();
  leaving = false;
  go('/app/signin', true);
  announce('Signed out');
}

function removeShell() { document.getElementById('nav')?.remove(); }

// Says a page has rendered (its data fetched and its content in #main): `data-ready` on <body> holds
// the page's path, and a `parley:ready` performance mark the moment. Benchmarks/console.py times
// pages by it; one attribute and one mark per page shown, nothing else.
function ready(state = location.pathname) {
  document.body.dataset.ready = state;
  performance.clearMarks('parley:ready');
  performance.mark('parley:ready');
}

function signinPage() {
  removeShell();
  app.classList.add('app-signin');
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true, autofocus: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const status = h('div.form-status', { 'aria-live': 'polite' });
  if (expiredMessage) status.append(h('div.alert.alert-info', { role: 'status' }, expiredMessage));
  expiredMessage = '';
  const submit = h('button.btn.btn-primary.btn-block', { type: 'submit' }, 'Sign in');
  const form = h('form.signin-form', {
    novalidate: true,
    onsubmit: async (event) => {
      event.preventDefault();
      clear(status);
      if (!email.value.trim() || !password.value) {
        status.append(h('div.alert.alert-error', { role: 'alert' }, 'Enter your e-mail address and password.'));
        (email.value.trim() ? password : email).focus();
        return;
      }
      submit.disabled = true; submit.textContent = 'Signing in…';
      try {
        await signIn(email.value.trim(), password.value);
        const back = sessionStorage.getItem('parley.return');
        sessionStorage.removeItem('parley.return');
        go(back && back !== '/app/signin' ? back : '/app/practice', true);
      } catch (error) {
        status.append(h('div.alert.alert-error', { role: 'alert' }, error.status === 401 ? 'That e-mail and password do not match an account.' : error.message));
        submit.disabled = false; submit.textContent = 'Sign in';
        password.select();
      }
    },
  }, field('E-mail', email), field('Password', password), status, submit);
  clear(main, h('div.signin',
    h('div.signin-card',
      h('div.signin-brand', h('img', { src: '/app/icon.svg', alt: '', width: '40', height: '40' }), h('span', 'Parley')),
      h('h1#page-title', { tabindex: '-1' }, 'Sign in'),
      h('p.subtitle', 'Practise sales calls with an AI prospect and get coached on every word.'),
      form),
    h('p.signin-foot', 'Parley runs entirely on this server: no data leaves it.')));
  document.title = 'Sign in · Parley';
  ready();
}

export function go(path, replace = false) {
  if (replace) history.replaceState(null, '', path); else history.pushState(null, '', path);
  route();
}

async function route() {
  const path = location.pathname.replace(/\/+$/, '') || '/app';
  delete document.body.dataset.ready;
  if (cleanup) { try { cleanup(); } catch { /* page gone */ } cleanup = null; }
  const match = routes.map((r) => [r, path.match(r.path)]).find(([, m]) => m);
  if (!user()) {
    if (!match || !match[0].open) {
      if (match && match[0].page) sessionStorage.setItem('parley.return', location.pathname + location.search);
      history.replaceState(null, '', '/app/signin');
    }
    return signinPage();
  }
  app.classList.remove('app-signin');
  if (!match || !match[0].page || match[0].page === 'signin') {
    return go(!match ? '/app/practice' : '/app/practice', true);
  }
  const [r, params] = match;
  if (r.nav === 'team' && !isManager()) return go('/app/practice', true);
  if (r.nav === 'admin' && !isAdmin()) return go('/app/practice', true);
  shell(r.nav);
  clear(main, loading());
  const token = {};
  route.current = token;
  try {
    const module = await import(`/app/pages/${r.page}.js`);
    if (route.current !== token) return;
    clear(main);
    cleanup = (await module.render(main, params.slice(1), { go })) || null;
    if (route.current !== token) { cleanup?.(); cleanup = null; return; }
    const title = main.querySelector('h1');
    document.title = `${title ? title.textContent : 'Parley'} · Parley`;
    if (route.focus) { (title || main).focus({ preventScroll: false }); announce(document.title); }
    ready();
  } catch (error) {
    if (route.current !== token) return;
    if (error instanceof SessionExpired) return;
    clear(main, errorBox(error, () => route()));
    ready('error');
  }
}

// An expired session (from any request) sends the person back to sign in, keeping their place.
onAuthChange((state) => {
  if (!state && !leaving && location.pathname !== '/app/signin') {
    expiredMessage = 'Your session has ended. Please sign in again.';
    sessionStorage.setItem('parley.return', location.pathname);
    go('/app/signin', true);
  }
});

document.addEventListener('click', (event) => {
  const a = event.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download') || event.defaultPrevented || event.button !== 0
      || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/app')) return;
  if (url.pathname === location.pathname && url.hash) return;
  event.preventDefault();
  route.focus = true;
  go(url.pathname + url.search);
});
window.addEventListener('popstate', () => { route.focus = true; route(); });
window.addEventListener('parley:navigate', (event) => { route.focus = true; go(event.detail); });
window.addEventListener('unhandledrejection', (event) => {
  if (event.reason instanceof SessionExpired) event.preventDefault();
});

route();
