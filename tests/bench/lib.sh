# tests/bench/lib.sh: sourced by the benchmark scripts. RUNS (default 21)
# runs of a command, the median, and ratios.

# median_ms CMD...: run CMD RUNS times (after one warm-up), print the median
# in ms, or `failed` if a run did not exit 0 (a fast failure is no time).
median_ms() {
	local i t0 t1 times=()
	for ((i = 0; i <= ${RUNS:-21}; i++)); do
		t0=$EPOCHREALTIME
		"$@" >/dev/null 2>&1 || { echo failed; return 1; }
		t1=$EPOCHREALTIME
		((i == 0)) || times+=("$t0 $t1")
	done
	printf '%s\n' "${times[@]}" | awk '{ print ($2 - $1) * 1000 }' | sort -n |
		awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio A B: A / B as "1.23x", "-" when either is not a number or B is 0.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2fx", a / b; else print "-" }'
}
