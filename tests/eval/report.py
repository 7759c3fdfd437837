#!/usr/bin/env python3
"""Tables from `roomvoice batch --json` output over the evaluation set (run.sh calls it).

    report.py SHORT_DIR RESULTS_DIR [--markdown]

SHORT_DIR is target/eval/short (items.tsv says what each clip is); RESULTS_DIR holds
<condition>.jsonl files (one batch run each) and, optionally, wake.json from the
wake-word runs. Columns:
  commands   alexa + command (incl. "alexa", a pause, the command): intent and slots right
  pause      of those, the ones with the pause after the wake word
  answers    meeting IDs, PINs (exact digits), yes/no
  triggered  non-commands (chatter, other requests, mentions, near misses, silence,
             noise) that produced an intent: lower is better
  wake-alone the wake word alone handled (batch's verdict on expected `wake`); "acted"
             is how many of them triggered an intent anyway
  xRT        decode time / audio time (wall clock, from batch: inflated when other
             work shares the machine)
  CPU xRT    the batch processes' CPU time / audio time (per condition; includes
             model loading)
Standard library only.
"""

import json
import sys
from collections import defaultdict
from pathlib import Path


def load_items(short):
    items = {}
    lines = (short / "items.tsv").read_text().splitlines()
    head = lines[0].split("\t")
    for line in lines[1:]:
        row = dict(zip(head, line.split("\t")))
        items[(row["voice"], row["id"])] = row
    return items


def load_results(results, items):
    """(voice, condition, id) -> batch outcome."""
    out = {}
    for path in sorted(results.glob("*.jsonl")):
        cond = path.stem
        for line in path.read_text().splitlines():
            try:
                o = json.loads(line)
            except json.JSONDecodeError:
                continue
            if "file" not in o:
                continue
            parts = Path(o["file"]).parts
            voice, fcond, name = parts[-3], parts[-2], Path(parts[-1]).stem
            if (voice, name) not in items:
                continue
            out[(voice, fcond, name)] = o
    return out


class Tally:
    def __init__(self):
        self.n = defaultdict(int)
        self.ok = defaultdict(int)
        self.audio = 0.0
        self.decode = 0.0

    def add(self, item, o):
        cat = item["category"]
        got = (o.get("intent") or {}).get("intent", "none")
        if o.get("error"):
            got = "error"
        self.audio += o.get("audio_s", 0.0)
        self.decode += o.get("decode_s", 0.0)
        self.n[cat] += 1
        if cat == "non-command":
            self.ok[cat] += got != "none"          # triggered
        elif cat == "wake-alone":
            self.ok[cat] += bool(o.get("ok"))
            self.n["acted"] += 1
            self.ok["acted"] += got not in ("none", "wake")
        else:
            self.ok[cat] += bool(o.get("ok"))
        if item["kind"] == "pause":
            self.n["pause"] += 1
            self.ok["pause"] += bool(o.get("ok"))

    def pct(self, cat):
        if not self.n[cat]:
            return "-"
        return f"{100.0 * self.ok[cat] / self.n[cat]:.0f}% ({self.ok[cat]}/{self.n[cat]})"

    def row(self, name, cpu=None):
        xrt = f"{self.decode / self.audio:.3f}" if self.audio else "-"
        cxrt = f"{cpu / self.audio:.3f}" if cpu and self.audio else "-"
        return [name, self.pct("command"), self.pct("pause"), self.pct("answer"),
                self.pct("non-command"), self.pct("wake-alone"), self.pct("acted"),
                xrt, cxrt, f"{self.audio / 60:.1f}"]


HEAD = ["", "commands", "of which pause", "answers", "non-commands triggered",
        "wake alone handled", "wake alone acted on", "xRT", "CPU xRT", "audio min"]


def table(rows, markdown):
    rows = [HEAD] + rows
    if markdown:
        out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(out)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths))) for r in rows)


# Engines in the order of the set; a voice's engine is its name up to the first "-".
ENGINES = ["espeak", "pico", "dectalk", "mbrola"]
# The set before MBROLA's voices joined it (2026-12-06), for comparisons with older runs.
BEFORE_MBROLA = "all but mbrola"


def engine_of(voice):
    return voice.split("-", 1)[0]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    markdown = "--markdown" in sys.argv
    short, results = Path(args[0]), Path(args[1])
    items = load_items(short)
    res = load_results(results, items)
    if not res:
        print("no batch results found in", results)
        return 1
    voices = list(dict.fromkeys(v for v, _ in items))
    conds = list(dict.fromkeys(c for _, c, _ in sorted(res, key=lambda k: k[1] != "clean")))
    order = ["clean", "noise20", "noise10", "reverb", "slow", "fast", "padded"]
    conds.sort(key=lambda c: order.index(c) if c in order else 99)

    by_cond = defaultdict(Tally)
    by_voice = defaultdict(Tally)
    by_voice_clean = defaultdict(Tally)
    by_engine = defaultdict(Tally)
    clean_same = defaultdict(Tally)      # clean results on the clips of each condition
    total = Tally()
    for (voice, cond, name), o in res.items():
        item = items[(voice, name)]
        by_cond[cond].add(item, o)
        by_voice[voice].add(item, o)
        by_engine[engine_of(voice)].add(item, o)
        if engine_of(voice) != "mbrola":
            by_engine[BEFORE_MBROLA].add(item, o)
        total.add(item, o)
        if cond == "clean":
            by_voice_clean[voice].add(item, o)
        else:
            c = res.get((voice, "clean", name))
            if c:
                clean_same[cond].add(item, c)

    out = []
    out.append("Per condition (all voices):")
    rows = []
    cpu = {}
    for c in conds:
        p = results / f"{c}.cpu"
        if p.exists():
            cpu[c] = float(p.read_text().split()[0])
    for c in conds:
        rows.append(by_cond[c].row(c, cpu.get(c)))
        if c in clean_same:
            r = clean_same[c].row(f"  same clips clean")
            rows.append(r)
    rows.append(total.row("all", sum(cpu.values()) if len(cpu) == len(conds) else None))
    out.append(table(rows, markdown))
    out.append("")
    out.append("Per voice (clean):" if "clean" in conds else "Per voice:")
    src = by_voice_clean if "clean" in conds else by_voice
    out.append(table([src[v].row(v) for v in voices if v in src], markdown))
    if len(conds) > 1:
        out.append("")
        out.append("Per voice (all conditions run):")
        out.append(table([by_voice[v].row(v) for v in voices if v in by_voice], markdown))
    engines = [e for e in ENGINES if e in by_engine]
    if len(engines) > 1:
        out.append("")
        out.append("Per engine (all conditions run):")
        rows = [by_engine[e].row(e) for e in engines]
        if "mbrola" in by_engine and BEFORE_MBROLA in by_engine:
            rows.append(by_engine[BEFORE_MBROLA].row(BEFORE_MBROLA))
        out.append(table(rows, markdown))
    # Per kind of clip, over everything run: what goes wrong where.
    kinds = defaultdict(lambda: [0, 0, defaultdict(int)])
    for (voice, cond, name), o in res.items():
        item = items[(voice, name)]
        got = (o.get("intent") or {}).get("intent", "none")
        k = kinds[item["kind"]]
        k[1] += 1
        if item["category"] == "non-command":
            k[0] += got != "none"
        else:
            k[0] += bool(o.get("ok"))
        if not o.get("ok"):
            k[2][got] += 1
    out.append("")
    out.append("Per kind of clip (all conditions run); for non-commands the share that "
               "triggered, else the share right; then what failed clips gave:")
    names = {"cmd": "alexa + command", "pause": "alexa, pause, command",
             "mid": "meeting ID", "pin": "PIN", "yesno": "yes/no",
             "chat": "chatter (no wake word)", "req": "alexa + other request",
             "pass": "alexa in passing", "near": "near miss", "sil": "silence",
             "noise": "noise", "wake": "wake word alone"}
    rows = []
    for kind, label in names.items():
        if kind not in kinds:
            continue
        ok, n, got = kinds[kind]
        top = ", ".join(f"{g} {c}" for g, c in sorted(got.items(), key=lambda kv: -kv[1])[:4])
        rows.append([label, f"{100.0 * ok / n:.0f}% ({ok}/{n})", top])
    head = ["kind", "right / triggered", "failed clips gave"]
    if markdown:
        out.append("| " + " | ".join(head) + " |")
        out.append("|---|---|---|")
        out += ["| " + " | ".join(r) + " |" for r in rows]
    else:
        w0 = max(len(r[0]) for r in rows + [head])
        w1 = max(len(r[1]) for r in rows + [head])
        out += [f"{r[0]:<{w0}}  {r[1]:>{w1}}  {r[2]}" for r in [head] + rows]
    wake = results / "wake.json"
    if wake.exists():
        w = json.loads(wake.read_text())
        out.append("")
        out.append("Wake word:")
        for line in w.get("lines", []):
            out.append(line)
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
