# Speech libraries that Debian does not package, unpacked from PyPI wheels (downloaded,
# not pip-installed) into vendor/<lib>/<arch>/, where build.rs links them with an rpath:
#
#   vendor/vosk/<arch>/libvosk.so                  the PyPI `vosk` wheel
#   vendor/tflite/<arch>/libtensorflowlite_c.so    the PyPI `pymicro-wakeword` wheel
#   models/wakeword/                               its trained "alexa" model (any arch)
#
# Sourced by device/setup.sh (for this machine: `uname -m`) and device/cross-build.sh
# (for the target: aarch64). Needs python3 with pip; defines functions only.
#   fetch_speech_libs ROOT ARCH    ARCH as `uname -m` says it: x86_64, aarch64, armv7l

ROOMVOICE_VOSK_VERSION=0.3.45
ROOMVOICE_WAKEWORD_VERSION=2.5.0

# pip_download DIR ARGS...: a wheel from PyPI, without installing it
pip_download() {
  local dir=$1; shift
  python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$dir" "$@"
}

# unpack_wheel WHEEL DEST: wheels are zip files
unpack_wheel() {
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$1" "$2"
}

speech_libs_say() { printf '\n== %s\n' "$*"; }

# fetch_speech_libs ROOT ARCH: libvosk, libtensorflowlite_c and the wake-word models.
# Skips what is already there; an architecture without a wheel is reported, not fatal.
fetch_speech_libs() {
  local root=$1 arch=$2 tmp
  local vosk_platform wakeword_platform
  case "$arch" in
    x86_64)  vosk_platform=manylinux_2_12_x86_64 ;;
    aarch64) vosk_platform=manylinux2014_aarch64 ;;
    armv7l)  vosk_platform=linux_armv7l ;;
    *) vosk_platform="" ;;
  esac
  local vosk_dir="$root/vendor/vosk/$arch"
  if [ -f "$vosk_dir/libvosk.so" ]; then
    :
  elif [ -z "$vosk_platform" ]; then
    speech_libs_say "libvosk: no vosk wheel for $arch; the Vosk engine stays unavailable (PocketSphinx works)"
  else
    speech_libs_say "speech: fetching libvosk $ROOMVOICE_VOSK_VERSION ($arch) from the PyPI vosk wheel"
    tmp=$(mktemp -d)
    pip_download "$tmp" --only-binary=:all: --platform "$vosk_platform" "vosk==$ROOMVOICE_VOSK_VERSION"
    unpack_wheel "$tmp"/vosk-*.whl "$tmp/unpacked"
    mkdir -p "$vosk_dir"
    cp "$tmp/unpacked/vosk/libvosk.so" "$vosk_dir/libvosk.so"
    rm -rf "$tmp"
  fi

  # The trained wake-word detector: microWakeWord's "alexa" model and the TensorFlow
  # Lite C library, both from the PyPI `pymicro-wakeword` wheel (Apache-2.0).
  case "$arch" in
    x86_64)  wakeword_platform=manylinux_2_35_x86_64 ;;
    aarch64) wakeword_platform=manylinux_2_35_aarch64 ;;
    *) wakeword_platform="" ;;
  esac
  local tflite_dir="$root/vendor/tflite/$arch"
  local wv=$ROOMVOICE_WAKEWORD_VERSION
  if [ -f "$tflite_dir/libtensorflowlite_c.so" ] && [ -f "$root/models/wakeword/alexa.tflite" ]; then
    :
  elif [ -z "$wakeword_platform" ]; then
    speech_libs_say "wake word: no pymicro-wakeword wheel for $arch; the PocketSphinx keyword spotter hears the wake word instead"
  else
    speech_libs_say "speech: fetching the wake-word detector (PyPI pymicro-wakeword $wv, $arch)"
    tmp=$(mktemp -d)
    pip_download "$tmp" --only-binary=:all: --platform "$wakeword_platform" "pymicro-wakeword==$wv"
    unpack_wheel "$tmp"/pymicro_wakeword-*.whl "$tmp/unpacked"
    mkdir -p "$tflite_dir" "$root/models/wakeword"
    cp "$tmp/unpacked/pymicro_wakeword/lib/libtensorflowlite_c.so" "$tflite_dir/"
    cp "$tmp/unpacked/pymicro_wakeword/models/"*.tflite "$tmp/unpacked/pymicro_wakeword/models/"*.json "$root/models/wakeword/"
    cp "$tmp/unpacked/pymicro_wakeword-$wv.dist-info/licenses/LICENSE" "$root/models/wakeword/LICENSE"
    rm -rf "$tmp"
  fi
}
