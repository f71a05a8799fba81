// Records one spoken answer from the microphone, captured as the call page does: an AudioWorklet at
// the device's own rate (pcm-worklet.js mixes to mono and downsamples to 16 kHz 16-bit PCM in 100 ms
// chunks), kept in memory and handed back as a WAV file. The microphone is opened for each recording
// and released when it stops, so the browser shows it in use only while the person is recorded.
const RATE = 16000;

/** Whether this browser can record here (a microphone API, AudioWorklet, and a secure context). */
export function canRecord() {
  return Boolean(navigator.mediaDevices?.getUserMedia && window.AudioWorkletNode && window.isSecureContext);
}

/**
 * Opens the microphone (echo cancelled: the other side may play from the same laptop) into the
 * 16 kHz PCM worklet on `ctx`; `onPcm` gets each 100 ms chunk once the caller connects `source` to
 * `worklet`. Refusals are said in words, offering `fallback` ("type your answer instead").
 */
export async function openMicrophone(ctx, onPcm, fallback) {
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
    });
  } catch (error) {
    throw new Error(error.name === 'NotAllowedError'
      ? `Microphone access was refused. Allow it in the browser, or ${fallback}.`
      : `No microphone could be opened. Connect one, or ${fallback}.`);
  }
  try {
    await ctx.audioWorklet.addModule('/app/pcm-worklet.js');
    const source = ctx.createMediaStreamSource(stream);
    const worklet = new AudioWorkletNode(ctx, 'pcm-16k', { numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1, channelCountMode: 'explicit' });
    worklet.port.onmessage = ({ data }) => onPcm(data);
    return { stream, source, worklet };
  } catch (error) {
    for (const track of stream.getTracks()) track.stop();
    throw new Error(`Recording could not start in this browser (${error.message || error.name}).`);
  }
}

export class Recorder {
  /** `onChunk(level, seconds)` after each 100 ms; `maxSeconds` stops the recording by itself (then `onLimit`). */
  constructor({ onChunk, onLimit, maxSeconds = 90 } = {}) {
    this.onChunk = onChunk;
    this.onLimit = onLimit;
    this.maxSeconds = maxSeconds;
    this.chunks = [];
    this.samples = 0;
  }

  get seconds() { return this.samples / RATE; }

  async start() {
    this.ctx = new AudioContext(); // the device's own rate; the worklet converts to 16 kHz
    Object.assign(this, await openMicrophone(this.ctx, (data) => {
      if (this.done) return;
      const pcm = new Int16Array(data.pcm);
      this.chunks.push(pcm);
      this.samples += pcm.length;
      this.onChunk?.(data.level, this.seconds);
      if (this.seconds >= this.maxSeconds) this.onLimit?.();
    }, 'type your answer instead').catch((error) => { this.release(); throw error; }));
    this.source.connect(this.worklet);
    if (this.ctx.state === 'suspended') await this.ctx.resume();
  }

  /** Stops and releases the microphone; resolves to the recording as a 16 kHz mono 16-bit WAV Blob. */
  stop() {
    this.release();
    return wav(this.chunks, RATE);
  }

  release() {
    if (this.done) return;
    this.done = true;
    this.worklet?.port.postMessage('stop');
    try { this.source?.disconnect(); } catch { /* not connected */ }
    for (const track of this.stream?.getTracks() || []) track.stop();
    this.ctx?.close().catch(() => {});
  }
}

/** A RIFF/WAVE file of 16-bit little-endian mono PCM. */
export function wav(chunks, rate = RATE) {
  const samples = chunks.reduce((n, c) => n + c.length, 0);
  const header = new DataView(new ArrayBuffer(44));
  const text = (offset, s) => { for (let i = 0; i < s.length; i++) header.setUint8(offset + i, s.charCodeAt(i)); };
  text(0, 'RIFF'); header.setUint32(4, 36 + samples * 2, true); text(8, 'WAVE');
  text(12, 'fmt '); header.setUint32(16, 16, true); header.setUint16(20, 1, true); header.setUint16(22, 1, true);
  header.setUint32(24, rate, true); header.setUint32(28, rate * 2, true); header.setUint16(32, 2, true); header.setUint16(34, 16, true);
  text(36, 'data'); header.setUint32(40, samples * 2, true);
  // Int16Array is little-endian on every platform browsers run on.
  return new Blob([header, ...chunks], { type: 'audio/wav' });
}

/** A Blob as base64 (without the data: URL prefix). */
export function base64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(',', 2)[1] || '');
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}
