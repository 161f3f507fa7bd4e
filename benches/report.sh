#!/usr/bin/env bash
# Times `jamfor report` on a round (default: the embedded data/round.toml), release build.
#
#     bash benches/report.sh [ROUND.toml] [RUNS]
#
# Runs the report RUNS times (default 5) into a scratch folder and prints each run's wall time
# and peak RSS, then the best and the median, and the stage split of the last run
# (JAMFOR_TIMINGS=1: elapsed time at the end of each stage). The issue's goal is <= 3 s wall.
set -euo pipefail
cd "$(dirname "$0")/.."
round=${1:-data/round.toml}
runs=${2:-5}
cargo build --release --quiet
bin=target/release/jamfor
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
walls=()
for i in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$out/time" env JAMFOR_TIMINGS=1 "$bin" report "$round" --quiet --out "$out/report" \
        >/dev/null 2>"$out/stderr"
    read -r wall rss <"$out/time"
    walls+=("$wall")
    printf 'run %d: %s s wall, peak RSS %d MB\n' "$i" "$wall" "$((rss / 1024))"
done
sorted=$(printf '%s\n' "${walls[@]}" | sort -g)
printf 'best %s s, median %s s of %d runs (%s, %d cores)\n' "$(head -1 <<<"$sorted")" \
    "$(sed -n "$(((runs + 1) / 2))p" <<<"$sorted")" "$runs" "$round" "$(nproc)"
echo "stages of the last run (time since start):"
grep '^timing:' "$out/stderr" | sed 's/^timing: /  /'
