#!/usr/bin/env bats
# The stress layer (`make check-stress`: a VM boot of its own, a stage of
# .ci/run): hundreds of sandboxes back to back and side by side, of every
# ending ringfence tells apart: exits with every status, OOM kills at the
# limit, timeouts, fork bombs, signals, commands not found. Each run's exit
# status and JSON verdict must be what its payload did. Afterwards nothing may
# be left: no leaf, no process, no mount; and a supervisor that watched its
# own sandbox through all of it holds the descriptors it started with.

load ../lib/common

SEQUENTIAL=${RF_STRESS_SEQUENTIAL:-200}   # runs back to back
WORKERS=${RF_STRESS_WORKERS:-8}           # side by side ...
PER_WORKER=${RF_STRESS_PER_WORKER:-30}    # ... this many each

# The payloads, by kind: kind_of N picks one for run N (a fixed mix).
KINDS=(exit exit exit exit exit oom timeout bomb signal missing)

kind_of() {
	echo "${KINDS[$(($1 % ${#KINDS[@]}))]}"
}

# The bomb's main process exits (3) once a fork was refused, waiting with
# builtins only (none is left to it); `read -t` on its own pipe is a pause.
# It forks once, a subshell that starts the bomb: an asynchronous `b | b`
# of its own would fork twice, and the second fork could already be refused
# (bash then gives up with 254; seen once under load).
# shellcheck disable=SC2016
BOMB='exec 9<> <(:); b() { b | b & }; (b) &
	until read -r _ n </sys/fs/cgroup/pids.events && ((n > 0)); do read -t 0.1 -u 9; done; exit 3'

# one N DIR: run sandbox N, record "N KIND STATUS" in DIR/status.N and its
# verdict in DIR/r.N.json.
one() {
	local n=$1 dir=$2 kind st=0 args
	kind=$(kind_of "$n")
	args=(run -q --report "$dir/r.$n.json")
	case $kind in
	exit) "$RINGFENCE" "${args[@]}" -- sh -c "exit $((n % 256))" || st=$? ;;
	oom) "$RINGFENCE" "${args[@]}" --memory 16M -- memhog 64M || st=$? ;;
	timeout) "$RINGFENCE" "${args[@]}" --timeout 200ms -- sleep 600 || st=$? ;;
	bomb) "$RINGFENCE" "${args[@]}" --pids 16 -- bash -c "$BOMB" 2>/dev/null || st=$? ;;
	signal) "$RINGFENCE" "${args[@]}" -- sh -c 'kill -9 $$' || st=$? ;;
	missing) "$RINGFENCE" "${args[@]}" -- rf-no-such-command 2>/dev/null || st=$? ;;
	esac
	echo "$n $kind $st" >"$dir/status.$n"
}

# What each kind must end as: exit status, verdict, and whether the verdict
# counts pids limit hits.
expect_of() {	# expect_of N KIND -> "STATUS VERDICT HITS"
	case $2 in
	exit) echo "$(($1 % 256)) exited no" ;;
	oom) echo "121 oom-limit no" ;;
	timeout) echo "124 timeout no" ;;
	bomb) echo "3 exited yes" ;;
	signal) echo "137 signaled no" ;;
	missing) echo "127 launch-failed no" ;;
	esac
}

# Every run's status against its kind, every report against both; prints
# the mismatches.
check_runs() {	# check_runs DIR
	local dir=$1 n kind st want_st want_v want_hits verdict code hits
	declare -A got=()
	while IFS=$'\t' read -r n verdict code hits; do
		got[$n]="$verdict $code $hits"
	done < <(cd "$dir" && jq -r '[(input_filename | ltrimstr("r.") | rtrimstr(".json")),
		.verdict, (.exit_code | tostring), ((.pids.limit_hits // 0) | tostring)] | @tsv' r.*.json)
	for f in "$dir"/status.*; do
		read -r n kind st <"$f"
		read -r want_st want_v want_hits < <(expect_of "$n" "$kind")
		read -r verdict code hits <<<"${got[$n]:-none none 0}"
		if [[ $st != "$want_st" || $verdict != "$want_v" || $code != "$want_st" ]] ||
			{ [[ $want_hits == yes ]] && ((hits == 0)); }; then
			echo "run $n ($kind): status $st, verdict $verdict, exit_code $code, pids hits $hits;" \
				"expected $want_st, $want_v"
		fi
	done
}

user_processes() {	# processes with a command line (kernel threads have none)
	local p cmd n=0
	for p in /proc/[0-9]*; do
		cmd=
		read -r -d '' cmd <"$p/cmdline" 2>/dev/null || true
		[[ -z $cmd ]] || n=$((n + 1))
	done
	echo "$n"
}

fd_count() {
	local fds=("/proc/$1/fd"/*)
	echo "${#fds[@]}"
}

@test "hundreds of sandboxes, back to back and side by side, each ending as its payload did" {
	requires root cgroup2 memory pids jq bash
	local dir=$BATS_TEST_TMPDIR/runs long=$RF_PARENT/rf-stress-long done=$BATS_TEST_TMPDIR/done
	local procs_before procs_after mounts_before sup fds_before fds_after e1 start bad i w workers=()
	mkdir -p "$dir"
	procs_before=$(user_processes)
	mounts_before=$(wc -l </proc/self/mountinfo)

	# One sandbox runs through it all, above its memory.high so that events
	# keep its supervisor busy: it must end with the descriptors it began with.
	"$RINGFENCE" run -q --name rf-stress-long --memory-high 16M -- \
		sh -c 'memhog --sleep-after 32M & until [ -e "$0" ]; do sleep 0.1; done; kill %1' "$done" 3>&- &
	sup=$!
	rf_wait_for 60 eval '[ "$(rf_memory_event "$long" high)" -gt 0 ]'
	fds_before=$(fd_count "$sup")
	e1=$(rf_memory_event "$long" high)

	start=$SECONDS
	for ((i = 0; i < SEQUENTIAL; i++)); do
		one "$i" "$dir"
	done
	echo "# $SEQUENTIAL runs back to back in $((SECONDS - start)) s" >&3
	start=$SECONDS
	for ((w = 0; w < WORKERS; w++)); do
		(
			for ((i = 0; i < PER_WORKER; i++)); do
				one $((SEQUENTIAL + w * PER_WORKER + i)) "$dir"
			done
		) 3>&- &
		workers+=($!)
	done
	wait "${workers[@]}"
	echo "# $((WORKERS * PER_WORKER)) runs, $WORKERS at a time, in $((SECONDS - start)) s" >&3

	fds_after=$(fd_count "$sup")
	[ "$(rf_memory_event "$long" high)" -gt "$e1" ] || _rf_fail "the long sandbox's memory events stopped"
	touch "$done"
	wait "$sup" || _rf_fail "the long sandbox failed"

	bad=$(check_runs "$dir")
	[[ -z $bad ]] || _rf_fail "verdicts that do not match their payloads:"$'\n'"$bad"
	(($(ls "$dir"/status.* | wc -l) == SEQUENTIAL + WORKERS * PER_WORKER)) ||
		_rf_fail "runs missing: $(ls "$dir"/status.* | wc -l) recorded"
	((fds_after == fds_before)) ||
		_rf_fail "the long sandbox's supervisor went from $fds_before to $fds_after open fds"
	# Nothing left: no leaf (teardown checks again), no process, no mount.
	[[ -z $(_rf_descendants "$RF_PARENT") ]] || _rf_fail "leaves left: $(_rf_descendants "$RF_PARENT")"
	procs_after=$(user_processes)
	((procs_after <= procs_before)) ||
		_rf_fail "$procs_before processes before, $procs_after after: $(ps -o pid,args)"
	(($(wc -l </proc/self/mountinfo) == mounts_before)) || _rf_fail "mounts were left behind"
}
