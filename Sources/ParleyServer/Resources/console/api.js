// Talks to Parley's public APIs: signs in, keeps the access token fresh with the refresh token,
// and turns each surface's error body into a sentence a person can read.

const KEY = 'parley.auth';
let auth = load();
let refreshing = null;
let timer = null;
const listeners = new Set();

function load() {
  try { return JSON.parse(localStorage.getItem(KEY) || 'null'); } catch { return null; }
}

function save(next) {
  auth = next;
  if (next) localStorage.setItem(KEY, JSON.stringify(next)); else localStorage.removeItem(KEY);
  schedule();
  for (const fn of listeners) fn(next);
}

/** Called with the new auth state (or null) whenever it changes. */
export function onAuthChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

export function user() { return auth?.user ?? null; }
export function isManager() { return ['supervisor', 'admin'].includes(auth?.user?.role); }
export function isAdmin() { return auth?.user?.role === 'admin'; }

/** An error the person can read: `message` is a sentence; `status` and `code` are the server's. */
export class ApiError extends Error {
  constructor(message, { status = 0, code = '', field = '', retryAfter = 0 } = {}) {
    super(message);
    this.status = status; this.code = code; this.field = field; this.retryAfter = retryAfter;
  }
}

/** The session ended (expired, revoked, or the refresh failed): the person must sign in again. */
export class SessionExpired extends ApiError {}

const plain = {
  400: 'The request could not be read.',
  401: 'Your sign-in has expired.',
  403: "You don't have access to that.",
  404: "That couldn't be found. It may have been deleted.",
  409: 'That conflicts with something that already exists.',
  413: 'That file is too large.',
  415: "That kind of file isn't supported.",
  422: 'Some of the details need another look.',
  429: 'Too many requests right now.',
  500: 'Something went wrong on the server. Please try again.',
  502: 'The server is not answering properly. Please try again shortly.',
  503: 'The service is busy or down for a moment. Please try again shortly.',
};

const fieldNames = {
  email: 'E-mail', password: 'Password', file: 'File', rating: 'Rating', title: 'Title', name: 'Name',
  first_name: 'First name', last_name: 'Last name', role: 'Role', team_id: 'Team', supervisor_id: 'Coach',
  is_active: 'Access', expires_in_days: 'Expiry', audioData: 'Recording', exerciseIndex: 'Exercise', response: 'Answer',
};

/** Reads an error body from any surface: /api/v1 ({detail, error_code, details}) or /coaching ({error: {code, message}}). */
export function errorFrom(status, body, headers) {
  let message = '', code = '', field = '';
  if (body && typeof body === 'object') {
    if (body.error && typeof body.error === 'object') {
      message = body.error.message || '';
      code = body.error.code || '';
      field = body.error.details?.field || '';
    } else {
      message = typeof body.detail === 'string' ? body.detail : (body.message || (typeof body.error === 'string' ? body.error : ''));
      code = body.error_code || '';
      field = body.details?.field || '';
    }
  }
  const retryAfter = Number(headers?.get?.('Retry-After') || 0);
  if (status === 429) message = `Too many requests. Please wait ${retryAfter || 'a few'} seconds and try again.`;
  if (!message || status >= 500) message = plain[status] || `The server answered ${status}.`;
  if (message && !/[.!?]$/.test(message)) message += '.';
  if (field && status === 422) {
    // Name the field in words: "first_name: must not be empty" reads "First name: must not be empty".
    const name = fieldNames[field] || field;
    if (message.toLowerCase().startsWith(`${field.toLowerCase()}:`)) message = `${name}:${message.slice(field.length + 1)}`;
    else if (!message.toLowerCase().includes(field.toLowerCase())) message = `${name}: ${message}`;
  }
  return new ApiError(message, { status, code, field, retryAfter });
}

async function parse(response) {
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('json')) { try { return await response.json(); } catch { return null; } }
  return null;
}

function expire(message = 'Your session has ended. Please sign in again.') {
  if (auth) save(null);
  return new SessionExpired(message, { status: 401 });
}

async function refresh() {
  if (!auth?.refresh_token) throw expire();
  if (!refreshing) {
    refreshing = (async () => {
      let response;
      try {
        response = await fetch('/api/v1/auth/refresh', {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ refresh_token: auth.refresh_token }),
        });
      } catch { throw new ApiError("Parley can't be reached. Check your connection and try again."); }
      const body = await parse(response);
      if (response.status === 401 || response.status === 403) throw expire('Your session has expired. Please sign in again.');
      if (!response.ok) throw errorFrom(response.status, body, response.headers);
      keep(body);
    })().finally(() => { refreshing = null; });
  }
  return refreshing;
}

function keep(token) {
  save({
    access_token: token.access_token, refresh_token: token.refresh_token,
    expires_at: Date.now() + (token.expires_in || 28800) * 1000, user: token.user,
  });
}

// Refresh quietly a minute before the access token expires.
function schedule() {
  clearTimeout(timer);
  if (!auth?.expires_at) return;
  const wait = Math.max(5_000, auth.expires_at - Date.now() - 60_000);
  timer = setTimeout(() => refresh().catch(() => {}), Math.min(wait, 2 ** 31 - 1));
}
schedule();

/** An access token valid for at least the next half minute (for WebSocket URLs). */
export async function freshToken() {
  if (!auth) throw expire();
  if (auth.expires_at - Date.now() < 30_000) await refresh();
  return auth.access_token;
}

/**
 * Calls the API. `json` sends a JSON body, `form` a FormData; `as` is 'json' (default), 'blob' or 'text'.
 * A 401 refreshes the token once and retries; a second 401 ends the session.
 */
export async function api(path, { method = 'GET', json, form, as = 'json', signal, anonymous = false, retried = false } = {}) {
  const headers = {};
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  if (!anonymous) {
    if (!auth) throw expire('Please sign in to continue.');
    headers.Authorization = `Bearer ${auth.access_token}`;
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: json !== undefined ? JSON.stringify(json) : form, signal });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError("Parley can't be reached. Check your connection and try again.");
  }
  if (response.status === 401 && !anonymous) {
    if (retried) throw expire();
    await refresh();
    return api(path, { method, json, form, as, signal, retried: true });
  }
  if (!response.ok) throw errorFrom(response.status, await parse(response), response.headers);
  if (as === 'blob') return response.blob();
  if (as === 'text') return response.text();
  if (response.status === 204) return null;
  return parse(response);
}

/** The Speech Coaching envelope's `data`. */
export async function coaching(path, options) {
  const body = await api('/coaching' + path, options);
  return body?.data ?? body;
}

export async function signIn(email, password) {
  const token = await api('/api/v1/auth/login', { method: 'POST', json: { email, password }, anonymous: true });
  keep(token);
  return token.user;
}

/** Revokes the session on the server, then forgets it here, even if the server can't be reached. */
export async function signOut() {
  try { if (auth) await api('/api/v1/auth/logout', { method: 'POST', retried: true }); } catch { /* forget it anyway */ }
  save(null);
}

/** XMLHttpRequest upload with progress (fetch has no upload progress). Resolves to the parsed body. */
export function upload(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const send = (retried) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', path);
      xhr.setRequestHeader('Authorization', `Bearer ${auth?.access_token}`);
      xhr.responseType = 'json';
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress?.(e.loaded / e.total, e.loaded, e.total); };
      xhr.onerror = () => reject(new ApiError("The upload was interrupted. Check your connection and try again."));
      xhr.onload = async () => {
        if (xhr.status === 401 && !retried) {
          try { await refresh(); send(true); } catch (error) { reject(error); }
          return;
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.response);
        else {
          const headers = { get: (name) => xhr.getResponseHeader(name) };
          reject(xhr.status === 401 ? expire() : errorFrom(xhr.status, xhr.response, headers));
        }
      };
      xhr.send(form);
    };
    if (!auth) reject(expire('Please sign in to continue.')); else send(false);
  });
}
