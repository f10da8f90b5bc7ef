# tests/bench/lib.sh: sourced by the benchmark scripts. RUNS (default 21)
# runs of a command, the median, and ratios.

# median_ms CMD...: run CMD RUNS times (after one warm-up), print the median in ms.
median_ms() {
	local i t0 t1
	"$@" >/dev/null 2>&1
	for ((i = 0; i < ${RUNS:-21}; i++)); do
		t0=$EPOCHREALTIME
		"$@" >/dev/null 2>&1
		t1=$EPOCHREALTIME
		echo "$t0 $t1"
	done | awk '{ print ($2 - $1) * 1000 }' | sort -n |
		awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio A B: A / B as "1.23x", "-" when B is 0.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'
}
