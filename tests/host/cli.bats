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

@test "--version prints the version, the runtime spec and the compiled-in features" {
	rf_run --version
	expect_status 0
	# go-runc and podman read the first line as `NAME version X`
	[[ ${lines[0]} =~ ^ringfence\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]] ||
		_rf_fail "first line is not \`ringfence version X.Y.Z\`"
	[[ ${lines[1]} =~ ^spec:\ 1\.[0-9]+\.[0-9]+$ ]] || _rf_fail "second line is not \`spec: 1.x\`"
	# features: +name [(library version)] ...
	[[ ${lines[2]} =~ ^features:(\ [+-][a-z0-9_-]+(\ \([a-z0-9 .-]+\))?)+$ ]] ||
		_rf_fail "third line is not \`features: +name (library X.Y) ...\`"
	expect_output_contains "+seccomp (libseccomp "
	expect_output_contains "+json (yajl "
}

@test "--version says how the binary is linked, and the ELF header agrees" {
	rf_run --version
	expect_status 0
	local type link
	# e_type at offset 16: 2 is a fixed-address executable, 3 a PIE.
	type=$(od -An -t u2 -j 16 -N 2 "$RINGFENCE" | tr -d ' ')
	case ${lines[2]} in
	*" +static-pie"* | *" +pie"*) link=pie want=3 ;;
	*" -pie"*) link=fixed want=2 ;;
	*) _rf_fail "no +static-pie, +pie or -pie in: ${lines[2]}" ;;
	esac
	[[ $type == "$want" ]] || _rf_fail "--version says $link, but the ELF type is $type"
	# Only an explicit --enable-static-binary=fixed gives up a PIE.
	if [[ $link == fixed ]]; then
		grep -q -- '--enable-static-binary=fixed' "$RF_BUILDDIR/config.log" ||
			_rf_fail "a fixed-address binary without --enable-static-binary=fixed"
	fi
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
