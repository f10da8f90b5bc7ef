#!/usr/bin/env bats
# The command line itself: help, version, unknown commands.

load ../lib/common

@test "--help exits 0 and lists the run command" {
	rf_run --help
	expect_status 0
	expect_output_contains "Usage: ringfence"
	expect_output_contains "run "
	[[ -z $stderr ]] || _rf_fail "expected nothing on stderr"
}

@test "-h is --help" {
	rf_run -h
	expect_status 0
	expect_output_contains "Usage: ringfence"
}

@test "--version prints the version and the compiled-in features" {
	rf_run --version
	expect_status 0
	[[ ${lines[0]} =~ ^ringfence\ [0-9]+\.[0-9]+\.[0-9]+ ]] ||
		_rf_fail "first line is not \`ringfence X.Y.Z\`"
	# features: +name [(library version)] ...
	[[ ${lines[1]} =~ ^features:(\ [+-][a-z0-9_-]+(\ \([a-z0-9 .-]+\))?)+$ ]] ||
		_rf_fail "second line is not \`features: +name (library X.Y) ...\`"
	expect_output_contains "+seccomp (libseccomp "
	expect_output_contains "+json (yajl "
}

@test "an unknown command exits 125 and names it" {
	rf_run frobnicate
	expect_status 125
	expect_stderr_contains "ringfence: unknown command \`frobnicate\`"
	expect_stderr_contains "--help"
	[[ -z $output ]] || _rf_fail "expected nothing on stdout"
}

@test "no command at all exits 125 with the usage on stderr" {
	rf_run
	expect_status 125
	expect_stderr_contains "Usage: ringfence"
}
