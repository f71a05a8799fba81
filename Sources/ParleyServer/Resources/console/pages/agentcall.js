// One call a voice agent placed: how it went, its summary, sentiment and key phrases, per-turn
// delays, the recording (its signed link plays without a token) and the transcript by speaker.
import { api } from '/app/api.js';
import { h, clear, pageHeader, loading, titleCase, when, duration } from '/app/ui.js';

export async function render(main, [id]) {
  main.append(loading('Loading the call…'));
  const call = await api(`/call-logs/${id}`);
  clear(main);
  const turns = call.transcript_turns || [];
  const latency = call.latency || [];
  const avg = (key) => latency.length ? latency.reduce((sum, l) => sum + l[key], 0) / latency.length : null;
  const seconds = (value) => value == null ? '–' : `${value.toFixed(2)} s`;
  const fact = (label, value) => h('div.stat', h('div.stat-label', label), h('div.stat-value', value));
  main.append(
    h('a.crumb', { href: '/app/agents' }, '← Voice agents'),
    pageHeader(call.phone_number === 'web' ? 'Web call' : `Call to ${call.phone_number}`,
      `${when(call.created_at)} · ${titleCase(call.status)} · placed by ${call.telephony}${call.attempt > 1 ? ` · attempt ${call.attempt}` : ''}`),
    h('div.grid.grid-stats',
      fact('Length', duration(call.duration_seconds)),
      fact('Sentiment', call.sentiment ? titleCase(call.sentiment) : '–'),
      fact('Ended', call.end_reason ? titleCase(call.end_reason.split(':').pop().trim()) : '–'),
      fact('Reply delay', seconds(avg('reply_seconds'))),
      fact('To first audio', seconds(avg('first_audio_seconds')))),
    h('div.grid.grid-2', { style: 'margin-top:16px' },
      h('section.card', { 'aria-labelledby': 'sum-h' },
        h('h2#sum-h', { style: 'margin-bottom:8px' }, 'Summary'),
        h('p#call-summary', call.summary || 'Nothing was said on this call.'),
        call.key_phrases?.length ? h('div.evidence', { 'aria-label': 'Key phrases' }, call.key_phrases.map((p) => h('span.tag', p))) : null,
        call.emotions?.length ? h('p.small.muted', `Tone: ${call.emotions.map(titleCase).join(', ')}`) : null,
        call.engine_notes?.length ? h('ul.bullets.small.muted', call.engine_notes.map((n) => h('li', n))) : null,
        call.recording_url ? h('div', { style: 'margin-top:12px' }, h('span.label#rec-label', 'Recording'),
          h('audio#call-recording', { controls: true, preload: 'none', src: call.recording_url, 'aria-labelledby': 'rec-label', style: 'width:100%' }),
          h('a.small', { href: call.recording_url, download: `call-${call.id}.wav` }, 'Download WAV')) : null),
      h('section.card', { 'aria-labelledby': 'tr-h' },
        h('div.card-head', h('h2#tr-h', 'Transcript'), h('p', `${turns.length} lines`)),
        turns.length ? h('ol.transcript#call-transcript', { style: 'height:auto;max-height:640px;list-style:none;margin:0;padding:4px', 'aria-label': 'Call transcript' },
          turns.map((t) => h(`li.turn.turn-${t.speaker === 'agent' ? 'ai' : 'user'}`,
            h('span.who', t.speaker === 'agent' ? 'Agent' : 'Callee'), t.text)))
          : h('p.muted', 'Nobody spoke on this call.'))));
}
