#!/usr/bin/env bats
# Slurm 22.05 and munge carried into the VM (tests/vm/packages/slurm) are
# there and work: what the Slurm tests in this directory build on.

load ../../lib/common

setup_file() {
	rf_packages slurm
}

@test "slurmd, slurmctld and slurmstepd are 22.05 under their plain names" {
	requires slurmd slurmctld slurmstepd
	for daemon in slurmd slurmctld; do
		run_cmd "$daemon" -V
		expect_status 0
		expect_output_contains "slurm-wlm 22.05"
	done
	[[ -x /usr/sbin/slurmstepd ]] || _rf_fail "no /usr/sbin/slurmstepd (slurmd runs it by that path)"
}

@test "munged starts and a credential round-trips through munge and unmunge" {
	requires root munged munge unmunge
	local dir=$BATS_TEST_TMPDIR/munge
	mkdir -p "$dir"
	chmod 0700 "$dir"
	mungekey --create --keyfile="$dir/key"
	munged --key-file="$dir/key" --socket="$dir/socket" --pid-file="$dir/pid" \
		--log-file="$dir/log" --seed-file="$dir/seed" --force 3>&-
	rf_wait_for 60 test -S "$dir/socket" || _rf_fail "munged did not open its socket"
	run_cmd bash -c "munge --socket='$dir/socket' -s hello | unmunge --socket='$dir/socket'"
	kill "$(cat "$dir/pid")"
	expect_status 0
	expect_output_contains "STATUS:          Success (0)"
	expect_output_contains hello
}
