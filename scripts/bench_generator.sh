#!/usr/bin/env bash
# Time the generator for `make bench` (called by scripts/bench.sh); prints markdown table rows
# (`| what | time |`) on stdout, progress on stderr. A step that fails prints FAILED in its row.
#
#   1. `TrellisCLI generate` (the debug build) on 100 specs: 33 copies of the example app's
#      projects, tasks and comments specs plus one more projects copy, each copy renamed
#      (Project07, Task07 -> Project07, ...) into a temporary folder; then once more with nothing
#      changed.
#   2. With BENCH_BUILD=1 only: the debug build of the Server product after a real spec edit,
#      three times. It builds twice first (untimed, to settle BENCH_BUILD_PATH), then three times
#      sets a new `description` in specs/tasks.yaml (which changes the generated model's doc
#      comment and the OpenAPI document) and times the build; it restores the spec on exit,
#      whatever happens.
#
#   TRELLIS_CLI       the debug-built generator (default .build-bench-cli/debug/TrellisCLI)
#   BENCH_BUILD       1: also time the incremental build (it edits the working tree for a while)
#   BENCH_BUILD_PATH  its scratch path (default .build-bench-debug, never .build)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

CLI="${TRELLIS_CLI:-$ROOT/.build-bench-cli/debug/TrellisCLI}"
BUILD_PATH="${BENCH_BUILD_PATH:-.build-bench-debug}"
SPEC_COUNT=100

die() { echo "bench_generator.sh: error: $*" >&2; exit 1; }
say() { echo "bench_generator.sh: $*" >&2; }

[[ -x "$CLI" ]] || die "$CLI not found; build it: swift build --product TrellisCLI --scratch-path .build-bench-cli"
CLI="$(cd "$(dirname "$CLI")" && pwd -P)/$(basename "$CLI")" # it runs from a temporary folder
[[ "$BUILD_PATH" != .build && "$BUILD_PATH" != ./.build ]] || die "BENCH_BUILD_PATH must not be .build (the development build)"

now_ns() { date +%s%N; }
seconds_since() { awk -v start="$1" -v end="$(now_ns)" 'BEGIN {printf "%.2f s", (end - start) / 1e9}'; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/trellis-bench-generator.XXXXXX")"
SPEC_BACKUP=""
cleanup() {
    if [[ -n "$SPEC_BACKUP" ]]; then
        cp "$SPEC_BACKUP" "$ROOT/specs/tasks.yaml"
        say "restored specs/tasks.yaml"
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM # so that the EXIT trap runs

# --- 1. the generator on 100 specs ------------------------------------------------------------

mkdir -p "$WORK/specs" "$WORK/generated"
count=0
for ((copy = 1; count < SPEC_COUNT; copy++)); do
    suffix="$(printf '%02d' "$copy")"
    for spec in projects tasks comments; do
        ((count < SPEC_COUNT)) || break
        sed -E \
            -e "s/^(resource|swift_name):([[:space:]]+)([A-Za-z]+)/\1:\2\3$suffix/" \
            -e "s/(to:[[:space:]]*)(Project|Task|Comment)\b/\1\2$suffix/g" \
            "specs/$spec.yaml" >"$WORK/specs/${spec}_$suffix.yaml"
        count=$((count + 1))
    done
done

generate() {
    (cd "$WORK" && "$CLI" generate --specs specs --templates "$ROOT/templates" --output generated) >"$WORK/generate.log" 2>&1
}

start="$(now_ns)"
if generate; then
    first="$(seconds_since "$start")"
    files="$(find "$WORK/generated" -type f | wc -l)"
    say "generate, $SPEC_COUNT specs: $first ($files files written)"
    echo "| \`TrellisCLI generate\` (debug build), $SPEC_COUNT specs, empty output folder ($files files written) | $first |"
    start="$(now_ns)"
    if generate; then
        again="$(seconds_since "$start")"
        echo "| the same again, nothing changed | $again |"
    else
        echo "| the same again, nothing changed | FAILED: $(tail -n 3 "$WORK/generate.log" | tr '\n' ' ') |"
    fi
else
    say "generate failed:"
    cat "$WORK/generate.log" >&2
    echo "| \`TrellisCLI generate\` (debug build), $SPEC_COUNT specs | FAILED: $(head -n 3 "$WORK/generate.log" | tr '\n' ' ' | cut -c1-300) |"
fi

# --- 2. the incremental build after one spec edit (BENCH_BUILD=1) ------------------------------

if [[ "${BENCH_BUILD:-0}" != 1 ]]; then
    echo "| debug build of Server after one spec edit | not measured (set BENCH_BUILD=1; it edits specs/tasks.yaml for a while) |"
    exit 0
fi

build() { nice -n 10 swift build --product Server --scratch-path "$BUILD_PATH" >"$WORK/build.log" 2>&1; }

# Twice: a build that re-plans (the first one, or any after Trellis's own sources changed) rebuilds
# the plugin's tool, and SwiftPM then plans once more on the build after it, rebuilding the tool
# twice (~8 s here). That follows a change of the tool, not a spec edit, so the timed builds start
# from the state a developer editing specs is in; a timed build that re-plans anyway is flagged.
say "warming $BUILD_PATH: swift build --product Server, twice (untimed; the first time builds everything)"
for _ in 1 2; do
    build || { tail -n 30 "$WORK/build.log" >&2; die "the warm-up build failed (log above)"; }
done

grep -q '^description: ' specs/tasks.yaml || die "specs/tasks.yaml has no 'description:' line to edit"
SPEC_BACKUP="$WORK/tasks.yaml"
cp specs/tasks.yaml "$SPEC_BACKUP"

# Three edits, each a new description, so each changes the generated model's doc comment and the
# OpenAPI document: "every time" is three times, each reported.
EDITS=3
times=()
for ((edit = 1; edit <= EDITS; edit++)); do
    mark="(edited by make bench, $edit)"
    sed -E "s/^(description: .*[^[:space:]])[[:space:]]*$/\1 $mark/" "$SPEC_BACKUP" >specs/tasks.yaml
    start="$(now_ns)"
    if ! build; then
        tail -n 30 "$WORK/build.log" >&2
        echo "| debug build of Server after a spec edit | FAILED: $(grep -m1 'error:' "$WORK/build.log" | cut -c1-300) |"
        exit 0
    fi
    took="$(seconds_since "$start")"
    grep -rlF --include='Tasks+Model.swift' "$mark" "$BUILD_PATH" >/dev/null 2>&1 \
        || die "edit $edit did not reach the generated model (the build plugin did not run?)"
    planned=""
    grep -q 'Planning build' "$WORK/build.log" && planned=", re-planned"
    say "incremental build after edit $edit: $took$planned"
    times+=("$took$planned")
done
echo "| \`swift build --product Server\` (debug, nice -n 10) after each of $EDITS edits of the description in specs/tasks.yaml (each changes the generated model and OpenAPI document) | $(IFS=';'; echo "${times[*]}" | sed 's/;/, /g') |"
