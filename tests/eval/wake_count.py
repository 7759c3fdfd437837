#!/usr/bin/env python3
"""Counts wake-word events over the positives and the long negatives (run.sh calls it).

    wake_count.py SET_WAKE_DIR RUN_WAKE_DIR > wake.json

RUN_WAKE_DIR/<name>.jsonl holds the {"event":"wake",...} lines of
`roomvoice run --audio SET_WAKE_DIR/{positives,negatives}/<name>.wav --json`.
Positives: a clip counts as heard when a wake event's time (start_s, time_s, at_s or
end_s, whichever the event has) falls between 0.3 s before the clip and 1.5 s after
its end; events without a time are matched to clips in order, one each. False
rejects = clips not heard. Negatives: every event is a false accept; reported per
hour of audio, then split by what was being said (the <name>.txt beside each negative:
start time, tab, sentence): near misses (sentences of sentences/near_misses.txt, such as
"alexis, book this room") against ordinary speech and silence, per hour of each.
Standard library only.
"""

import json
import re
import sys
import wave
from collections import defaultdict
from pathlib import Path

TIME_KEYS = ("start_s", "time_s", "at_s", "end_s")


def events(path):
    out = []
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                ev = json.loads(line)
            except json.JSONDecodeError:
                continue
            if ev.get("event") == "wake":
                t = next((ev[k] for k in TIME_KEYS if isinstance(ev.get(k), (int, float))), None)
                out.append(t)
    return out


def normalise(text):
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def read_near_misses():
    path = Path(__file__).parent / "sentences" / "near_misses.txt"
    if not path.exists():
        return set()
    return {normalise(line) for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")}


def read_said(path, seconds):
    """(start, end, text) of each sentence of a negative, the gap after it included."""
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        start, text = line.split("\t", 1)
        rows.append((float(start), text))
    return [(start, rows[i + 1][0] if i + 1 < len(rows) else seconds, text)
            for i, (start, text) in enumerate(rows)]


# Events that mean the device did something in the room (README, "Events").
ACTION_EVENTS = ("booked", "updated", "join", "hangup")


def count_deeds(path, did):
    """Adds what one run's events show the device did; False when they were not kept."""
    if not path.exists():
        return False
    for line in path.read_text().splitlines():
        try:
            ev = json.loads(line)
        except json.JSONDecodeError:
            continue
        kind = ev.get("event")
        if kind in ACTION_EVENTS:
            did[kind] += 1
        elif kind == "say":
            text = ev.get("text", "")
            if "I can only help" in text:
                did["refusal"] += 1
            elif text.rstrip().endswith("?"):
                did["question"] += 1
            else:
                did["answer"] += 1
    return True


def main():
    set_dir, run_dir = Path(sys.argv[1]), Path(sys.argv[2])
    ran = {p.stem for p in run_dir.glob("*.jsonl")}
    pos = defaultdict(lambda: [0, 0])           # condition -> [heard, clips]
    pos_voice = defaultdict(lambda: [0, 0])
    untimed = False
    for tsv in sorted((set_dir / "positives").glob("*.tsv")):
        if tsv.stem not in ran:
            continue
        voice, cond = tsv.stem.rsplit("-", 1)
        clips = [line.split("\t") for line in tsv.read_text().splitlines() if line]
        evs = events(run_dir / f"{tsv.stem}.jsonl")
        timed = [t for t in evs if t is not None]
        spare = len(evs) - len(timed)
        untimed |= spare > 0
        for _, a, b in clips:
            a, b = float(a), float(b)
            heard = any(a - 0.3 <= t <= b + 1.5 for t in timed)
            if not heard and spare > 0:
                heard, spare = True, spare - 1
            pos[cond][0] += heard
            pos[cond][1] += 1
            pos_voice[voice][0] += heard
            pos_voice[voice][1] += 1
    lines = []
    if pos:
        lines.append("false rejects on positives (alexa + command, other request, or alone):")
        order = ["clean", "noise20", "noise10", "reverb", "slow", "fast", "padded"]
        for cond, (h, n) in sorted(pos.items(), key=lambda kv: order.index(kv[0])
                                   if kv[0] in order else 99):
            lines.append(f"  {cond:<8} {n - h:>4} of {n:<4} missed ({100.0 * (n - h) / n:.1f}%)")
        worst = sorted(pos_voice.items(), key=lambda kv: kv[1][0] / kv[1][1])
        lines.append("  by voice: " + ", ".join(
            f"{v} {100.0 * (n - h) / n:.0f}%" for v, (h, n) in worst))
        if untimed:
            lines.append("  (some wake events carry no time: matched to clips in order)")
    neg_hours, neg_events, per_file = 0.0, 0, []
    did = defaultdict(int)      # what the device did in the negatives (<name>.events.jsonl)
    did_known = True
    near_misses = read_near_misses()
    split = {"near": [0, 0.0, 0], "other": [0, 0.0, 0]}   # kind -> [events, seconds, sentences]
    split_known = True
    for wav in sorted((set_dir / "negatives").glob("*.wav")):
        if wav.stem not in ran:
            continue
        with wave.open(str(wav)) as w:
            seconds = w.getnframes() / w.getframerate()
        hours = seconds / 3600
        evs = events(run_dir / f"{wav.stem}.jsonl")
        n = len(evs)
        neg_hours += hours
        neg_events += n
        per_file.append(f"{wav.stem}: {n}")
        if not count_deeds(run_dir / f"{wav.stem}.events.jsonl", did):
            did_known = False
        said = read_said(wav.with_suffix(".txt"), seconds)
        if not said or not near_misses:
            split_known = False
            continue
        for start, end, text in said:
            kind = "near" if normalise(text) in near_misses else "other"
            split[kind][1] += end - start
            split[kind][2] += 1
        for t in evs:
            # The sentence being said, or the gap after it: the last that began before.
            before = [s for s in said if t is not None and s[0] <= t]
            kind = "near" if before and normalise(before[-1][2]) in near_misses else "other"
            split[kind][0] += 1
    if neg_hours:
        lines.append(f"false accepts on {neg_hours:.2f} h without the wake word: {neg_events} "
                     f"({neg_events / neg_hours:.2f} per hour)")
        if split_known:
            near, other = split["near"], split["other"]
            lines.append(
                f"  during or just after ordinary speech: {other[0]} in {other[1] / 3600:.2f} h "
                f"({other[0] / max(other[1] / 3600, 1e-9):.2f} per hour)")
            lines.append(
                f"  during or just after the {near[2]} near misses mixed in (\"alexis, book this "
                f"room ...\", \"electra, ...\"): {near[0]} ({100.0 * near[0] / max(near[2], 1):.0f}%"
                " of them)")
        lines.append("  " + ", ".join(per_file))
        if did_known:
            taken = {k: did[k] for k in ACTION_EVENTS if did[k]}
            lines.append(
                f"  what the device did in those {neg_hours:.2f} h: {sum(taken.values())} actions "
                f"taken ({', '.join(f'{k} {n}' for k, n in taken.items()) or 'none'}), "
                f"{did['question']} questions asked, {did['refusal']} polite refusals, "
                f"{did['answer']} other sentences said (answers, and what actions say)")
    elif pos:
        lines.append("false accepts per hour: not measured (run.sh --wake, after generate.sh --long)")
    print(json.dumps({"lines": lines,
                      "positives": {c: {"heard": h, "clips": n} for c, (h, n) in pos.items()},
                      "negatives": {"hours": neg_hours, "wake_events": neg_events}}, indent=1))


if __name__ == "__main__":
    main()
