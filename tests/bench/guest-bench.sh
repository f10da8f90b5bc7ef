#!/bin/bash
# The benchmark, run as root on a cgroup-v2 machine (the test VM by
# `make bench`, or natively). Prints, side by side, the median wall time of
# RUNS runs of each command and its ratio to `env true` and to bwrap, the
# supervisor's peak RSS, and the delay from an OOM kill to ringfence's exit.
# `ringfence --version` says whether the binary under test is static.
# Measurements, not assertions: nothing here fails on a slow result.
set -u
RUNS=${RUNS:-21}
RINGFENCE=${RINGFENCE:-ringfence}
# runc, the peer of the container rows, comes with the engines package set
# (make bench attaches it); elsewhere it is whatever is installed.
[ -n "${RF_IN_VM:-}" ] && command -v rf-packages >/dev/null && rf-packages engines >/dev/null 2>&1
work=$(mktemp -d)
trap 'umount -l "$work/bundle/rootfs" 2>/dev/null; rm -rf "$work"' EXIT

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

crun_bundle() {
	mkdir -p "$work/bundle/rootfs" "$work/crun-state"
	(cd "$work/bundle" && crun spec >/dev/null 2>&1) || return 1
	# The guest's own files are the rootfs (bound elsewhere: pivot_root cannot
	# make the current root the new one); the command is `true`.
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
	(cd "$b" && crun spec >/dev/null 2>&1) || return 1
	sed -i -e 's|"sh"|"true"|' -e 's|"terminal": true|"terminal": false|' "$b/config.json"
}

declare -A ms
row() {
	local name=$1; shift
	if ! "$@" >/dev/null 2>&1; then
		printf '%-44s %10s\n' "$name" "failed"
		return
	fi
	ms[$name]=$(median_ms "$@")
}

echo "ringfence benchmark: median of $RUNS runs each ($(uname -r), $(nproc) CPUs)"
"$RINGFENCE" --version | sed -n 's/^features: /ringfence features: /p'
row "env true" env true
row "ringfence run --memory 64M --pids 64 true" "$RINGFENCE" run -q --memory 64M --pids 64 -- true
if command -v bwrap >/dev/null; then
	row "bwrap --bind / / true" bwrap --bind / / true
	row "bwrap (pid,ipc,uts,mount) true" bwrap --bind / / --unshare-pid --unshare-ipc \
		--unshare-uts --proc /proc true
fi
row "ringfence run --unshare pid,mount,ipc,uts" "$RINGFENCE" run -q --unshare pid,mount,ipc,uts -- true
row "ringfence run --seccomp default" "$RINGFENCE" run -q --seccomp default -- true
if command -v crun >/dev/null && crun_bundle; then
	n=0
	crun_once() { n=$((n + 1)); crun --root "$work/crun-state" run --bundle "$work/bundle" "b$$-$n-$RANDOM"; }
	row "crun run (bundle over /)" crun_once
	# A container's life as containerd's shim or conmon drives it: create,
	# start, reap, delete (tests/helpers/ocicycle is the subreaper).
	if command -v ocicycle >/dev/null; then
		cycle() { n=$((n + 1)); ocicycle "$1" "$work/$2-state" "$work/bundle" "c$$-$n-$RANDOM"; }
		row "ringfence create+start+wait+delete" cycle "$RINGFENCE" ringfence
		row "crun create+start+wait+delete" cycle crun crun
		command -v runc >/dev/null && row "runc create+start+wait+delete" cycle runc runc
	fi
fi

if command -v crun >/dev/null && busybox_bundle; then
	row "ringfence run --bundle (busybox rootfs)" "$RINGFENCE" run -q --bundle "$work/bb"
	bb_once() { n=$((${n:-0} + 1)); crun --root "$work/crun-bb-state" run --bundle "$work/bb" "bb$$-$n-$RANDOM"; }
	row "crun run (busybox rootfs)" bb_once
fi

base=${ms["env true"]:-0}
bw=${ms["bwrap (pid,ipc,uts,mount) true"]:-0}
printf '\n%-44s %10s %12s %12s\n' "command" "median ms" "vs env true" "vs bwrap-ns"
for name in "env true" "ringfence run --memory 64M --pids 64 true" "bwrap --bind / / true" \
	"bwrap (pid,ipc,uts,mount) true" "ringfence run --unshare pid,mount,ipc,uts" \
	"ringfence run --seccomp default" "crun run (bundle over /)" \
	"ringfence create+start+wait+delete" "crun create+start+wait+delete" \
	"runc create+start+wait+delete" "ringfence run --bundle (busybox rootfs)" \
	"crun run (busybox rootfs)"; do
	[ -n "${ms[$name]:-}" ] || continue
	printf '%-44s %10s %12s %12s\n' "$name" "${ms[$name]}" "$(ratio "${ms[$name]}" "$base")" \
		"$(ratio "${ms[$name]}" "$bw")"
done
echo "targets: ringfence run <= 1.3x env true; --unshare pid,mount,ipc,uts <= 0.6x bwrap"
if [ -n "${ms["crun run (busybox rootfs)"]:-}" ]; then
	echo "a bundle's run, ringfence vs crun: $(ratio "${ms["ringfence run --bundle (busybox rootfs)"]:-0}" \
		"${ms["crun run (busybox rootfs)"]}")"
fi
if [ -n "${ms["crun create+start+wait+delete"]:-}" ]; then
	echo "container life, ringfence vs crun: $(ratio "${ms["ringfence create+start+wait+delete"]:-0}" \
		"${ms["crun create+start+wait+delete"]}") (target <= 0.5x)"
fi

# Peak RSS (rusage: the largest resident set among a command and the
# descendants it waited for). With nop, a libc-free payload of a page or two,
# that is ringfence's own processes: the supervisor, and its child before the
# exec. env true (a dynamically linked env, then busybox true) for scale.
maxrss() {
	rusage "$@" 2>&1 >/dev/null | sed -n 's/.*maxrss_kb=\([0-9]*\).*/\1/p'
}
printf '\npeak RSS (target for ringfence <= 1536 KiB):\n'
printf '  %-52s %6s KiB\n' "env true" "$(maxrss env true)" \
	"ringfence run --memory 64M --pids 64 nop" \
	"$(maxrss "$RINGFENCE" run -q --memory 64M --pids 64 -- nop)" \
	"ringfence run --unshare pid,mount,ipc,uts nop" \
	"$(maxrss "$RINGFENCE" run -q --unshare pid,mount,ipc,uts -- nop)" \
	"ringfence run --seccomp default nop" \
	"$(maxrss "$RINGFENCE" run -q --seccomp default -- nop)"

# OOM kill -> ringfence exit: the kernel's oom-kill record carries the
# kernel log's timestamp, rusage prints CLOCK_MONOTONIC when ringfence has
# exited. The two clocks drift apart (by milliseconds under TCG), so each run
# first writes a mark to the log and learns the offset between them.
kmsg_stamp() { # the newest record matching $1: its timestamp in us
	timeout 1 cat /dev/kmsg 2>/dev/null | awk -F'[,;]' -v re="$1" '$0 ~ re { t = $3 } END { print t }'
}
if [ -w /dev/kmsg ] && command -v memhog >/dev/null; then
	delays=()
	for i in 1 2 3 4 5; do
		mark=$(rusage --kmsg-mark 2>&1 | sed -n 's/^mark_mono_us=//p')
		mark_us=$(kmsg_stamp 'rusage: clock mark')
		end=$(rusage "$RINGFENCE" run -q --memory 32M -- memhog 128M 2>&1 >/dev/null |
			sed -n 's/.*end_mono_us=\([0-9]*\).*/\1/p')
		kill_us=$(kmsg_stamp 'oom-kill:')
		[ -n "$mark" ] && [ -n "$mark_us" ] && [ -n "$end" ] && [ -n "$kill_us" ] &&
			delays+=("$(awk -v e="$end" -v k="$kill_us" -v m="$mark" -v mk="$mark_us" \
				'BEGIN { printf "%.1f", (e - (k - (mk - m))) / 1000 }')")
	done
	printf 'OOM kill -> ringfence exit: %s ms (5 runs)\n' "${delays[*]:-?}"
fi
