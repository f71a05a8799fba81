// Runs on the audio thread: takes the microphone at the device's own rate, mixes it to mono,
// low-passes and downsamples it to 16 kHz (a box filter over each output sample's span of input),
// and posts 16-bit little-endian PCM in 100 ms chunks with the chunk's loudness (RMS) and `voiced`:
// the audio-clock time just after its last sample above 0.01 (0 if none), the end of speech as
// `parley bench live` defines it, from which the call page times the prospect's replies.
const TARGET = 16000;
const CHUNK = 1600; // 100 ms at 16 kHz

class Pcm16kProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / TARGET; // input samples per output sample (e.g. 3 for 48 kHz)
    this.phase = 0;
    this.sum = 0;
    this.count = 0;
    this.out = new Int16Array(CHUNK);
    this.filled = 0;
    this.energy = 0;
    this.voiced = 0;
    this.live = true;
    this.port.onmessage = (event) => { if (event.data === 'stop') this.live = false; };
  }

  process(inputs) {
    const input = inputs[0];
    if (!this.live) return false;
    if (!input || input.length === 0) return true;
    const left = input[0];
    const right = input.length > 1 ? input[1] : null;
    for (let i = 0; i < left.length; i++) {
      const x = right ? (left[i] + right[i]) * 0.5 : left[i];
      this.sum += x;
      this.count += 1;
      this.phase += 1;
      if (this.phase >= this.step) {
        this.phase -= this.step;
        let v = this.sum / this.count;
        this.sum = 0;
        this.count = 0;
        v = v > 1 ? 1 : v < -1 ? -1 : v;
        this.energy += v * v;
        if (v > 0.01 || v < -0.01) this.voiced = currentTime + (i + 1) / sampleRate;
        this.out[this.filled++] = v < 0 ? v * 0x8000 : v * 0x7fff;
        if (this.filled === CHUNK) {
          const pcm = this.out.buffer;
          this.port.postMessage({ pcm, level: Math.sqrt(this.energy / CHUNK), voiced: this.voiced }, [pcm]);
          this.out = new Int16Array(CHUNK);
          this.filled = 0;
          this.energy = 0;
          this.voiced = 0;
        }
      }
    }
    return true;
  }
}

registerProcessor('pcm-16k', Pcm16kProcessor);
