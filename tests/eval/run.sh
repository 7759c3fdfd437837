#!/usr/bin/env bash
# Runs roomvoice on the evaluation set made by tests/eval/generate.sh and prints the
# tables (per condition, per voice), then the wake-word section.
#
#   tests/eval/run.sh [--engine pocketsphinx|vosk] [--config FILE] [--quick] [--full]
#                     [--wake] [--no-wake] [--bin PATH] [--jobs N]
#
#   --quick    the clean condition only (about 4 min on 2 free cores)
#   (default)  every clip clean and a third of them in each other condition
#              (about 11 min on 2 free cores; 31 min measured with other builds running)
#   --full     every clip in every condition (about 30 min on 2 free cores)
#   --wake     also the wake word on the positives of every condition and the long
#              negatives (generate.sh --long), for false accepts per hour (+about 30 min)
#   --no-wake  no wake-word section at all
#
# Results (batch JSON per condition, the report) go to target/eval/results/<engine>-<mode>-<time>/.
# Needs python3 (standard library) and the release binary (cargo build --release).
set -euo pipefail
cd "$(dirname "$0")/../.."
# Without --config: the embedded demo room, even where roomvoice is installed (the wake
# section's `run` would otherwise use /etc/roomvoice and book in its calendar).
export ROOMVOICE_CONFIG_NOSYSTEM=1
ROOT=$PWD
SET=$ROOT/target/eval
BIN=$ROOT/target/release/roomvoice
ENGINE=""
CONFIG=""
MODE=standard
WAKE=auto
JOBS=2
NOW=2026-11-23T10:05:00-08:00

while [ $# -gt 0 ]; do
    case "$1" in
        --engine) ENGINE=$2; shift 2 ;;
        --config) CONFIG=$(realpath "$2"); shift 2 ;;
        --quick) MODE=quick; shift ;;
        --full) MODE=full; shift ;;
        --wake) WAKE=all; shift ;;
        --no-wake) WAKE=none; shift ;;
        --bin) BIN=$(realpath "$2"); shift 2 ;;
        --jobs) JOBS=$2; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

[ -x "$BIN" ] || { echo "run.sh: no $BIN: cargo build --release first" >&2; exit 2; }
[ -f "$SET/short/items.tsv" ] || { echo "run.sh: no set in $SET: run tests/eval/generate.sh first" >&2; exit 2; }

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$SET/results/${ENGINE:-default}-$MODE-$STAMP
mkdir -p "$OUT"

# --engine: the given configuration (or the demo room's) with [speech] engine set.
if [ -n "$ENGINE" ]; then
    python3 "$ROOT/tests/eval/engine_config.py" "$CONFIG" "$ENGINE" "$ROOT" "$OUT" > "$OUT/config.toml"
    CONFIG=$OUT/config.toml
fi
CFG=()
[ -n "$CONFIG" ] && CFG=(--config "$CONFIG")

case $MODE in
    quick) MANIFESTS=("$SET/short/clean.csv") ;;
    standard) MANIFESTS=("$SET"/short/{clean,noise20,noise10,reverb,slow,fast,padded}.csv) ;;
    full) MANIFESTS=("$SET"/short/full/{clean,noise20,noise10,reverb,slow,fast,padded}.csv) ;;
esac

{
    # The binary's commit is not recorded in it: name the last commit that changed the
    # sources, and whether the work tree has changes to them.
    src=$(git -C "$ROOT" log -1 --format=%h -- src Cargo.toml Cargo.lock build.rs 2>/dev/null || echo '?')
    dirty=$(git -C "$ROOT" status --porcelain -- src Cargo.toml Cargo.lock build.rs 2>/dev/null | head -1)
    echo "binary: $BIN, built $(date -u -r "$BIN" +%Y-%m-%dT%H:%MZ); sources at commit $src${dirty:+ with local changes}"
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ), machine: $(nproc)-core $(uname -m), mode: $MODE"
    echo "engine: ${ENGINE:-as configured}${CONFIG:+, config $CONFIG}"
} | tee "$OUT/header.txt"

# The clean manifest is the largest: split it in two so both cores stay busy.
JOBSLIST=$OUT/jobs.txt
: > "$JOBSLIST"
for m in "${MANIFESTS[@]}"; do
    cond=$(basename "$m" .csv)
    if [ "$cond" = clean ] && [ "$JOBS" -gt 1 ]; then
        dir=$(dirname "$m")
        grep -v '^#' "$m" | awk 'NR % 2 == 1' | sed "s#^#$dir/#" > "$OUT/clean.a.csv"
        grep -v '^#' "$m" | awk 'NR % 2 == 0' | sed "s#^#$dir/#" > "$OUT/clean.b.csv"
        echo "$OUT/clean.a.csv clean.a" >> "$JOBSLIST"
        echo "$OUT/clean.b.csv clean.b" >> "$JOBSLIST"
    else
        echo "$m $cond" >> "$JOBSLIST"
    fi
done
echo "decoding $(grep -hv '^#' "${MANIFESTS[@]}" | wc -l) clips with $JOBS jobs -> $OUT" >&2
export BIN OUT EVAL=$ROOT/tests/eval
export CFGS="${CFG[*]:-}"
started=$(date +%s)
# shellcheck disable=SC2016
xargs -P "$JOBS" -L 1 sh -c '
    python3 "$EVAL/cputime.py" "$OUT/$1.cpu" "$BIN" batch "$0" --json $CFGS > "$OUT/$1.jsonl" 2> "$OUT/$1.err"
    rc=$?; [ $rc -le 1 ] || { echo "batch failed on $0 (exit $rc), see $OUT/$1.err" >&2; exit 255; }
    echo "  $1 done" >&2' < "$JOBSLIST"
if [ -f "$OUT/clean.a.jsonl" ]; then
    cat "$OUT/clean.a.jsonl" "$OUT/clean.b.jsonl" > "$OUT/clean.jsonl"
    awk '{s += $1} END {printf "%.3f\n", s}' "$OUT/clean.a.cpu" "$OUT/clean.b.cpu" > "$OUT/clean.cpu"
    rm -f "$OUT"/clean.[ab].jsonl "$OUT"/clean.[ab].csv "$OUT"/clean.[ab].cpu
fi
echo "decoded in $(( $(date +%s) - started )) s" | tee -a "$OUT/header.txt" >&2

# Wake word: counted from {"event":"wake",...} lines of `roomvoice run --audio F --json`.
if [ "$WAKE" != none ]; then
    probe=$(ls "$SET"/wake/positives/*-clean.wav 2>/dev/null | head -1 || true)
    if [ -z "$probe" ]; then
        echo '{"lines": ["no wake-word positives in the set (generate.sh makes them)"]}' > "$OUT/wake.json"
    elif ! "$BIN" run --audio "$probe" --json --now "$NOW" "${CFG[@]}" > "$OUT/wake-probe.jsonl" 2> "$OUT/wake-probe.err"; then
        # A failing run (a configuration error, say) is not "no wake events".
        echo "run.sh: roomvoice run failed on $(basename "$probe"): $(tail -n 1 "$OUT/wake-probe.err")" >&2
        echo '{"lines": ["skipped: roomvoice run failed on the probe '"$(basename "$probe")"' (see wake-probe.err)"]}' > "$OUT/wake.json"
    elif ! grep -q '"event":"wake"' "$OUT/wake-probe.jsonl"; then
        echo '{"lines": ["skipped: this binary emits no {\"event\":\"wake\"} events yet (probe: '"$(basename "$probe")"')"]}' > "$OUT/wake.json"
    else
        mkdir -p "$OUT/wake"
        if [ "$WAKE" = all ]; then
            ls "$SET"/wake/positives/*.wav > "$OUT/wake/files.txt"
            ls "$SET"/wake/negatives/*.wav >> "$OUT/wake/files.txt" 2>/dev/null || true
        else
            ls "$SET"/wake/positives/*-clean.wav > "$OUT/wake/files.txt"
        fi
        echo "wake word: $(wc -l < "$OUT/wake/files.txt") files" >&2
        export NOW
        # Every event is kept (<name>.events.jsonl: what the device said and did in the
        # long negatives), the wake events apart (<name>.jsonl).
        xargs -P "$JOBS" -L 1 sh -c '
            name=$(basename "$0" .wav)
            "$BIN" run --audio "$0" --json --now "$NOW" $CFGS 2>/dev/null > "$OUT/wake/$name.events.jsonl" || true
            grep "\"event\":\"wake\"" "$OUT/wake/$name.events.jsonl" > "$OUT/wake/$name.jsonl" || true' \
            < "$OUT/wake/files.txt"
        python3 "$ROOT/tests/eval/wake_count.py" "$SET/wake" "$OUT/wake" > "$OUT/wake.json"
    fi
fi

python3 "$ROOT/tests/eval/report.py" "$SET/short" "$OUT" | tee "$OUT/report.txt"
python3 "$ROOT/tests/eval/report.py" "$SET/short" "$OUT" --markdown > "$OUT/report.md"
echo "results: $OUT" >&2
