#!/usr/bin/env python3
"""Checks the sentence lists against the device's own text parser and phrase set.

    python3 tests/eval/check_sentences.py [target/release/roomvoice]

- every command (with "alexa, " in front) must parse, through `roomvoice ask --json`,
  to the intent and slots written in commands.txt, and use only words of
  `roomvoice grammar --format words`;
- every digit answer's words must spell the digits of its `digits=` slot ("oh" is 0,
  "double five" is 55) and be in the phrase set; yes/no answers must be in it too;
- every non-command (chatter, other requests, mentions, near misses) and the wake word
  alone must parse to `none`: the text parser itself must not act on them.
Exit status 1 when a line fails. Uses the Python standard library only.
"""

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
S = HERE / "sentences"
BIN = sys.argv[1] if len(sys.argv) > 1 else str(HERE.parent.parent / "target/release/roomvoice")
NOW = "2026-11-23T10:05:00-08:00"
DIGITS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3",
          "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}


def rows(name):
    for line in (S / name).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield [p.strip() for p in line.split("|")]


def ask(text):
    out = subprocess.run([BIN, "ask", text, "--json", "--now", NOW],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        ev = json.loads(line)
        if ev.get("event") == "intent":
            return ev
    return {"intent": "none"}


def words_of(text):
    return [w.strip(",.?!") for w in text.replace("/", " ").split()]


def main():
    vocab = set(subprocess.run([BIN, "grammar", "--format", "words"], capture_output=True,
                               text=True, check=True).stdout.split())
    failures = 0
    checked = 0

    def fail(msg):
        nonlocal failures
        failures += 1
        print("FAIL", msg)

    for intent, slots, text in rows("commands.txt"):
        checked += 1
        missing = [w for w in words_of(text) if w not in vocab]
        if missing:
            fail(f"commands.txt: {text!r}: not in the phrase set: {missing}")
        ev = ask(f"alexa, {text}")
        if ev["intent"] != intent:
            fail(f"commands.txt: {text!r} parses to {ev['intent']}, not {intent}")
            continue
        for pair in filter(None, slots.split(";")):
            k, v = pair.split("=", 1)
            if str(ev.get(k)) != v:
                fail(f"commands.txt: {text!r}: {k}={ev.get(k)!r}, not {v}")

    for intent, slots, text in rows("answers.txt"):
        checked += 1
        missing = [w for w in words_of(text) if w not in vocab]
        if missing:
            fail(f"answers.txt: {text!r}: not in the phrase set: {missing}")
        if intent in ("meeting_id", "pin"):
            got, ws = "", words_of(text)
            i = 0
            while i < len(ws):
                if ws[i] in ("double", "triple") and i + 1 < len(ws) and ws[i + 1] in DIGITS:
                    got += DIGITS[ws[i + 1]] * (2 if ws[i] == "double" else 3)
                    i += 2
                    continue
                if ws[i] in DIGITS:
                    got += DIGITS[ws[i]]
                i += 1
            want = slots.split("=", 1)[1]
            if got != want:
                fail(f"answers.txt: {text!r} spells {got}, not {want}")

    for name in ("chatter.txt", "passing.txt", "near_misses.txt"):
        for (text,) in rows(name):
            checked += 1
            ev = ask(text)
            if ev["intent"] != "none":
                fail(f"{name}: {text!r} parses to {ev['intent']}")
    for (text,) in rows("other_requests.txt"):
        checked += 1
        ev = ask(f"alexa, {text}")
        if ev["intent"] != "none":
            fail(f"other_requests.txt: {text!r} parses to {ev['intent']}")
    for (text,) in rows("wake_alone.txt"):
        checked += 1
        ev = ask(text)
        if ev["intent"] != "none":
            fail(f"wake_alone.txt: {text!r} parses to {ev['intent']}")

    print(f"{checked - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
