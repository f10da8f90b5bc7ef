#!/usr/bin/env bats
# Identity and environment: --user, --groups, --clearenv, --setenv, --unsetenv.

load ../lib/common

status_field() {	# status_field NAME: the field from the payload's /proc/self/status in $output
	printf '%s\n' "$output" | sed -n "s/^$1:[[:space:]]*//p" | tr -s '[:space:]' ' ' | sed 's/ $//'
}

@test "--user 1000 runs as uid 1000 (real, effective, saved, fs) with groups cleared" {
	requires root cgroup2
	rf_run run --user 1000 -- cat /proc/self/status
	expect_status 0
	[[ $(status_field Uid) == "1000 1000 1000 1000" ]] || _rf_fail "Uid: $(status_field Uid)"
	# uid 1000 is `rf` in the VM's passwd, primary group 1000.
	[[ $(status_field Gid) == "1000 1000 1000 1000" ]] || _rf_fail "Gid: $(status_field Gid)"
	[[ -z $(status_field Groups) ]] || _rf_fail "Groups: $(status_field Groups), expected none"
}

@test "--user with a name, a group and --groups" {
	requires root cgroup2
	rf_run run --user rf:5 --groups 7,root,7 -- cat /proc/self/status
	expect_status 0
	[[ $(status_field Uid) == "1000 1000 1000 1000" ]] || _rf_fail "Uid: $(status_field Uid)"
	[[ $(status_field Gid) == "5 5 5 5" ]] || _rf_fail "Gid: $(status_field Gid)"
	[[ $(status_field Groups) == "0 7" || $(status_field Groups) == "7 0" ]] ||
		_rf_fail "Groups: $(status_field Groups)"
}

@test "a numeric uid without a passwd entry runs with its own number as gid" {
	requires root cgroup2
	rf_run run --user 4321 -- id
	expect_status 0
	expect_output_contains "uid=4321"
	expect_output_contains "gid=4321"
}

@test "the switched payload cannot get root back" {
	requires root cgroup2 setpriv
	rf_run run --user 1000 -- sh -c '/usr/bin/setpriv --reuid 0 true; echo "rc=$?"'
	expect_status 0
	expect_output_not_contains "rc=0"
	expect_stderr_contains "Operation not permitted"
	rf_run run --user 1000 -- sh -c 'touch /root/rf-x'
	expect_status 1
	expect_stderr_contains "Permission denied"
}

@test "an unknown user or group is refused at plan time, naming it" {
	requires root cgroup2
	rf_run run --user no-such-user-rf -- true
	expect_status 125
	expect_stderr_contains "unknown user \`no-such-user-rf\` (not in /etc/passwd;"
	expect_stderr_contains '--user "$(id -u no-such-user-rf)"'
	rf_run run --user 1000:no-such-group-rf -- true
	expect_status 125
	expect_stderr_contains "unknown group \`no-such-group-rf\` (not in /etc/group;"
	rf_run run --groups 1,,2 -- true
	expect_status 125
	expect_stderr_contains "is not a group list"
}

@test "--clearenv keeps nothing, not even PATH; --user does not add HOME" {
	requires root cgroup2
	rf_run run --clearenv --user 1000 -- /usr/bin/env
	expect_status 0
	[[ -z $output ]] || _rf_fail "environment not empty"
	rf_run run --clearenv --setenv A=1 --setenv B=x=y -- /usr/bin/env
	expect_status 0
	[[ $output == $'A=1\nB=x=y' ]] || _rf_fail "unexpected environment"
}

@test "--setenv and --unsetenv apply in order over the caller's environment" {
	requires root cgroup2
	RF_OUTER=outer RF_GONE=1 rf_run run --unsetenv RF_GONE --setenv RF_NEW=2 --setenv RF_OUTER=inner \
		--setenv RF_TEMP=1 --unsetenv RF_TEMP -- /usr/bin/env
	expect_status 0
	expect_output_contains "RF_OUTER=inner"
	expect_output_contains "RF_NEW=2"
	expect_output_not_contains "RF_GONE"
	expect_output_not_contains "RF_TEMP"
	expect_output_contains "PATH="
}
