#!/usr/bin/env bash
# Fetches MBROLA (the diphone synthesiser, Debian contrib) and six of its voices (Debian
# non-free) into target/eval/cache/mbrola, without installing anything: the .deb files
# come straight from Debian's pool (pinned versions, checked by SHA-256) and are only
# unpacked. espeak-ng speaks through them when ESPEAK_DATA_PATH points at
# cache/mbrola/data (espeak-ng's own data, linked, plus the voices under mbrola/) and
# cache/mbrola/root/usr/bin is on PATH; gen.py sets both.
#
# MBROLA voices are diphones cut from recordings of real speakers, so they bring a
# fourth engine to the set that is neither formant synthesis (espeak-ng, DECtalk) nor
# Pico. Their licence allows use with the MBROLA program, not redistribution with the
# project: they stay in target/ and are never committed.
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=target/eval/cache/mbrola
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

# name, pool path, SHA-256 (Debian 12 "bookworm")
PACKAGES=(
    "mbrola pool/contrib/m/mbrola/mbrola_3.3+dfsg-9_amd64.deb d94ea5bbb8b201935e8a40d758f1a224030d13a1ba669cc75293823933554c7f"
    "us1 pool/non-free/m/mbrola-us1/mbrola-us1_0.3+repack2-5_all.deb b3284caecfc47023bca46550c5f7cde2f4e8cb4ac3b60840ff8784914c7c85fd"
    "us2 pool/non-free/m/mbrola-us2/mbrola-us2_0.1+repack2-5_all.deb ea95d89157e420b119f078853ddf27383b4cb4c607581c64b0f9079d5ee3f5dc"
    "us3 pool/non-free/m/mbrola-us3/mbrola-us3_0.1+repack2-4_all.deb f8a4e75acc914a58fb7c85ffc3bbea48f0dc2c13704fadd054101020e973c1c2"
    "en1 pool/non-free/m/mbrola-en1/mbrola-en1_19980910+repack2-5_all.deb 1a94a61d15f1e6748563d2f15d12614b71df7c7e25370f433320e011fd1f5f63"
    "de1 pool/non-free/m/mbrola-de1/mbrola-de1_2.050+repack2-4_all.deb f56dea7c863d6e085b075babc1b899e30247c1aba51d03c71cb01fa2a48f3425"
    "fr1 pool/non-free/m/mbrola-fr1/mbrola-fr1_2.050+repack2-4_all.deb 3b3fc10f27c2b202b188492f17d1929a2a3dc9ddecbcb08120610bc68e352202"
)

if [ "$(uname -m)" != x86_64 ]; then
    echo "mbrola.sh: the pinned mbrola program is Debian's amd64 build; this machine is $(uname -m)" >&2
    exit 2
fi

mkdir -p "$DIR/debs" "$DIR/root"
for entry in "${PACKAGES[@]}"; do
    read -r name path sum <<<"$entry"
    deb=$DIR/debs/$(basename "$path")
    if [ ! -s "$deb" ] || ! echo "$sum  $deb" | sha256sum -c --status; then
        echo "fetching $MIRROR/$path" >&2
        curl -fsS --retry 3 -o "$deb.part" "$MIRROR/$path" || {
            echo "mbrola.sh: cannot fetch $MIRROR/$path (Debian's contrib and non-free pool); set DEBIAN_MIRROR to a mirror that has it" >&2
            exit 2
        }
        echo "$sum  $deb.part" | sha256sum -c --status || {
            echo "mbrola.sh: $path does not have the pinned SHA-256 $sum" >&2
            exit 2
        }
        mv "$deb.part" "$deb"
    fi
    dpkg-deb -x "$deb" "$DIR/root"
done

# espeak-ng looks for MBROLA voices under <its data>/mbrola/<voice>: a data folder of
# links to the system's, plus the voices.
system_data=$(espeak-ng --version | sed -n 's/.*Data at: *//p')
[ -d "$system_data" ] || { echo "mbrola.sh: espeak-ng's data folder not found ($system_data)" >&2; exit 2; }
rm -rf "$DIR/data"
mkdir -p "$DIR/data/espeak-ng-data/mbrola"
for entry in "$system_data"/*; do
    ln -s "$entry" "$DIR/data/espeak-ng-data/"
done
for entry in "${PACKAGES[@]:1}"; do
    read -r name _ _ <<<"$entry"
    ln -s "$(realpath "$DIR/root/usr/share/mbrola/$name/$name")" "$DIR/data/espeak-ng-data/mbrola/$name"
done
