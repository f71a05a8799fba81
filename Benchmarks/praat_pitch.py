"""Praat's pitch (autocorrelation, via parselmouth) on a WAV, for `parley bench audio`.

Prints JSON: seconds spent in Praat, the frame times and the pitch per frame (0 = unvoiced).
"""
import json
import sys
import time

import parselmouth

path, floor, ceiling = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
sound = parselmouth.Sound(path)
start = time.process_time()
pitch = sound.to_pitch(time_step=0.01, pitch_floor=floor, pitch_ceiling=ceiling)
seconds = time.process_time() - start
values = pitch.selected_array["frequency"]
print(json.dumps({
    "seconds": seconds,
    "times": [float(t) for t in pitch.xs()],
    "pitch": [float(v) for v in values],
}))
