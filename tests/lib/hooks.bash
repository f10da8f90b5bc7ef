# tests/lib/hooks.bash: OCI hooks scenarios, for tests/vm/oci-hooks.bats
# (ringfence and crun) and tests/vm/engines/runc.bats (runc). Load after
# common and oci.
#
#   hooks_bundle DIR LOG   a bundle with one hook of each kind, each
#                          appending a line to DIR/log/LOG: its kind, the
#                          state it read, its mount namespace, env and cwd
#   every_hook RUNTIME     create, start, kill, delete: each kind once, at
#                          its point, with its state, where the spec says

# A hook that appends "KIND <state on one line> ARG1 mnt=<mount ns> env=$HOOK_ENV"
# to LOG. The container's startContainer hook runs inside the root, where the
# log's directory is bound at /hooklog, with busybox's sh.
_hook() {
	local kind=$1 log=$2 sh=${3:-/bin/sh}
	jq -nc --arg k "$kind" --arg log "$log" --arg sh "$sh" '{path: $sh,
		args: ["sh", "-c", "s=$(cat | tr -d \"\\n\"); echo \"$0 $s mnt=$(readlink /proc/self/ns/mnt) env=$HOOK_ENV cwd=$(pwd)\" >>\($log)", $k],
		env: ["HOOK_ENV=\($k)-env", "PATH=/usr/bin:/bin"]}'
}

hooks_bundle() {
	local b=$1 log=$2
	oci_bundle "$b" sleep 1000
	mkdir -p "$b/log"
	oci_edit "$b" "
		.mounts += [{destination: \"/hooklog\", type: \"bind\", source: \"$b/log\",
			     options: [\"rbind\", \"rw\"]}]
		| .annotations = {\"org.example.note\": \"hooked\"}
		| .hooks = {
			prestart: [$(_hook prestart "$b/log/$log")],
			createRuntime: [$(_hook createRuntime "$b/log/$log")],
			createContainer: [$(_hook createContainer "$b/log/$log")],
			startContainer: [$(_hook startContainer "/hooklog/$log" /bin/sh)],
			poststart: [$(_hook poststart "$b/log/$log")],
			poststop: [$(_hook poststop "$b/log/$log")]}"
}

# The records of KIND in the log, one JSON state per line.
_states() {
	awk -v k="$2" '$1 == k { $1 = ""; sub(/ mnt=.*/, ""); print }' "$1"
}

_kinds() {
	awk '{ printf "%s%s", sep, $1; sep = " " }' "$1"
}

_record() {
	grep "^$2 " "$1"
}

# What every record of KIND must show: its status, the pid (none: absent or 0),
# the id, the bundle and the annotations; its own env.
_check_state() {
	local log=$1 kind=$2 status=$3 pid=$4 id=$5 b=$6 s
	s=$(_states "$log" "$kind")
	[[ $(wc -l <<<"$s") == 1 && -n $s ]] || _rf_fail "$kind: ran $(grep -c "^$kind " "$log") times"
	[[ $(jq -r .status <<<"$s") == "$status" ]] || _rf_fail "$kind: state $s, not $status"
	[[ $(jq -r 'if (.pid // 0) == 0 then "none" else .pid end' <<<"$s") == "$pid" ]] ||
		_rf_fail "$kind: pid in $s, not $pid"
	[[ $(jq -r .id <<<"$s") == "$id" && $(jq -r .bundle <<<"$s") == "$b" ]] ||
		_rf_fail "$kind: id or bundle wrong in $s"
	[[ $(jq -r '.annotations["org.example.note"]' <<<"$s") == hooked ]] ||
		_rf_fail "$kind: no annotations in $s"
	[[ $(_record "$log" "$kind") == *"env=$kind-env "* ]] ||
		_rf_fail "$kind: not its own env: $(_record "$log" "$kind")"
}

# Where the peers differ from the spec's state, and ringfence follows it:
# crun 1.8 shows create's hooks the status "created", and those it runs from
# inside the container pid 0, startContainer the status "starting" and the
# bundle "/", and starts createContainer in the bundle, not the root; runc
# 1.1 shows those run from inside pid 1 (the pid in the container's
# namespace), and runs poststart at create, not at start.
_hook_expect() {
	local rt=$1 pid=$2 b=$3
	creating=creating inner=$pid starting=created inner_bundle=$b post_at=start
	create_cwd=$(jq -r .root.path "$b/config.json")
	case $rt in
	crun) creating=created inner=none starting=starting inner_bundle=/ create_cwd=$b ;;
	runc) inner=1 post_at=create ;;
	esac
}

every_hook() {
	local rt=$1 id=hk-$1 b=$BATS_TEST_TMPDIR/hk-$1 log pid host_mnt ctr_mnt after_create
	local creating inner starting inner_bundle post_at create_cwd
	log=$b/log/hooks
	hooks_bundle "$b" hooks
	host_mnt=$(readlink /proc/self/ns/mnt)
	oci_detached "$rt" create --bundle "$b" "$id"
	expect_status 0
	pid=$(oci_state "$rt" "$id" pid)
	ctr_mnt=$(readlink "/proc/$pid/ns/mnt")
	_hook_expect "$rt" "$pid" "$b"
	# create: the first three, in order, and nothing of start's yet.
	after_create="prestart createRuntime createContainer"
	[[ $post_at == create ]] && after_create+=" poststart"
	[[ $(_kinds "$log") == "$after_create" ]] || _rf_fail "after create: $(_kinds "$log")"
	for k in prestart createRuntime; do
		_check_state "$log" "$k" "$creating" "$pid" "$id" "$b"
	done
	_check_state "$log" createContainer "$creating" "$inner" "$id" "$b"
	# prestart and createRuntime in the runtime's namespaces, started in the
	# bundle; createContainer in the container's, before pivot_root (its
	# path, the host's /bin/sh, resolved on the host), in the root.
	[[ $(_record "$log" prestart) == *"mnt=$host_mnt env"* &&
	   $(_record "$log" createRuntime) == *"mnt=$host_mnt env"* ]] ||
		_rf_fail "prestart, createRuntime not in the host's mount namespace: $(cat "$log")"
	[[ $(_record "$log" prestart) == *"cwd=$b" ]] ||
		_rf_fail "prestart did not start in the bundle: $(_record "$log" prestart)"
	[[ $(_record "$log" createContainer) == *"mnt=$ctr_mnt env"* ]] ||
		_rf_fail "createContainer not in the container's mount namespace ($ctr_mnt): $(_record "$log" createContainer)"
	[[ $(_record "$log" createContainer) == *"cwd=$create_cwd" ]] ||
		_rf_fail "createContainer did not start in the root: $(_record "$log" createContainer)"
	oci "$rt" start "$id"
	expect_status 0
	# startContainer runs in the container as start lets it go, poststart
	# in `start` itself: both, in either order.
	rf_wait_for 30 grep -q '^startContainer ' "$log" || _rf_fail "no startContainer: $(_kinds "$log")"
	_check_state "$log" startContainer "$starting" "$inner" "$id" "$inner_bundle"
	[[ $(_record "$log" startContainer) == *"mnt=$ctr_mnt env"* ]] ||
		_rf_fail "startContainer not in the container: $(_record "$log" startContainer)"
	[[ $(_record "$log" startContainer) == *"cwd=/" ]] ||
		_rf_fail "startContainer not in the process's cwd: $(_record "$log" startContainer)"
	_check_state "$log" poststart "$( [[ $post_at == create ]] && echo created || echo running)" \
		"$pid" "$id" "$b"
	oci_wait_status "$rt" "$id" running
	oci "$rt" kill "$id" KILL
	expect_status 0
	oci_wait_status "$rt" "$id" stopped
	! grep -q '^poststop ' "$log" || _rf_fail "poststop before delete"
	oci "$rt" delete "$id"
	expect_status 0
	_check_state "$log" poststop stopped none "$id" "$b"
	[[ $(wc -l <"$log") == 6 ]] || _rf_fail "hooks ran $(wc -l <"$log") times: $(_kinds "$log")"
}
