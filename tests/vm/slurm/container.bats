#!/usr/bin/env bats
# Slurm's OCI container support (oci.conf, `srun --container BUNDLE`) with
# ringfence as the runtime, and crun on the same bundle as the reference.
# Slurm 22.05 runs RunTimeRun through /bin/sh -c and takes the runtime's
# exit status as the task's; it insists on RunTimeQuery, RunTimeKill and
# RunTimeDelete too, and uses them to clean up after the task. It rewrites
# the bundle's config.json into its spool (%b): root.path, process.args, env.

load ../../lib/common
load slurm

BUNDLE=/tmp/rf-oci-bundle

setup_file() {
	[[ -n ${RF_IN_VM:-} ]] || return 0
	slurm_start ConstrainRAMSpace=no RequeueExit=122,125	# as jobs.bats: one start
	# A busybox root filesystem, and crun's default spec for it.
	rm -rf "$BUNDLE"
	mkdir -p "$BUNDLE"/rootfs/{bin,proc,dev,sys,tmp,etc}
	cp /bin/busybox "$BUNDLE/rootfs/bin/"
	local a
	for a in sh echo cat true false id sleep; do ln -s busybox "$BUNDLE/rootfs/bin/$a"; done
	echo rootfs >"$BUNDLE/rootfs/etc/rf-marker"   # only inside the bundle's root
	(cd "$BUNDLE" && crun spec)
	jq '.process.terminal = false | .linux.resources.memory.limit = 33554432' \
		"$BUNDLE/config.json" >"$BUNDLE/config.new" && mv "$BUNDLE/config.new" "$BUNDLE/config.json"
	mkdir -p /var/log/ringfence
}

teardown_file() {
	[[ -n ${RF_IN_VM:-} ]] || return 0
	rm -f /etc/slurm/oci.conf
	rm -rf "$BUNDLE" /var/log/ringfence
}

rf_teardown() {
	slurm_assert_clean
}

# oci_conf crun|ringfence: the runtime for the next steps (slurmstepd reads
# oci.conf for every step), each with a state directory of its own. The
# container id is Slurm's node.user.job.step.task.
oci_conf() {
	local rt="$1 --root=/run/$1-slurm" id=%n.%u.%j.%s.%t
	cat >/etc/slurm/oci.conf <<-EOT
	RunTimeQuery="$rt state $id"
	RunTimeKill="$rt kill -a $id"
	RunTimeDelete="$rt delete --force $id"
	RunTimeRun="$rt run --bundle %b $id"
	EOT
}

@test "srun --container: ringfence gives what crun gives on the same bundle (output, exit code)" {
	requires root srun crun
	local rt out=() st=()
	for rt in crun ringfence; do
		oci_conf "$rt"
		run_cmd srun --container "$BUNDLE" sh -c 'echo in-$(cat /etc/rf-marker)-$(id -u); exit 3'
		out+=("$output") st+=("$status")
	done
	[[ ${st[0]} == 3 && ${st[1]} == 3 ]] || _rf_fail "exit codes: crun ${st[0]}, ringfence ${st[1]}"
	[[ ${out[0]} == in-rootfs-0 && ${out[1]} == in-rootfs-0 ]] ||
		_rf_fail "output: crun '${out[0]}', ringfence '${out[1]}'"
}

@test "srun --container: an OOM at the bundle's limit is 137 for both, and ringfence keeps its verdict" {
	requires root srun crun
	local rt st=()
	rm -f /run/ringfence-slurm/*.verdict.json
	for rt in crun ringfence; do
		oci_conf "$rt"
		run_cmd srun --container "$BUNDLE" sh -c 'x=0123456789; while :; do x=$x$x; done'
		st+=("$status")
	done
	[[ ${st[0]} == 137 && ${st[1]} == 137 ]] || _rf_fail "exit codes: crun ${st[0]}, ringfence ${st[1]}"
	# The container's verdict, kept under the runtime's --root by its id.
	run_cmd sh -c 'ls /run/ringfence-slurm/*.verdict.json'
	expect_status 0
	[[ $output == /run/ringfence-slurm/node1.root.*.0.0.verdict.json ]] || _rf_fail "verdicts: $output"
	expect_json "$output" verdict oom-limit
}

@test "oci.conf with ringfence's own run: its exit codes (121) and a report named by Slurm's job id" {
	requires root srun sacct
	# Slurm expands %j itself; the command has no SLURM_* variables of its own.
	cat >/etc/slurm/oci.conf <<-'EOT'
	RunTimeQuery="ringfence --root=/run/ringfence-slurm state %n.%u.%j.%s.%t"
	RunTimeKill="ringfence --root=/run/ringfence-slurm kill -a %n.%u.%j.%s.%t"
	RunTimeDelete="ringfence --root=/run/ringfence-slurm delete --force %n.%u.%j.%s.%t"
	RunTimeRun="ringfence run -q --report /var/log/ringfence/%j.json --bundle %b"
	EOT
	run_cmd srun --container "$BUNDLE" sh -c 'x=0123456789; while :; do x=$x$x; done'
	expect_status 121
	local report
	report=$(slurm_report /var/log/ringfence)
	expect_json "$report" verdict oom-limit
}
