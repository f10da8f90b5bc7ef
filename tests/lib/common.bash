# tests/lib/common.bash: loaded by every bats file of the host and VM layers.
#
#   load ../lib/common            # first line after the shebang
#
# Environment (set by tests/run-check, tests/vm/run and the VM init; the
# defaults suit an in-tree build):
#   RF_SRCDIR        source tree (default: two levels above this file)
#   RF_BUILDDIR      build tree (default: $RF_SRCDIR)
#   RINGFENCE        binary under test (default: $RF_BUILDDIR/ringfence)
#   RF_IN_VM=1       set only inside the test VM
#   RF_REQUIRES_STRICT=1
#                    a missing requirement fails the test instead of skipping
#                    it; the VM sets it, because the VM provides everything
#                    `requires` knows about, so a skip there is a harness bug.
# Set here:
#   RF_CGROUP_ROOT   the cgroup2 mount point ("" when there is none)
#   RF_PARENT        ringfence's default parent: $RF_CGROUP_ROOT/ringfence
#   PATH             gains $RF_BUILDDIR/tests/helpers (memhog, ...) and the
#                    directory of $RINGFENCE
#
# Declaring what a test needs (skips with the reason, or fails when strict):
#   requires root cgroup2 numa2 ...
#     root         running as uid 0
#     cgroup2      a cgroup2 mount whose root offers memory and pids
#     memory pids cpu cpuset io hugetlb
#                  that controller is available at the cgroup2 root
#     numa2        at least two NUMA nodes online
#     cgroup_kill  the kernel has cgroup.kill (5.14+)
#     user_ns      user namespaces can be created
#     pty          a pseudo-terminal can be allocated (/dev/ptmx + devpts)
#     systemd      systemd is PID 1 and uid 1000's user manager runs
#                  (tests/vm/run --init systemd; tests/vm/systemd/)
#     vm           running inside the test VM (the test changes the guest's
#                  cgroup2 mount, which must never happen on a real host)
#     stress-ng jq CMD ...
#                  any other word: that command is on PATH
#
# Running commands (bats `run --separate-stderr`: sets $status, $output,
# $stderr, $lines, $stderr_lines, and remembers the command for diagnostics):
#   rf_run ARGS...        run "$RINGFENCE" ARGS...   (run_rf is the same)
#   run_cmd CMD ARGS...   run any command the same way
#   rf_run -127 ARGS...   either, with bats' own status check first (bats warns
#                         about an unchecked 127, "command not found")
#   rf_show               print the last command, its status, stdout, stderr
# Assertions; on failure each prints the command, status, stdout and stderr:
#   expect_status N
#   expect_output_contains STR        expect_output_not_contains STR
#   expect_line LINE                  (one stdout line is exactly LINE)
#   expect_stderr_contains STR        expect_stderr_not_contains STR
#   expect_stderr_matches ERE         (bash =~ against all of stderr)
#   expect_json FILE KEY.PATH VALUE   json_get must print exactly VALUE
# JSON (jq; available on the host and in the VM):
#   json_get FILE KEY.PATH   print the value: strings raw, null as `null`,
#                            objects/arrays compact; array indexes are
#                            numbers (`a.0.b`); FILE `-` reads stdin; fails
#                            with a message when the path does not exist.
# A caller without root (VM tests, set up as root): uid 1000 in a cgroup
# delegated to it, as systemd does for a user's session:
#   rf_run_as_user ARGS...   rf_run ARGS as uid 1000, started inside
#                            RF_USER_CG ($RF_CGROUP_ROOT/rf-user-1000)
#   assert_no_user_leaves    no sandbox leaf is left in RF_USER_CG
#   (teardown removes RF_USER_CG)
# Other helpers:
#   rf_wait_for SECONDS CMD ARGS...   poll CMD every 0.1 s until it succeeds
#   rf_lock_waiter PATH               print the pid of a process blocked in
#                                     flock(2) on PATH (nothing when none is)
#   rf_signal_pending PID N           signal N is pending (blocked) for PID
#   rf_made_cgroups                   the cgroups ringfence makes (its parents,
#                                     leaves run-PID-HEX) now on this host,
#                                     sorted: compare before and after a run
#   rf_limit_hit LEAF                 the leaf's pids.events counts a refused fork
#   rf_memory_event LEAF KEY          the KEY count of the leaf's memory.events
#                                     (0 when the file is gone)
#   rf_running 'CMD ARG...'           a process with exactly that command line
#                                     exists (builtins only: cheap to poll)
#   rf_without_nsdelegate             (requires vm) remount the guest's cgroup2
#                                     without nsdelegate; teardown restores it
# (Tests wait for states with these, never for a fixed time.)
#   rf_cleanup_cgroups DIR            kill and remove every cgroup below DIR
#   save_sysctls NAME...              e.g. vm/panic_on_oom: restored in teardown
#   rf_packages SET...                in the test VM, lay the Debian packages
#                     of tests/vm/packages/SET over the root (rf-packages; the
#                     directory's vm-options must ask for them); elsewhere
#                     nothing: the host has its own, or `requires CMD` skips
#
# Teardown: this file defines `teardown`, which writes back what save_sysctls
# saved, runs the file's own `rf_teardown` function if it defines one,
# removes RF_USER_CG, mounts cgroup2 with nsdelegate again after
# rf_without_nsdelegate, and then runs `assert_no_leaves`:
# the test fails if any cgroup is left below $RF_PARENT (the parent itself
# may stay) or any process is left in it; leftovers are then removed so the
# next test starts clean. Do not define `teardown` in a test file; define
# `rf_teardown`. Tests that use their own --cgroup-parent call
# `assert_no_leaves DIR` / `rf_cleanup_cgroups DIR` for it in rf_teardown.
#
# Example (tests/vm/oom.bats):
#   load ../lib/common
#   @test "a command OOM-killed at its limit exits 121" {
#       requires root cgroup2 memory
#       rf_run run --memory 64M --report "$BATS_TEST_TMPDIR/r.json" -- memhog 256M
#       expect_status 121
#       expect_stderr_contains "killed by OOM at memory limit"
#       expect_json "$BATS_TEST_TMPDIR/r.json" verdict oom-limit
#   }

bats_require_minimum_version 1.5.0

: "${RF_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${RF_BUILDDIR:=$RF_SRCDIR}"
: "${RINGFENCE:=$RF_BUILDDIR/ringfence}"
export RF_SRCDIR RF_BUILDDIR RINGFENCE
PATH="$RF_BUILDDIR/tests/helpers:$(dirname "$RINGFENCE"):$PATH"

# The first cgroup2 mount in our mount namespace.
_rf_find_cgroup2() {
	local line fields
	while IFS= read -r line; do
		[[ $line == *" - cgroup2 "* ]] || continue
		read -ra fields <<<"$line"
		printf '%b' "${fields[4]}"   # mountinfo escapes spaces as \040
		return 0
	done </proc/self/mountinfo
	return 1
}
RF_CGROUP_ROOT=$(_rf_find_cgroup2 || true)
RF_PARENT=${RF_CGROUP_ROOT:+$RF_CGROUP_ROOT/ringfence}
export RF_CGROUP_ROOT RF_PARENT

# ---- requires ------------------------------------------------------------

_rf_controllers() {
	[[ -n $RF_CGROUP_ROOT && -r $RF_CGROUP_ROOT/cgroup.controllers ]] || return 1
	cat "$RF_CGROUP_ROOT/cgroup.controllers"
}

_rf_need_controllers() {
	local have c missing=()
	if [[ -z $RF_CGROUP_ROOT ]]; then
		_rf_reason="no cgroup2 filesystem is mounted"
		return 1
	fi
	have=" $(_rf_controllers) "
	for c in "$@"; do
		[[ $have == *" $c "* ]] || missing+=("$c")
	done
	((${#missing[@]} == 0)) && return 0
	_rf_reason="the cgroup2 root $RF_CGROUP_ROOT lacks ${missing[*]} (has:${have% })"
	return 1
}

# Number of entries in a kernel list like "0-1,3".
_rf_count_list() {
	local n=0 part lo hi
	local IFS=,
	for part in $1; do
		if [[ $part == *-* ]]; then
			lo=${part%-*} hi=${part#*-}
			n=$((n + hi - lo + 1))
		elif [[ -n $part ]]; then
			n=$((n + 1))
		fi
	done
	echo "$n"
}

_rf_has_cgroup_kill() {
	local d probe
	[[ -n $RF_CGROUP_ROOT ]] || { _rf_reason="no cgroup2 filesystem is mounted"; return 1; }
	# cgroup.kill exists in every non-root cgroup; look at an existing one.
	for d in "$RF_CGROUP_ROOT"/*/; do
		[[ -e $d/cgroup.procs ]] || continue
		[[ -e $d/cgroup.kill ]] && return 0
		_rf_reason="the kernel has no cgroup.kill (needs Linux 5.14)"
		return 1
	done
	probe=$RF_CGROUP_ROOT/rf-probe.$$
	if mkdir "$probe" 2>/dev/null; then
		[[ -e $probe/cgroup.kill ]]; local rc=$?
		rmdir "$probe"
		((rc == 0)) && return 0
	fi
	_rf_reason="the kernel has no cgroup.kill (needs Linux 5.14)"
	return 1
}

_rf_has_pty() {
	[[ -c /dev/ptmx ]] || { _rf_reason="/dev/ptmx is missing"; return 1; }
	grep -q ' - devpts ' /proc/self/mountinfo ||
		{ _rf_reason="devpts is not mounted"; return 1; }
	{ : <>/dev/ptmx; } 2>/dev/null || { _rf_reason="cannot open /dev/ptmx"; return 1; }
}

_rf_has_user_ns() {
	local max
	[[ -e /proc/self/ns/user ]] || { _rf_reason="the kernel has no user namespaces"; return 1; }
	max=$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 1)
	((max > 0)) || { _rf_reason="user.max_user_namespaces is 0"; return 1; }
	if ((EUID != 0)) && [[ $(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null) == 0 ]]; then
		_rf_reason="kernel.unprivileged_userns_clone is 0"
		return 1
	fi
}

# Sets _rf_reason and returns 1 when WHAT is missing.
_rf_check() {
	local what=$1 n
	_rf_reason=
	case $what in
	root)
		((EUID == 0)) || { _rf_reason="not running as root"; return 1; } ;;
	cgroup2)
		_rf_need_controllers memory pids ;;
	memory | pids | cpu | cpuset | io | hugetlb | rdma | misc)
		_rf_need_controllers "$what" ;;
	numa2)
		n=$(_rf_count_list "$(cat /sys/devices/system/node/online 2>/dev/null)")
		((n >= 2)) || { _rf_reason="needs 2 NUMA nodes online, this host has $n"; return 1; } ;;
	cgroup_kill)
		_rf_has_cgroup_kill ;;
	user_ns)
		_rf_has_user_ns ;;
	pty)
		_rf_has_pty ;;
	systemd)
		[[ -d /run/systemd/system ]] ||
			{ _rf_reason="systemd is not PID 1 (no /run/systemd/system)"; return 1; }
		[[ -S /run/user/1000/systemd/private ]] ||
			{ _rf_reason="no user manager for uid 1000 (/run/user/1000/systemd/private)"; return 1; } ;;
	apparmor)
		[[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) == Y ]] ||
			{ _rf_reason="AppArmor is not enabled in this kernel"; return 1; }
		[[ -d /sys/kernel/security/apparmor ]] ||
			{ _rf_reason="securityfs is not mounted (no /sys/kernel/security/apparmor)"; return 1; }
		command -v apparmor_parser >/dev/null ||
			{ _rf_reason="command \`apparmor_parser\` not found"; return 1; } ;;
	no_apparmor)
		[[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) != Y ]] ||
			{ _rf_reason="AppArmor is enabled on this host"; return 1; } ;;
	vm)
		[[ ${RF_IN_VM:-} == 1 ]] || { _rf_reason="not inside the test VM"; return 1; } ;;
	*[!A-Za-z0-9._+-]* | '')
		_rf_reason="unknown requirement \`$what\`"
		return 2 ;;
	*)
		command -v "$what" >/dev/null || { _rf_reason="command \`$what\` not found"; return 1; } ;;
	esac
}

requires() {
	local what rc
	for what in "$@"; do
		_rf_check "$what" && continue
		rc=$?
		if ((rc == 2)); then
			echo "requires: $_rf_reason" >&2
			return 1
		fi
		if [[ ${RF_REQUIRES_STRICT:-0} == 1 ]]; then
			echo "requires $what: $_rf_reason (RF_REQUIRES_STRICT=1: this must not be missing here)" >&2
			return 1
		fi
		skip "requires $what: $_rf_reason"
	done
}

# ---- running commands ------------------------------------------------------

RF_LAST_CMD=()

run_cmd() {
	local flags=(--separate-stderr)

	if [[ ${1-} =~ ^-[0-9]+$ ]]; then
		flags+=("$1")
		shift
	fi
	RF_LAST_CMD=("$@")
	run "${flags[@]}" "$@"
}

rf_run() {
	if [[ ! -x $RINGFENCE ]]; then
		echo "ringfence binary not found at $RINGFENCE (set RF_BUILDDIR or RINGFENCE)" >&2
		return 1
	fi
	if [[ ${1-} =~ ^-[0-9]+$ ]]; then
		run_cmd "$1" "$RINGFENCE" "${@:2}"
	else
		run_cmd "$RINGFENCE" "$@"
	fi
}

run_rf() {
	rf_run "$@"
}

_rf_indent() {
	if [[ -z $1 ]]; then
		echo "  (empty)"
	else
		printf '%s\n' "$1" | sed 's/^/  | /'
	fi
}

rf_show() {
	{
		printf 'command:'
		printf ' %q' "${RF_LAST_CMD[@]}"
		printf '\nstatus: %s\nstdout:\n' "${status-}"
		_rf_indent "${output-}"
		echo "stderr:"
		_rf_indent "${stderr-}"
	} >&2
}

_rf_fail() {
	echo "$*" >&2
	rf_show
	return 1
}

expect_status() {
	[[ ${status-} == "$1" ]] || _rf_fail "expected exit status $1, got ${status-unset}"
}

expect_output_contains() {
	[[ ${output-} == *"$1"* ]] || _rf_fail "expected stdout to contain: $1"
}

# expect_line LINE: one line of stdout is exactly LINE.
expect_line() {
	local l
	for l in "${lines[@]}"; do
		[[ $l == "$1" ]] && return 0
	done
	_rf_fail "no stdout line is exactly: $1"
}

expect_output_not_contains() {
	[[ ${output-} != *"$1"* ]] || _rf_fail "expected stdout not to contain: $1"
}

expect_stderr_contains() {
	[[ ${stderr-} == *"$1"* ]] || _rf_fail "expected stderr to contain: $1"
}

expect_stderr_not_contains() {
	[[ ${stderr-} != *"$1"* ]] || _rf_fail "expected stderr not to contain: $1"
}

expect_stderr_matches() {
	[[ ${stderr-} =~ $1 ]] || _rf_fail "expected stderr to match: $1"
}

# ---- JSON ------------------------------------------------------------------

json_get() {
	local file=$1 path=$2 doc out
	if ! command -v jq >/dev/null; then
		echo "json_get: jq not found (apt-get install jq)" >&2
		return 1
	fi
	if [[ $file == - ]]; then
		doc=$(cat)
	elif ! doc=$(cat -- "$file"); then
		echo "json_get: cannot read $file" >&2
		return 1
	fi
	# jq accepts an empty input silently; a verdict file must not be empty.
	if [[ -z ${doc//[[:space:]]/} ]]; then
		echo "json_get $file $path: the document is empty" >&2
		return 1
	fi
	# Path "a.0.b" -> ["a",0,"b"]; fail (exit 5) when it does not exist.
	if ! out=$(jq -rc --arg p "$path" '
		(if $p == "." or $p == "" then [] else $p | split(".") | map(tonumber? // .) end) as $k
		| if [paths] | any(. == $k) or ($k == []) then getpath($k)
		  else error("no key \($p)") end' <<<"$doc" 2>&1); then
		echo "json_get $file $path: $out; document:" >&2
		printf '%s\n' "$doc" | sed 's/^/  | /' >&2
		return 1
	fi
	printf '%s\n' "$out"
}

expect_json() {
	local file=$1 path=$2 want=$3 got
	got=$(json_get "$file" "$path") || return 1
	if [[ $got != "$want" ]]; then
		echo "expected $path = $want in $file, got $got; document:" >&2
		sed 's/^/  | /' "$file" >&2
		rf_show
		return 1
	fi
}

# ---- Debian packages in the test VM --------------------------------------------

rf_packages() {
	[[ -n ${RF_IN_VM:-} ]] || return 0
	rf-packages "$@"
}

# ---- waiting and cgroup hygiene ----------------------------------------------

rf_wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

rf_lock_waiter() {
	local ino
	ino=$(stat -c %i "$1") || return 1
	# Blocked requests: "N: -> FLOCK ADVISORY TYPE PID MAJ:MIN:INODE START END".
	awk -v ino="$ino" '$2 == "->" && $3 == "FLOCK" {
		n = split($7, id, ":"); if (id[n] == ino) { print $6; exit } }' /proc/locks
}

rf_signal_pending() {
	local key mask pending=0
	while read -r key mask; do
		[[ $key == SigPnd: || $key == ShdPnd: ]] && pending=$((pending | 16#$mask))
	done <"/proc/$1/status"
	(((pending >> ($2 - 1)) & 1))
}

rf_running() {
	local f arg line
	for f in /proc/[0-9]*/cmdline; do
		line=
		while IFS= read -r -d '' arg; do line+="$arg "; done <"$f" 2>/dev/null
		[[ $line == "$1 " ]] && return 0
	done
	return 1
}

RF_NSDELEGATE_OFF=

# The guest's cgroup2 with OPTS (",nsdelegate" or ""); fails unless
# nsdelegate is then as asked.
_rf_cgroup2_options() {
	local info
	mount -t cgroup2 -o "remount,nosuid,nodev,noexec$1" none "$RF_CGROUP_ROOT" || return 1
	info=$(grep " $RF_CGROUP_ROOT " /proc/self/mountinfo)
	if [[ -n $1 ]]; then [[ $info == *nsdelegate* ]]; else [[ $info != *nsdelegate* ]]; fi
}

rf_without_nsdelegate() {
	[[ ${RF_IN_VM:-} == 1 ]] || { echo "rf_without_nsdelegate: only in the test VM" >&2; return 1; }
	RF_NSDELEGATE_OFF=1
	_rf_cgroup2_options ""
}

_rf_restore_nsdelegate() {
	[[ -n $RF_NSDELEGATE_OFF ]] || return 0
	RF_NSDELEGATE_OFF=
	_rf_cgroup2_options ,nsdelegate
}

rf_memory_event() {
	local key n
	if [[ -r $1/memory.events ]]; then
		while read -r key n; do
			[[ $key == "$2" ]] && { echo "$n"; return 0; }
		done <"$1/memory.events"
	fi
	echo 0
}

rf_made_cgroups() {
	[[ -n $RF_CGROUP_ROOT ]] || return 0
	find "$RF_CGROUP_ROOT" -maxdepth 6 -type d \( -name 'ringfence*' -o -name 'run-[0-9]*-*' \) \
		2>/dev/null | sort
}

rf_limit_hit() {
	local key n
	read -r key n <"$1/pids.events" && ((n > 0))
}

# Every cgroup below DIR, deepest first.
_rf_descendants() {
	local d
	for d in "$1"/*/; do
		[[ -e $d/cgroup.procs ]] || continue
		_rf_descendants "${d%/}"
		echo "${d%/}"
	done
}

_rf_populated() {
	grep -qx 'populated 1' "$1/cgroup.events" 2>/dev/null
}

_rf_unpopulated() {
	! _rf_populated "$1"
}

_rf_kill_cgroup() {
	local pid
	if [[ -e $1/cgroup.kill ]]; then
		echo 1 >"$1/cgroup.kill" 2>/dev/null
	else
		while read -r pid; do kill -9 "$pid" 2>/dev/null; done <"$1/cgroup.procs"
	fi
	rf_wait_for 5 _rf_unpopulated "$1"
}

rf_cleanup_cgroups() {
	local dir=$1 d
	[[ -d $dir ]] || return 0
	while read -r d; do
		_rf_kill_cgroup "$d"
		rmdir "$d" 2>/dev/null || echo "could not remove $d" >&2
	done < <(_rf_descendants "$dir")
	_rf_populated "$dir" && _rf_kill_cgroup "$dir"
	return 0
}

assert_no_leaves() {
	local parent=${1:-$RF_PARENT} left procs d
	[[ -n $parent && -d $parent ]] || return 0
	left=$(_rf_descendants "$parent")
	[[ -z $left ]] && ! _rf_populated "$parent" && return 0
	{
		echo "cgroups or processes were left behind under $parent:"
		for d in $left "$parent"; do
			procs=$(tr '\n' ' ' <"$d/cgroup.procs" 2>/dev/null)
			[[ $d == "$parent" && -z $procs ]] && continue
			echo "  $d (processes: ${procs:-none})"
		done
	} >&2
	rf_cleanup_cgroups "$parent"
	return 1
}

# ---- a caller without root ----------------------------------------------------

RF_USER_CG=

rf_run_as_user() {
	RF_USER_CG=$RF_CGROUP_ROOT/rf-user-1000
	mkdir -p "$RF_USER_CG"
	echo "+memory +pids" >"$RF_CGROUP_ROOT/cgroup.subtree_control"
	chown 1000:1000 "$RF_USER_CG" "$RF_USER_CG"/cgroup.{procs,subtree_control,threads}
	run_cmd bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec /usr/bin/setpriv --reuid 1000 --regid 1000 --clear-groups "$@"' \
		sh "$RF_USER_CG" "$RINGFENCE" "$@"
}

# ringfence may keep the empty cgroup it moved its own supervisor into.
assert_no_user_leaves() {
	local d
	for d in "$RF_USER_CG"/*/; do
		[[ -e $d/cgroup.procs ]] || continue
		[[ ${d%/} == */ringfence-supervisor ]] && continue
		_rf_fail "leaf ${d%/} was left behind"
		return 1
	done
}

_rf_remove_user_cg() {
	[[ -n $RF_USER_CG && -d $RF_USER_CG ]] || return 0
	rf_cleanup_cgroups "$RF_USER_CG"
	rmdir "$RF_USER_CG"
	RF_USER_CG=
}

# save_sysctls NAME...: remember /proc/sys/NAME (e.g. vm/panic_on_oom) now;
# teardown writes each back, whatever the test did to it.
RF_SAVED_SYSCTLS=()
save_sysctls() {
	local name
	for name in "$@"; do
		RF_SAVED_SYSCTLS+=("$name=$(cat "/proc/sys/$name")")
	done
}

_rf_restore_sysctls() {
	local entry rc=0
	for entry in "${RF_SAVED_SYSCTLS[@]}"; do
		echo "${entry#*=}" >"/proc/sys/${entry%%=*}" || rc=1
	done
	RF_SAVED_SYSCTLS=()
	return "$rc"
}

teardown() {
	local rc=0
	_rf_restore_sysctls || rc=1
	if declare -F rf_teardown >/dev/null; then
		rf_teardown || rc=1
	fi
	_rf_remove_user_cg || rc=1
	_rf_restore_nsdelegate || rc=1
	assert_no_leaves || rc=1
	return "$rc"
}
