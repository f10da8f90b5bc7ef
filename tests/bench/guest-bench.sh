#!/bin/bash
# The benchmark, run as root on a cgroup-v2 machine: in the test VM by
# `make bench`, or natively by `make bench-native`. Measurements, not
# assertions: nothing here fails on a slow result; the targets are printed
# beside the numbers.
#
# Method. Every row runs with the guest's address randomisation off
# (kernel.randomize_va_space=0): under an emulator (the test VM is qemu TCG)
# code at a new address is translated afresh on each exec, which would bill
# every PIE and dynamically linked program for the emulator's work. Every
# measured command runs on one CPU: under TCG a wake-up sent to another
# virtual CPU waits until the host schedules that CPU's thread, milliseconds
# on a busy host, where hardware takes microseconds. In the VM the other CPUs
# are taken offline for the measured rows (ONE_CPU=offline): pinning with
# taskset does not hold there, because once any runtime enables the cpuset
# controller the kernel resets the affinity of every process placed in a
# cgroup below it, so the runtimes' payloads ran on both CPUs while env and
# bwrap stayed pinned. Natively (ONE_CPU=pin) each command is pinned to CPU
# $PIN with taskset, and offlining the machine's CPUs is left alone. Rows
# are measured in interleaved rounds (each round runs every row RUNS times
# with tests/helpers/benchtime), and a row's time is its best run of all
# ROUNDS x RUNS: load from elsewhere on the machine only ever adds time, and
# the rounds spread it over every row alike. The best still moves by a few
# per cent between two rows of the same command in one boot (measured: up to
# 6% over 150 runs each, whether the rows share a binary or not), so env true
# and run are measured twice, the second time last in each round, and the
# ratio of each to itself is printed as the resolution of the others.
# Every program is started by its absolute path, and the payload (`true`)
# is looked up along Debian's default PATH by each contender alike: the VM's
# own PATH starts with the build tree, and its misses would cost env (an
# execve each) more than ringfence (a faccessat each). Each row's system
# calls are counted with `strace -f -c` over the whole process tree (the
# payload's included), which does not depend on the machine. The same rows with randomisation on follow, labelled as the
# emulator artifact they are.
#
# Adding a row: `row KEY "label" CMD...` below (KEY names it in ratios and
# targets; CMD is run as given, so it must be repeatable: a container id
# reused after `run` deleted it is). A comparison with a target:
# `target "text" KEY_A KEY_B MAX` prints A/B beside MAX.
set -u
RUNS=${RUNS:-5}
ROUNDS=${ROUNDS:-7}
PIN=${PIN:-0}
if [[ -n ${RF_IN_VM:-} ]]; then ONE_CPU=${ONE_CPU:-offline}; else ONE_CPU=${ONE_CPU:-pin}; fi
LIMITS=(--memory 64M --pids 64)

# runc, the peer of the container rows, comes with the engines package set
# (make bench attaches it); elsewhere it is whatever is installed.
[[ -n ${RF_IN_VM:-} ]] && command -v rf-packages >/dev/null && rf-packages engines >/dev/null 2>&1

# The programs, by absolute path; then the standard PATH for what they run.
RINGFENCE=$(command -v "${RINGFENCE:-ringfence}") || { echo "bench: no ringfence" >&2; exit 2; }
declare -A T=()
for t in benchtime barerun rusage nop memhog ocicycle env bwrap crun runc strace; do
	T[$t]=$(command -v "$t") || T[$t]=
done
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

work=$(mktemp -d)
aslr_saved=$(cat /proc/sys/kernel/randomize_va_space)
cleanup() {
	[[ -n ${sleepers:-} ]] && stop_sleepers
	all_cpus
	umount -l "$work/bundle/rootfs" 2>/dev/null
	rm -rf "$work"
	echo "$aslr_saved" >/proc/sys/kernel/randomize_va_space
}
trap cleanup EXIT

# ---- rows --------------------------------------------------------------------

declare -a keys=()
declare -A label=() cmd=() best=() calls=()

row() {	# row KEY LABEL CMD...
	local key=$1 text=$2
	shift 2
	keys+=("$key")
	label[$key]=$text
	cmd[$key]=$(printf '%q ' "$@")
}

crun_bundle() {	# a bundle whose rootfs is the guest's own files, running `true`
	mkdir -p "$work/bundle/rootfs" "$work/crun-state"
	(cd "$work/bundle" && "${T[crun]}" spec >/dev/null 2>&1) || return 1
	# pivot_root cannot make the current root the new one: bind it elsewhere.
	mount --rbind / "$work/bundle/rootfs" || return 1
	sed -i -e 's|"sh"|"true"|' -e 's|"terminal": true|"terminal": false|' \
		"$work/bundle/config.json"
}

# A busybox root filesystem as a bundle of its own, `crun spec`'s config
# running `true`: what `ringfence run --bundle` and `crun run` are compared on.
busybox_bundle() {
	local b=$work/bb
	mkdir -p "$b/rootfs/bin" "$work/crun-bb-state" || return 1
	cp /bin/busybox "$b/rootfs/bin/" && "$b/rootfs/bin/busybox" --install "$b/rootfs/bin" || return 1
	(cd "$b" && "${T[crun]}" spec >/dev/null 2>&1) || return 1
	sed -i -e 's|"sh"|"true"|' -e 's|"terminal": true|"terminal": false|' "$b/config.json"
}

row env "env true" "${T[env]}" true
row run "ringfence run --memory 64M --pids 64 -- true" "$RINGFENCE" run -q "${LIMITS[@]}" -- true
# The kernel's part of that run: its system calls in its order (the leaf and
# its limits, born in it, the mount and cgroup namespaces, the read-only
# view, the capability set), made by a program that does nothing else, under
# the parent the run above makes. No run with that containment can be faster.
# The capabilities kept are those a ringfence payload has.
caps=$("$RINGFENCE" run -q -- sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)
[[ -n ${T[barerun]} && -n $caps ]] && row floor "the same system calls alone (barerun)" \
	"${T[barerun]}" -c -n -k "$caps" /sys/fs/cgroup/ringfence -- "$(type -P true)"
# Not quiet: the summary line, so the whole verdict is read (counters, the
# kernel log); with -q and no report only memory.events is.
row run-verdict "ringfence run ... -- true, with the summary line" \
	"$RINGFENCE" run "${LIMITS[@]}" -- true
row run-ns "ringfence run ... --unshare pid,mount,ipc,uts -- true" \
	"$RINGFENCE" run -q "${LIMITS[@]}" --unshare pid,mount,ipc,uts -- true
row run-seccomp "ringfence run ... --seccomp default -- true" \
	"$RINGFENCE" run -q "${LIMITS[@]}" --seccomp default -- true
if [[ -n ${T[bwrap]} ]]; then
	row bwrap "bwrap --bind / / true" "${T[bwrap]}" --bind / / true
	row bwrap-ns "bwrap, pid,mount,ipc,uts namespaces" "${T[bwrap]}" --bind / / --unshare-pid \
		--unshare-ipc --unshare-uts --proc /proc true
fi
if [[ -n ${T[crun]} ]] && crun_bundle; then
	row crun "crun run (bundle over /)" "${T[crun]}" --root "$work/crun-state" run \
		--bundle "$work/bundle" "bench-$$"
	# A container's life as containerd's shim or conmon drives it: create,
	# start, reap, delete (tests/helpers/ocicycle is the subreaper).
	if [[ -n ${T[ocicycle]} ]]; then
		row oci-ringfence "ringfence create+start+wait+delete" \
			"${T[ocicycle]}" "$RINGFENCE" "$work/ringfence-state" "$work/bundle" "cycle-$$"
		row oci-crun "crun create+start+wait+delete" \
			"${T[ocicycle]}" "${T[crun]}" "$work/crun-state" "$work/bundle" "cycle-$$"
		[[ -n ${T[runc]} ]] && row oci-runc "runc create+start+wait+delete" \
			"${T[ocicycle]}" "${T[runc]}" "$work/runc-state" "$work/bundle" "cycle-$$"
	fi
fi
if [[ -n ${T[crun]} ]] && busybox_bundle; then
	row bundle "ringfence run --bundle (busybox rootfs)" "$RINGFENCE" run -q --bundle "$work/bb"
	row crun-bb "crun run (busybox rootfs)" "${T[crun]}" --root "$work/crun-bb-state" run \
		--bundle "$work/bb" "bb-$$"
fi
# Two commands again, as rows of their own, last in every round: how far the
# best of one command moves between two rows of the same boot (the place in
# a round, the emulator's noise), which is the resolution of every ratio here.
row env-again "env true, again (last in each round)" "${T[env]}" true
row run-again "ringfence run ... -- true, again (last in each round)" "$RINGFENCE" run -q "${LIMITS[@]}" -- true

# ---- measuring ----------------------------------------------------------------

# one_cpu: from here on every command runs on CPU $PIN alone; all_cpus undoes it.
one_cpu() {
	local c
	[[ $ONE_CPU == offline ]] || return 0
	for c in /sys/devices/system/cpu/cpu[0-9]*; do
		[[ ${c##*/cpu} == "$PIN" || ! -w $c/online ]] && continue
		echo 0 >"$c/online" || { echo "bench: cannot take ${c##*/} offline" >&2; exit 2; }
	done
}
all_cpus() {
	local c
	[[ $ONE_CPU == offline ]] || return 0
	for c in /sys/devices/system/cpu/cpu[0-9]*; do
		[[ -w $c/online ]] && echo 1 >"$c/online"
	done
}
pinned() { if [[ $ONE_CPU == pin ]]; then taskset -c "$PIN" "$@"; else "$@"; fi; }

min_us() {	# min_us CMD...: the best of RUNS runs in microseconds; none if one failed
	pinned "${T[benchtime]}" -n "$RUNS" "$@" | sed -n 's/.*failed=0 min_us=\([0-9]*\).*/\1/p'
}

# measure_rows PREFIX KEY...: ROUNDS interleaved rounds over the rows KEY...;
# best[PREFIXKEY] in us.
measure_rows() {
	local prefix=$1 r key t
	shift
	for ((r = 0; r < ROUNDS; r++)); do
		for key; do
			t=$(eval "min_us ${cmd[$key]}")
			[[ -n $t ]] || continue
			if [[ -z ${best[$prefix$key]:-} ]] || ((t < best[$prefix$key])); then
				best[$prefix$key]=$t
			fi
		done
	done
}

# measure: every row, after a warm-up run of each; best[KEY] in us.
measure() {
	local key
	best=()
	for key in "${keys[@]}"; do	# warm-up; a row that fails is left out
		eval "${cmd[$key]}" >/dev/null 2>&1 || echo "bench: \`${cmd[$key]}\` fails: row left out" >&2
	done
	measure_rows "" "${keys[@]}"
}

# The system calls of one run, every process of it. strace -c's total line
# is `% time, seconds, usecs/call, calls[, errors] total`: the errors field
# is empty when no call failed, so calls is counted from the left.
count_calls() {
	local key
	for key in "${keys[@]}"; do
		eval "${T[strace]:-strace} -f -c -o $work/strace ${cmd[$key]}" >/dev/null 2>&1 &&
			calls[$key]=$(awk '$NF == "total" { print $4 }' "$work/strace")
	done
}

ms() { awk -v u="${1:-}" 'BEGIN { if (u == "") print "-"; else printf "%.1f", u / 1000 }'; }
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2fx", a / b }'; }

table() {	# the rows measured last, as a Markdown table
	local key
	printf '| %-52s | %8s | %11s | %11s | %8s |\n' "" "ms" "vs env true" "vs bwrap-ns" "syscalls"
	printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..54})" "----------" \
		"-------------" "-------------" "----------"
	for key in "${keys[@]}"; do
		[[ -n ${best[$key]:-} ]] || continue
		printf '| %-52s | %8s | %11s | %11s | %8s |\n' "${label[$key]}" "$(ms "${best[$key]}")" \
			"$(ratio "${best[$key]}" "${best[env]:-}")" \
			"$(ratio "${best[$key]}" "${best[bwrap-ns]:-}")" "${calls[$key]:--}"
	done
}

info() {	# info TEXT A B: A/B, with no target
	awk -v t="$1" -v a="${2:-}" -v b="${3:-}" 'BEGIN {
		if (a == "" || b == "") printf "  %-58s %9s\n", t, "not measured"
		else printf "  %-58s %8.2fx\n", t, a / b
	}'
}

target() {	# target TEXT A B MAX [UNIT]: A/B (or A alone when B is -) against MAX
	local text=$1 a=$2 b=$3 max=$4 unit=${5:-x}
	awk -v t="$text" -v a="$a" -v b="$b" -v m="$max" -v u="$unit" 'BEGIN {
		if (a == "" || b == "") { printf "  %-58s %9s\n", t, "not measured"; exit }
		v = (b == "-") ? a : a / b
		printf "  %-58s %8.2f%s  <= %s%s  %s\n", t, v, u, m, u, (v <= m) ? "ok" : "MISSED"
	}'
}

# ---- the fair table -----------------------------------------------------------

echo "ringfence benchmark: $(uname -r), $(nproc) CPUs; guest ASLR off and every command on"
echo "CPU $PIN ($([[ $ONE_CPU == offline ]] && echo "the others offline" || echo "taskset"));" \
	"best of $ROUNDS interleaved rounds of $RUNS runs; syscalls: strace -f -c"
one_cpu
"$RINGFENCE" --version | sed -n 's/^features: /ringfence: /p'
echo 0 >/proc/sys/kernel/randomize_va_space
measure
count_calls
echo
table
echo
echo "targets:"
target "run / env true" "${best[run]:-}" "${best[env]:-}" 1.15
info "  the same system calls alone / env true (the floor)" "${best[floor]:-}" "${best[env]:-}"
info "  run / the same system calls alone (ringfence's own part)" "${best[run]:-}" \
	"${best[floor]:-}"
target "run --unshare pid,mount,ipc,uts / bwrap, same namespaces" "${best[run-ns]:-}" \
	"${best[bwrap-ns]:-}" 0.80
info "resolution: env true again / env true (the same command)" "${best[env-again]:-}" \
	"${best[env]:-}"
info "  run again / run (the same command)" "${best[run-again]:-}" "${best[run]:-}"
target "syscalls: run -- true / bwrap --bind / / true" "${calls[run]:-}" "${calls[bwrap]:-}" 1.00
target "syscalls: run --unshare ... / bwrap, same namespaces" "${calls[run-ns]:-}" \
	"${calls[bwrap-ns]:-}" 1.00
[[ -n ${best[oci-crun]:-} ]] &&
	target "container life, ringfence / crun" "${best[oci-ringfence]:-}" "${best[oci-crun]}" 0.50
[[ -n ${best[oci-runc]:-} ]] &&
	target "container life, ringfence / runc" "${best[oci-ringfence]:-}" "${best[oci-runc]}" 0.50
[[ -n ${best[crun-bb]:-} ]] &&
	target "a bundle's run, ringfence / crun (busybox rootfs)" "${best[bundle]:-}" \
		"${best[crun-bb]}" 1.00
fair_env=${best[env]:-}

# ---- many sandboxes: the cost per sandbox stays flat --------------------------

# Sleeping sandboxes under the same parent, to show that starting one more
# costs the same with N alive: nothing scans the parent's leaves.
sleepers=
start_sleepers() {	# start_sleepers N, then wait until all N leaves exist
	local i n=$1
	for ((i = 0; i < n; i++)); do
		"$RINGFENCE" run -q -- sleep 100000 &
		sleepers+=" $!"
	done
	for ((i = 0; i < 600; i++)); do
		(($(find /sys/fs/cgroup/ringfence -mindepth 1 -maxdepth 1 -type d | wc -l) >= n)) && return 0
		sleep 0.1
	done
	echo "bench: the $n sleeping sandboxes did not all start" >&2
}
stop_sleepers() {
	# shellcheck disable=SC2086 # a list of pids
	kill -TERM $sleepers 2>/dev/null
	wait 2>/dev/null
	sleepers=
}

echo
echo "many sandboxes (ms per sandbox):"
seq200=$(pinned "${T[benchtime]}" -n 200 "$RINGFENCE" run -q "${LIMITS[@]}" -- true)
all_cpus	# the parallel row runs on every CPU
ncpus=$(nproc)
par200=$("${T[benchtime]}" -n 25 -j 8 "$RINGFENCE" run -q "${LIMITS[@]}" -- true)
one_cpu
field() { sed -n "s/.* $1=\\([0-9]*\\).*/\\1/p" <<<"$2"; }
for r in "sequential:$seq200" "parallel:$par200"; do	# a failed run has no time
	[[ $(field failed "${r#*:}") == 0 ]] ||
		echo "bench: ${r%%:*} runs failed: ${r#*:}" >&2
done
# Beside 100 sleepers: env true, run and the floor in interleaved rounds just
# before the sleepers start and again while they sleep. The guest slows as a
# boot goes on (env true measured 7.5 ms early in one boot, 9.1 ms after the
# sleepers had gone), so the table's run, measured minutes before, is no
# reference: each phase's run is taken against env true of the same phase,
# which makes no cgroup and scans nothing.
beside=(env run)
[[ -n ${cmd[floor]:-} ]] && beside+=(floor)
measure_rows alone- "${beside[@]}"
start_sleepers 100
measure_rows with100- "${beside[@]}"
stop_sleepers
printf '  %-58s %8s\n' "one run (the table's best)" "$(ms "${best[run]:-}")" \
	"200 in a row: best of the first 50" "$(ms "$(field first_us "$seq200")")" \
	"200 in a row: best of the last 50" "$(ms "$(field last_us "$seq200")")" \
	"8 x 25 at once on $ncpus CPUs (wall / 200)" "$(ms "$(field per_run_us "$par200")")" \
	"200 in a row (wall / 200)" "$(ms "$(field per_run_us "$seq200")")" \
	"one run alone, just before the sleepers start" "$(ms "${best[alone-run]:-}")" \
	"one run beside 100 sleeping sandboxes" "$(ms "${best[with100-run]:-}")"
target "200 in a row: last 50 / first 50" "$(field last_us "$seq200")" \
	"$(field first_us "$seq200")" 1.10
# (run beside / env beside) / (run alone / env alone), as one quotient.
per_env() {	# per_env KEY: KEY's beside/alone against env true's
	[[ -n ${best[with100-$1]:-} && -n ${best[alone-$1]:-} && -n ${best[alone-env]:-} &&
		-n ${best[with100-env]:-} ]] || return 0
	echo "$((best[with100-$1] * best[alone-env])) $((best[alone-$1] * best[with100-env]))"
}
read -r a b <<<"$(per_env run)"
target "one run beside 100 sleeping sandboxes / alone, vs env true" "${a:-}" "${b:-}" 1.10
read -r a b <<<"$(per_env floor)"
info "  the same system calls alone (the floor), the same way" "${a:-}" "${b:-}"
info "  env true beside 100 sleeping sandboxes / alone" "${best[with100-env]:-}" \
	"${best[alone-env]:-}"
# The first target again, from the rounds just before the sleepers (minutes
# after the table's, in the same boot): how far a ratio moves within a boot.
info "run / env true, again just before the sleepers start" "${best[alone-run]:-}" \
	"${best[alone-env]:-}"
info "  the floor / env true, the same rounds" "${best[alone-floor]:-}" "${best[alone-env]:-}"

# ---- peak RSS and OOM -> exit ---------------------------------------------------

# rusage reports the largest resident set among a command and the descendants
# it waited for. With nop, a libc-free payload of a page or two, that is
# ringfence's own processes: the supervisor, and its child before the exec.
maxrss() { "${T[rusage]}" "$@" 2>&1 >/dev/null | sed -n 's/.*maxrss_kb=\([0-9]*\).*/\1/p'; }
echo
echo "peak RSS of ringfence's own processes (payload: nop):"
rss_run=$(maxrss "$RINGFENCE" run -q "${LIMITS[@]}" -- "${T[nop]}")
printf '  %-58s %6s KiB\n' "env true (for scale)" "$(maxrss "${T[env]}" true)" \
	"ringfence run --memory 64M --pids 64" "$rss_run" \
	"ringfence run ... --unshare pid,mount,ipc,uts" \
	"$(maxrss "$RINGFENCE" run -q "${LIMITS[@]}" --unshare pid,mount,ipc,uts -- "${T[nop]}")" \
	"ringfence run ... --seccomp default" \
	"$(maxrss "$RINGFENCE" run -q "${LIMITS[@]}" --seccomp default -- "${T[nop]}")"
target "peak RSS, run" "$(awk -v k="$rss_run" 'BEGIN { printf "%.2f", k / 1024 }')" - 1.5 " MiB"

# OOM kill -> ringfence exit: the kernel's oom-kill record carries the kernel
# log's timestamp, rusage prints CLOCK_MONOTONIC when ringfence has exited.
# The two clocks drift apart (by milliseconds under TCG), so each run first
# writes a mark to the log and learns the offset between them.
kmsg_stamp() {	# the newest record matching $1: its timestamp in us
	timeout 1 cat /dev/kmsg 2>/dev/null | awk -F'[,;]' -v re="$1" '$0 ~ re { t = $3 } END { print t }'
}
if [[ -w /dev/kmsg && -n ${T[memhog]} ]]; then
	delays=()
	for i in 1 2 3 4 5 6 7 8 9; do
		mark=$(pinned "${T[rusage]}" --kmsg-mark 2>&1)
		mark_us=$(kmsg_stamp "rusage: clock mark $(sed -n 's/.*mark_id=//p' <<<"$mark")\$")
		mark=$(sed -n 's/^mark_mono_us=\([0-9]*\).*/\1/p' <<<"$mark")
		end=$(pinned "${T[rusage]}" "$RINGFENCE" run -q --memory 32M -- "${T[memhog]}" 128M 2>&1 >/dev/null |
			sed -n 's/.*end_mono_us=\([0-9]*\).*/\1/p')
		kill_us=$(kmsg_stamp 'oom-kill:')
		[[ -n $mark && -n $mark_us && -n $end && -n $kill_us ]] &&
			delays+=("$(awk -v e="$end" -v k="$kill_us" -v m="$mark" -v mk="$mark_us" \
				'BEGIN { printf "%.1f", (e - (k - (mk - m))) / 1000 }')")
	done
	echo
	echo "OOM kill -> ringfence exit: ${delays[*]:-?} ms (9 runs)"
	mid_delay=$(printf '%s\n' "${delays[@]}" | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }')
	target "OOM kill -> exit, median of 9" "$mid_delay" - 20 " ms"
fi

# ---- the same rows with ASLR on: an emulator artifact -------------------------

echo
echo "For information, guest ASLR on (randomize_va_space=2). Under TCG these rows"
echo "measure how much code each program runs at a new random address (translated"
echo "afresh on every exec), not the work it does; no target applies."
echo 2 >/proc/sys/kernel/randomize_va_space
ROUNDS=$(((ROUNDS + 1) / 2)) measure
echo
table
