#!/usr/bin/env bash
# Cross-builds roomvoice for a Raspberry Pi (Raspberry Pi OS 64-bit,
# aarch64-unknown-linux-gnu) on a Debian x86_64 machine, and runs the test suite's
# non-audio parts under qemu-user.
#
#   device/cross-build.sh           install what is needed, build the release binary
#   device/cross-build.sh --test    ... then run the non-audio tests under qemu-aarch64
#   device/cross-build.sh --env     print the environment the build uses (for `eval`)
#
# Output: target/aarch64-unknown-linux-gnu/release/roomvoice, plus the two libraries it
# loads, vendor/vosk/aarch64/libvosk.so and vendor/tflite/aarch64/libtensorflowlite_c.so
# (copy all three to the Pi, or run device/setup.sh --install there).
#
# What it installs (once; safe to run again): Debian's cross compiler
# (gcc-aarch64-linux-gnu), qemu-user, the arm64 PocketSphinx / ALSA libraries and their
# -dev files from Debian multiarch (dpkg --add-architecture arm64), the rustup target,
# and the aarch64 libvosk / TensorFlow Lite wheels from PyPI (device/speech-libs.sh, as
# device/setup.sh does for this machine).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

TARGET=aarch64-unknown-linux-gnu
ARCH=aarch64        # `uname -m` on the Pi: the vendor/<lib>/<arch> folder name
DEB_ARCH=arm64
TRIPLET=aarch64-linux-gnu

# --binfmt-namespace CMD...: (internal) runs CMD in a user + mount namespace with its own
# binfmt_misc, where qemu-aarch64 is registered for aarch64 ELF files: test programs
# can then start the aarch64 roomvoice binary as if it were native. The registration
# lives and dies with the namespace; the machine's own binfmt_misc is not touched.
if [ "${1:-}" = --binfmt-namespace ]; then
  shift
  if [ "${ROOMVOICE_IN_BINFMT_NS:-}" != 1 ]; then
    ROOMVOICE_IN_BINFMT_NS=1 exec unshare --user --map-root-user --mount --propagation private \
      "$ROOT/device/cross-build.sh" --binfmt-namespace "$@"
  fi
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
  mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
  printf '%s' ":qemu-$ARCH:M::$magic:$mask:$(command -v "qemu-$ARCH"):" \
    > /proc/sys/fs/binfmt_misc/register
  exec "$@"
fi

run_tests=0
for arg in "$@"; do
  case "$arg" in
    --test) run_tests=1 ;;
    --env) print_env=1 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "cross-build: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf '\n== %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# The build environment. Target-specific names (the `_aarch64_unknown_linux_gnu`
# suffix) leave the host's own build scripts alone: pkg-config looks in the arm64
# multiarch folder only for the target, cc and the linker are the cross ones.
cross_env() {
  local t=${TARGET//-/_}
  cat <<EOF
export CARGO_TARGET_${t^^}_LINKER=$TRIPLET-gcc
export CARGO_TARGET_${t^^}_RUNNER=qemu-$ARCH
export CC_$t=$TRIPLET-gcc
export AR_$t=$TRIPLET-ar
export PKG_CONFIG_ALLOW_CROSS_$t=1
export PKG_CONFIG_LIBDIR_$t=/usr/lib/$TRIPLET/pkgconfig:/usr/share/pkgconfig
EOF
}
if [ "${print_env:-0}" = 1 ]; then cross_env; exit 0; fi

if ! command -v dpkg >/dev/null 2>&1 || [ "$(dpkg --print-architecture)" != amd64 ]; then
  echo "cross-build: this script runs on Debian (or Ubuntu) x86_64; on the Pi itself use device/setup.sh" >&2
  exit 1
fi

# --- system packages --------------------------------------------------------------
if ! dpkg --print-foreign-architectures | grep -qx "$DEB_ARCH"; then
  say "enabling Debian multiarch for $DEB_ARCH (dpkg --add-architecture $DEB_ARCH)"
  as_root dpkg --add-architecture "$DEB_ARCH"
  as_root apt-get update -qq
fi
APT_PACKAGES=(
  pkg-config python3 python3-pip           # pkg-config; fetching the wheels
  gcc-$TRIPLET libc6-dev-$DEB_ARCH-cross   # cross compiler, linker, libc
  qemu-user                                 # qemu-aarch64: runs the binary and tests here
  "libpocketsphinx-dev:$DEB_ARCH" "libsphinxbase-dev:$DEB_ARCH"   # PocketSphinx engine
  "libasound2-dev:$DEB_ARCH"                # ALSA (cpal)
  "libatomic1:$DEB_ARCH"                    # libvosk needs it
  "libc6:$DEB_ARCH" "libstdc++6:$DEB_ARCH"  # the arm64 loader and libraries qemu runs with
  pocketsphinx-en-us                        # the English model (tests read it; any arch)
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

if ! command -v cargo >/dev/null 2>&1 || ! command -v rustup >/dev/null 2>&1; then
  echo "cross-build: cargo and rustup not found. Install Rust 1.89 or newer with rustup (https://rustup.rs) and run this again." >&2
  exit 1
fi
if ! rustup target list --installed | grep -qx "$TARGET"; then
  say "adding the Rust target $TARGET"
  rustup target add "$TARGET"
fi

# --- speech libraries for the Pi (PyPI wheels) -------------------------------------
# shellcheck source=device/speech-libs.sh
. "$ROOT/device/speech-libs.sh"
fetch_speech_libs "$ROOT" "$ARCH"

# --- build ----------------------------------------------------------------------------
eval "$(cross_env)"
say "building roomvoice for $TARGET (release)"
start=$(date +%s)
cargo build --release --locked --target "$TARGET"
bin="$ROOT/target/$TARGET/release/roomvoice"
say "built $bin in $(( $(date +%s) - start )) s"
file "$bin" 2>/dev/null || true

# The binary runs here under qemu with Debian's arm64 multiarch loader and libraries
# (/lib/ld-linux-aarch64.so.1, /usr/lib/aarch64-linux-gnu). Not `-L /usr/aarch64-linux-gnu`:
# that loader (libc6-arm64-cross) is older than the multiarch libc it then loads, and
# the mix hangs in the first pthread_create (measured with qemu 7.2, Debian 12).
qemu="qemu-$ARCH"
say "under qemu: roomvoice --help"
$qemu "$bin" --help

if [ "$run_tests" = 1 ]; then
  # The non-audio test suites: assistant, text commands, calendars (ICS, EWS and
  # Graph against local test servers), invitation reading, config checks, the phrase
  # set, and the library's and binary's unit tests. Left out: the suites that decode
  # speech or use the sound system (audio_files, batch_cli, speech_*, listen_alsa:
  # recordings through PocketSphinx / Vosk / the TensorFlow Lite detector, many times
  # slower under emulation, and the ALSA pipe device) and sip_loopback (live RTP audio
  # with baresip and SIPp). Those run natively on the Pi (cargo test).
  DIRECT_TESTS=(
    assistant_confidence assistant_timers dialin_cli dialin_fixtures dialin_reader
    ews graph ics_demo ics_read ics_timezone ics_write
  )
  # These start the roomvoice binary themselves (std::process::Command on its path),
  # which the kernel runs only with qemu registered in binfmt_misc (see below).
  EXEC_TESTS=(check cli_ask cli_grammar ews_ask ics_processes)
  # Unit tests that decode audio or load a speech model (PocketSphinx) are skipped;
  # the pure DSP ones (the wake-word frontend's FFT, filterbank, ...) run.
  SKIP=(--skip speech::pocketsphinx)

  binfmt=""
  if [ -e "/proc/sys/fs/binfmt_misc/qemu-$ARCH" ]; then
    binfmt=host        # e.g. Debian qemu-user-static + binfmt-support on a desktop
  elif unshare --user --map-root-user --mount true 2>/dev/null &&
       "$ROOT/device/cross-build.sh" --binfmt-namespace true 2>/dev/null; then
    binfmt=namespace   # Linux 6.7+: a binfmt_misc of our own in a user namespace
  fi
  tests=("${DIRECT_TESTS[@]}")
  if [ -n "$binfmt" ]; then
    tests+=("${EXEC_TESTS[@]}")
  else
    say "qemu cannot be registered in binfmt_misc here (needs Linux 6.7+ user namespaces," \
        "or qemu-user-static + binfmt-support): skipping ${EXEC_TESTS[*]}," \
        "which run the aarch64 binary themselves"
  fi
  args=(--lib --bins)
  for t in "${tests[@]}"; do args+=(--test "$t"); done

  say "building the non-audio tests for $TARGET"
  start=$(date +%s)
  cargo test --locked --target "$TARGET" "${args[@]}" --no-run
  say "built the tests in $(( $(date +%s) - start )) s; running them under qemu-$ARCH" \
      "(binfmt: ${binfmt:-none})"
  start=$(date +%s)
  if [ "$binfmt" = namespace ]; then
    "$ROOT/device/cross-build.sh" --binfmt-namespace cargo test --locked --target "$TARGET" "${args[@]}" -- "${SKIP[@]}"
  else
    cargo test --locked --target "$TARGET" "${args[@]}" -- "${SKIP[@]}"
  fi
  say "non-audio tests passed under qemu in $(( $(date +%s) - start )) s"
fi
