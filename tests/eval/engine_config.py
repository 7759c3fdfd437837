#!/usr/bin/env python3
"""engine_config.py SOURCE_OR_EMPTY ENGINE ROOT [CALENDAR_DIR] > config.toml (run.sh --engine).

Writes a configuration that is SOURCE (or, without one, the demo room's
device/demo/roomvoice.toml, as the binary embeds it) with `[speech] engine = ENGINE`.
The copy lives elsewhere, so relative file paths in it (models, dictionary, calendar
files, state_dir) are made absolute against SOURCE's folder, and Vosk gets the
default model folder (models/vosk/en-us) explicitly. With CALENDAR_DIR, the ics
calendars (`path`, `user_path`) are copied there and the configuration names the
copies: what the evaluation books and extends then never touches SOURCE's calendars
(run.sh passes its results folder). Standard library only.
"""
import os
import re
import shutil
import sys

src, engine, root = sys.argv[1], sys.argv[2], sys.argv[3]
calendar_dir = sys.argv[4] if len(sys.argv) > 4 else None
CALENDAR_KEYS = ("path", "user_path")
if not src:
    src = os.path.join(root, "device", "demo", "roomvoice.toml")
base = os.path.dirname(os.path.abspath(src))
PATH_KEYS = ("vosk_model", "pocketsphinx_hmm", "pocketsphinx_dict", "path", "user_path",
             "state_dir")
out, section, done = [], None, False
for line in open(src).read().splitlines():
    header = re.match(r"\s*\[([^\]]+)\]", line)
    if header:
        if section == "speech" and not done:
            out.append(f'engine = "{engine}"')
            done = True
        section = header.group(1).strip()
    elif section == "speech" and re.match(r"\s*engine\s*=", line):
        continue
    else:
        m = re.match(r'(\s*(\w+)\s*=\s*")([^"]*)(".*)$', line)
        if m and m.group(2) in PATH_KEYS and m.group(3):
            path = m.group(3) if os.path.isabs(m.group(3)) else os.path.join(base, m.group(3))
            if calendar_dir and section == "calendar.ics" and m.group(2) in CALENDAR_KEYS:
                copy = os.path.join(calendar_dir, os.path.basename(path))
                shutil.copyfile(path, copy)
                path = copy
            line = m.group(1) + path + m.group(4)
    out.append(line)
if section == "speech" and not done:
    out.append(f'engine = "{engine}"')
    done = True
if not done:
    out += ["", "[speech]", f'engine = "{engine}"']
text = "\n".join(out) + "\n"
if engine == "vosk" and not re.search(r"(?m)^\s*vosk_model\s*=", text):
    text = re.sub(r"(?m)^\[speech\]\s*$",
                  '[speech]\nvosk_model = "' + os.path.join(root, "models", "vosk", "en-us") + '"',
                  text, count=1)
sys.stdout.write(text)
