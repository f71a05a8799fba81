// A small Socket.IO v5 client over Engine.IO v4's WebSocket transport (no long-polling):
// connects one namespace with auth, answers pings, delivers events, reconnects with backoff.
//
// Engine.IO packets: 0 open, 1 close, 2 ping, 3 pong, 4 message. Socket.IO packets (inside 4):
// 0 CONNECT, 1 DISCONNECT, 2 EVENT, 3 ACK, 4 CONNECT_ERROR; "/nsp," prefixes a namespace.

export class SocketIO {
  /** url: the server's origin (http/https/ws/wss); namespace: '/sessions/…'; auth: () => Promise<object>. */
  constructor(url, namespace, { auth, path = '/socket.io/', reconnect = true } = {}) {
    const u = new URL(path, url);
    u.protocol = u.protocol.replace('http', 'ws');
    u.searchParams.set('EIO', '4');
    u.searchParams.set('transport', 'websocket');
    this.url = u.toString();
    this.namespace = namespace;
    this.auth = auth;
    this.reconnect = reconnect;
    this.handlers = new Map();
    this.attempt = 0;
    this.closed = false;
    this.connected = false;
    this.acks = new Map();
    this.nextAck = 1;
  }

  on(event, fn) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event).add(fn);
    return this;
  }

  emitLocal(event, ...args) {
    for (const fn of this.handlers.get(event) || []) fn(...args);
    for (const fn of this.handlers.get('*') || []) if (!['connect', 'disconnect', 'connect_error'].includes(event)) fn(event, ...args);
  }

  open() {
    if (this.closed) return this;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onmessage = async (message) => {
      if (typeof message.data !== 'string') return; // binary attachments are not used here
      const text = message.data;
      const type = text[0];
      if (type === '0') {
        const auth = this.auth ? await this.auth() : undefined;
        ws.send(`40${this.namespace},${auth ? JSON.stringify(auth) : ''}`);
      } else if (type === '2') {
        ws.send('3' + text.slice(1));
      } else if (type === '1') {
        ws.close();
      } else if (type === '4') {
        this.packet(text.slice(1));
      }
    };
    ws.onclose = () => {
      const was = this.connected;
      this.connected = false;
      if (was) this.emitLocal('disconnect');
      if (!this.closed && this.reconnect && !this.refused) {
        const delay = Math.min(10_000, 500 * 2 ** this.attempt++);
        this.timer = setTimeout(() => this.open(), delay);
      }
    };
    ws.onerror = () => { if (!this.connected) this.emitLocal('connect_error', { message: 'The live connection could not be opened.' }); };
    return this;
  }

  packet(text) {
    const type = text[0];
    let rest = text.slice(1);
    let namespace = '/';
    if (rest.startsWith('/')) {
      const comma = rest.indexOf(',');
      namespace = comma < 0 ? rest : rest.slice(0, comma);
      rest = comma < 0 ? '' : rest.slice(comma + 1);
    }
    if (namespace !== this.namespace) return;
    const idMatch = rest.match(/^\d+/);
    const id = idMatch ? Number(idMatch[0]) : null;
    if (idMatch) rest = rest.slice(idMatch[0].length);
    const data = rest ? safeParse(rest) : undefined;
    if (type === '0') {
      this.connected = true;
      this.attempt = 0;
      this.emitLocal('connect', data);
    } else if (type === '4') {
      this.refused = true;
      this.emitLocal('connect_error', data || { message: 'The server refused the live connection.' });
      this.ws.close();
    } else if (type === '1') {
      this.connected = false;
      this.emitLocal('disconnect');
    } else if (type === '2' && Array.isArray(data)) {
      const [event, ...args] = data;
      if (id != null) args.push((...reply) => this.ws.send(`43${this.namespace},${id}${JSON.stringify(reply)}`));
      this.emitLocal(event, ...args);
    } else if (type === '3' && id != null && this.acks.has(id)) {
      this.acks.get(id)(...(Array.isArray(data) ? data : [data]));
      this.acks.delete(id);
    }
  }

  /** Sends an event; with a callback as the last argument, the server's acknowledgement calls it. */
  emit(event, ...args) {
    let id = '';
    if (typeof args.at(-1) === 'function') {
      id = this.nextAck++;
      this.acks.set(id, args.pop());
    }
    this.ws?.send(`42${this.namespace},${id}${JSON.stringify([event, ...args])}`);
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) {
      try { if (this.connected) this.ws.send(`41${this.namespace},`); } catch { /* closing */ }
      this.ws.close();
    }
  }
}

function safeParse(text) { try { return JSON.parse(text); } catch { return text; } }
