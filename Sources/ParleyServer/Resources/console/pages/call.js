// A role-play call over the Sales Trainer voice socket (/ws/voice/{session_id}).
// Voice: the microphone goes through an AudioWorklet at the device's rate and leaves as 16 kHz mono PCM;
// the prospect's WAV replies play as they arrive and stop when the server reports a barge-in.
// Typed: the same socket with format 'text'.
import { api, freshToken } from '/app/api.js';
import { openMicrophone } from '/app/recorder.js';
import { h, clear, pageHeader, loading, errorBox, titleCase, duration, announce } from '/app/ui.js';

export async function render(main, [scenarioId], { go }) {
  main.append(loading('Loading the scenario…'));
  const scenario = await api(`/api/v1/scenarios/${scenarioId}`);
  clear(main);
  const voiceReady = Boolean(navigator.mediaDevices?.getUserMedia && window.AudioWorkletNode && window.isSecureContext);
  const p = scenario.prospect_persona;
  const start = h('div.card',
    h('h2', 'Start the call'),
    h('p.muted', voiceReady
      ? 'Talk naturally: the prospect answers out loud, and you can interrupt them at any time. Headphones give the best results.'
      : 'Voice needs a microphone and a secure (https) connection, which this browser does not offer here. You can type instead.'),
    h('div.row', { style: 'margin-top:12px' },
      h('button.btn.btn-primary#start-voice', { type: 'button', disabled: !voiceReady, onclick: () => begin('voice') }, 'Start voice call'),
      h('button.btn#start-typed', { type: 'button', onclick: () => begin('text') }, 'Type instead')),
    h('div#start-status', { 'aria-live': 'polite' }));
  main.append(
    h('a.crumb', { href: '/app/practice' }, '← All scenarios'),
    pageHeader(scenario.title, scenario.description),
    h('div.grid.grid-2',
      h('section.card', { 'aria-labelledby': 'persona-h' },
        h('h2#persona-h', { style: 'margin-bottom:12px' }, 'Your prospect'),
        p ? h('div.persona',
          h('div.avatar', { 'aria-hidden': 'true' }, p.name.split(' ').map((w) => w[0]).join('').slice(0, 2)),
          h('div',
            h('div', h('strong', p.name), h('div.muted', `${p.title}, ${p.company}`)),
            h('p.small', `${titleCase(p.personality)} · ${titleCase(p.communication_style)} communicator`),
            p.pain_points?.length ? h('div', h('span.label', 'Pain points'), h('ul.bullets.small', p.pain_points.map((x) => h('li', x)))) : null))
          : h('p.muted', 'A prospect for this scenario.')),
      h('section.card', { 'aria-labelledby': 'goals-h' },
        h('h2#goals-h', 'Your goals'),
        h('ul.bullets', (scenario.objectives || []).map((x) => h('li', x))),
        scenario.coaching_points?.length ? h('div', { style: 'margin-top:10px' }, h('span.label', 'Coaching points'),
          h('ul.bullets.small', scenario.coaching_points.map((x) => h('li', x)))) : null,
        h('div.tags', { style: 'margin-top:12px' }, h(`span.tag.tag-${scenario.difficulty}`, titleCase(scenario.difficulty)),
          h('span.tag', titleCase(scenario.category))))),
    h('div', { style: 'margin-top:16px' }, start));

  let call = null;
  async function begin(mode) {
    const status = document.getElementById('start-status');
    for (const b of start.querySelectorAll('button')) b.disabled = true;
    clear(status, loading(mode === 'voice' ? 'Connecting your microphone…' : 'Starting the call…'));
    try {
      call = new Call(scenario, mode);
      await call.prepare();
      clear(status, loading('Creating the session…'));
      const session = await api('/api/v1/sessions', { method: 'POST', json: { scenario_id: scenario.id } });
      call.mount(main, session, go);
      await call.connect();
    } catch (error) {
      call?.close();
      call = null;
      clear(status, errorBox(error));
      start.querySelector('#start-voice').disabled = !voiceReady;
      start.querySelector('#start-typed').disabled = false;
    }
  }
  return () => call?.close();
}

class Call {
  constructor(scenario, mode) {
    this.scenario = scenario;
    this.mode = mode;
    this.state = 'connecting';
    this.elapsed = 0;
    this.startedAt = 0;
    this.words = { user: 0, ai: 0 };
    this.sources = new Set();
    this.playEnd = 0;
    this.playing = false;
    this.closed = false;
    this.ended = false;
    // Reply timing on the audio clock, read by Benchmarks/console.py: `voicedAt` is the end of the
    // rep's last voiced sample sent, and each reply keeps the `voicedAt` it answered, when it arrived
    // and when its audio was scheduled to start. A few numbers per turn; nothing is logged.
    this.timings = { voicedAt: 0, replies: [] };
    window.parleyTimings = this.timings;
  }

  async prepare() {
    this.ctx = new AudioContext(); // the device's own rate; the worklet converts to 16 kHz
    if (this.mode !== 'voice') return;
    Object.assign(this, await openMicrophone(this.ctx, (data) => this.onPcm(data), 'choose "Type instead"'));
  }

  mount(main, session, go) {
    this.session = session;
    this.go = go;
    const persona = this.scenario.prospect_persona?.name || 'Prospect';
    this.persona = persona;
    this.ui = {
      status: h('span.status-dot#call-status', { 'data-state': 'connecting', role: 'status' }, 'Connecting…'),
      timer: h('span.timer#call-timer', { 'aria-label': 'Elapsed time', role: 'timer' }, '0:00'),
      pause: h('button.btn#pause', { type: 'button', disabled: true, onclick: () => this.togglePause() }, 'Pause'),
      end: h('button.btn.btn-danger#end-call', { type: 'button', disabled: true, onclick: () => this.end() }, 'End call'),
      mute: h('input#mute', { type: 'checkbox' }),
      transcript: h('div.transcript#live-transcript', { role: 'log', 'aria-live': 'polite', 'aria-label': 'Live transcript', tabindex: '0' }),
      nudges: h('div.nudges#nudges', { role: 'log', 'aria-live': 'polite', 'aria-label': 'Coaching nudges' },
        h('p.muted.small#no-nudges', 'Tips from your coach appear here during the call.')),
      ratio: h('span', { style: 'width:0%' }),
      ratioText: h('span.small.muted', 'No words yet'),
      level: h('span', { style: 'width:0%' }),
      alert: h('div#call-alert', { 'aria-live': 'assertive' }),
    };
    this.ui.mute.addEventListener('change', () => { if (this.ui.mute.checked) this.stopPlayback(false); });
    const composer = this.mode === 'text' ? this.composer() : null;
    clear(main,
      pageHeader(this.scenario.title, `Call with ${persona} · ${this.mode === 'voice' ? 'voice' : 'typed'} mode`),
      h('div.call',
        h('section.card',
          h('div.call-bar', this.ui.status, this.ui.timer, h('div.actions', { style: 'margin-left:auto' }, this.ui.pause, this.ui.end)),
          this.ui.alert,
          h('h2.sr-only', 'Transcript'),
          this.ui.transcript,
          composer),
        h('aside.stack', { 'aria-label': 'Call dashboard' },
          h('section.card',
            h('h2', { style: 'margin-bottom:8px' }, 'Talk ratio'),
            h('div.meter', { role: 'img', 'aria-label': 'Your share of the words spoken' }, this.ui.ratio),
            h('div.spread', { style: 'margin-top:6px' }, this.ui.ratioText, h('span.small.muted', 'Aim for 40–60%'))),
          this.mode === 'voice' ? h('section.card',
            h('h2', { style: 'margin-bottom:8px' }, 'Microphone'),
            h('div.meter.mic-level', { role: 'img', 'aria-label': 'Microphone level' }, this.ui.level),
            h('p.small.muted', 'Speak, then pause: the prospect answers when you stop. Talk over them to interrupt.')) : null,
          h('section.card', h('h2', { style: 'margin-bottom:8px' }, 'Coaching'), this.ui.nudges),
          h('section.card', h('label.row', this.ui.mute, h('span', "Mute the prospect's voice"))))));
    this.ui.end.focus();
  }

  composer() {
    const input = h('input#say', { type: 'text', autocomplete: 'off', placeholder: 'Type what you would say, then press Enter', 'aria-label': 'What you say' });
    const send = h('button.btn.btn-primary', { type: 'submit' }, 'Send');
    this.ui.say = input;
    return h('form.composer', {
      onsubmit: (event) => {
        event.preventDefault();
        const text = input.value.trim();
        if (!text || this.state !== 'live') return;
        this.send({ type: 'text', data: text });
        this.addTurn('user', text);
        input.value = '';
      },
    }, input, send);
  }

  async connect() {
    const token = await freshToken();
    const url = new URL(this.session.websocket_url);
    if (location.protocol === 'https:') url.protocol = 'wss:';
    url.searchParams.set('token', token);
    this.ws = new WebSocket(url);
    this.ws.onopen = () => {
      this.send({ type: 'config', data: this.mode === 'voice' ? { sample_rate: 16000, channels: 1, format: 'pcm' } : { format: 'text' } });
    };
    this.ws.onmessage = (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      this.onMessage(message);
    };
    this.ws.onclose = (event) => {
      if (this.closed || this.ended) return;
      this.setState('dropped', 'Disconnected');
      this.stopPlayback(false);
      const reason = event.code === 1008 || event.code === 4401 ? 'Your sign-in expired.' : 'The connection to Parley dropped.';
      clear(this.ui.alert, h('div.alert.alert-error', { role: 'alert' }, `${reason} Your turns so far are saved. `,
        h('button.btn.btn-small', { type: 'button', onclick: () => this.reconnect() }, 'Reconnect')));
    };
    await new Promise((resolve, reject) => {
      this.ws.addEventListener('open', resolve, { once: true });
      this.ws.addEventListener('error', () => reject(new Error("The call could not connect to Parley's voice service. Please try again.")), { once: true });
    });
  }

  async reconnect() {
    clear(this.ui.alert);
    this.setState('connecting', 'Reconnecting…');
    try { await this.connect(); } catch (error) { clear(this.ui.alert, errorBox(error, () => this.reconnect())); }
  }

  send(message) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  onMessage({ type, data = {}, ...rest }) {
    switch (type) {
      case 'session_started':
      case 'session_resumed':
        if (!this.startedAt) this.startedAt = performance.now();
        this.resumedAt = performance.now();
        this.setState('live', this.mode === 'voice' ? 'Live: speak now' : 'Live');
        this.ui.pause.disabled = false; this.ui.end.disabled = false; this.ui.pause.textContent = 'Pause';
        this.tick();
        if (this.worklet && !this.wired) { this.source.connect(this.worklet); this.wired = true; }
        if (this.ctx.state === 'suspended') this.ctx.resume();
        this.ui.say?.focus();
        announce(type === 'session_started' ? 'Call started' : 'Call resumed');
        break;
      case 'session_paused':
        this.elapsed += (performance.now() - this.resumedAt) / 1000;
        this.resumedAt = 0;
        this.setState('paused', 'Paused');
        this.ui.pause.textContent = 'Resume';
        this.stopPlayback(false);
        announce('Call paused');
        break;
      case 'transcript':
        if (data.speaker && data.speaker !== 'user') break;
        this.addTurn('user', data.text, !data.is_final);
        break;
      case 'ai_response': {
        this.addTurn('ai', data.text);
        const reply = { voicedAt: this.timings.voicedAt, arrived: this.ctx.currentTime, start: null };
        if (this.timings.replies.push(reply) > 500) this.timings.replies.shift();
        if (data.audio && !this.ui.mute.checked) this.play(data.audio, reply);
        break;
      }
      case 'ai_interrupted':
        this.stopPlayback(true);
        break;
      case 'coaching':
        this.addNudge(data);
        break;
      case 'session_ended':
        this.finish(data);
        break;
      case 'error':
        this.showError(rest.message || data.message, rest.retry_allowed ?? data.retry_allowed, rest.error_code || data.error_code);
        break;
      default:
        break;
    }
  }

  setState(state, label) {
    this.state = state;
    this.ui.status.dataset.state = state;
    this.ui.status.textContent = label;
  }

  tick() {
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      const live = this.resumedAt ? (performance.now() - this.resumedAt) / 1000 : 0;
      this.ui.timer.textContent = duration(this.elapsed + live);
    }, 250);
  }

  addTurn(speaker, text, partial = false) {
    if (!text) return;
    const t = this.ui.transcript;
    document.getElementById('no-turns')?.remove();
    let el = speaker === 'user' ? t.querySelector('.turn-partial') : null;
    if (!el) {
      el = h(`div.turn.turn-${speaker}`, h('span.who', speaker === 'user' ? 'You' : this.persona), h('span.text'));
      t.append(el);
    }
    el.classList.toggle('turn-partial', partial);
    el.querySelector('.text').textContent = text;
    if (!partial) {
      this.words[speaker] += text.split(/\s+/).filter(Boolean).length;
      this.updateRatio();
      if (speaker === 'ai') this.lastAi = el;
    }
    t.scrollTop = t.scrollHeight;
  }

  updateRatio() {
    const total = this.words.user + this.words.ai;
    if (!total) return;
    const share = Math.round((this.words.user / total) * 100);
    this.ui.ratio.style.width = `${share}%`;
    this.ui.ratio.parentElement.setAttribute('aria-label', `You spoke ${share}% of the words`);
    this.ui.ratioText.textContent = `You ${share}% · ${this.persona} ${100 - share}%`;
  }

  addNudge({ message, category, urgency }) {
    document.getElementById('no-nudges')?.remove();
    this.ui.nudges.prepend(h(`div.nudge.nudge-${urgency || 'low'}`, h('span.cat', titleCase(category || 'tip')), message));
  }

  showError(message, retryAllowed, code) {
    if (code === 'SESSION_PAUSED') return;
    clear(this.ui.alert, h(`div.alert.alert-${retryAllowed === false ? 'error' : 'info'}`, { role: 'alert' }, message || 'Something went wrong during the call.'));
    if (retryAllowed !== false) setTimeout(() => clear(this.ui.alert), 6000);
  }

  onPcm({ pcm, level, voiced }) {
    this.ui.level.style.width = `${Math.min(100, Math.round(level * 400))}%`;
    if (this.state !== 'live') return;
    if (voiced) this.timings.voicedAt = voiced;
    const bytes = new Uint8Array(pcm);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x2000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x2000));
    this.send({ type: 'audio', data: btoa(binary) });
  }

  async play(base64, reply) {
    try {
      const raw = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const buffer = await this.ctx.decodeAudioData(raw.buffer);
      if (this.closed || this.state !== 'live' || this.ui.mute.checked) return;
      const node = this.ctx.createBufferSource();
      node.buffer = buffer;
      node.connect(this.ctx.destination);
      const at = Math.max(this.ctx.currentTime + 0.02, this.playEnd);
      node.start(at);
      if (reply) reply.start = at;
      this.playEnd = at + buffer.duration;
      this.sources.add(node);
      if (!this.playing) { this.playing = true; this.send({ type: 'playback', data: { state: 'playing' } }); }
      node.onended = () => {
        this.sources.delete(node);
        if (this.sources.size === 0 && this.playing) { this.playing = false; this.send({ type: 'playback', data: { state: 'stopped' } }); }
      };
    } catch {
      /* a reply that cannot be decoded is still shown as text */
    }
  }

  stopPlayback(interrupted) {
    for (const node of this.sources) { node.onended = null; try { node.stop(); } catch { /* already stopped */ } }
    this.sources.clear();
    this.playEnd = 0;
    if (this.playing) { this.playing = false; this.send({ type: 'playback', data: { state: 'stopped' } }); }
    if (interrupted && this.lastAi) { this.lastAi.classList.add('turn-interrupted'); announce('You interrupted the prospect'); }
  }

  togglePause() {
    this.send({ type: 'control', action: this.state === 'paused' ? 'resume' : 'pause' });
  }

  end() {
    this.ui.end.disabled = true;
    this.ui.pause.disabled = true;
    this.setState('ending', 'Ending the call and scoring it…');
    this.stopPlayback(false);
    this.send({ type: 'control', action: 'end' });
    // If the socket is gone, the session page still shows what was saved.
    this.endTimer = setTimeout(() => { if (!this.ended) this.finish({}); }, 20000);
  }

  finish(data) {
    this.ended = true;
    clearTimeout(this.endTimer);
    this.setState('ended', 'Call ended');
    announce('Call ended. Opening your scorecard.');
    this.close();
    this.go(`/app/sessions/${this.session.id}${data.reason === 'max_duration' ? '?ended=time' : ''}`);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.endTimer);
    this.worklet?.port.postMessage('stop');
    try { this.source?.disconnect(); } catch { /* not connected */ }
    for (const track of this.stream?.getTracks() || []) track.stop();
    for (const node of this.sources) { try { node.stop(); } catch { /* stopped */ } }
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) this.ws.close(1000);
    this.ctx?.close().catch(() => {});
  }
}

