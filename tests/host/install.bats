#!/usr/bin/env bats
# `make install` puts the binary, the manual pages, the profiles, the default
# seccomp profile and the bash completion where the configured directories
# say, and the binary looks for its profiles where they went.

load ../lib/common

setup() {
	[[ -f $RF_BUILDDIR/Makefile ]] ||
		skip "$RF_BUILDDIR has no Makefile: not a configured build tree"
	requires make
	root=$BATS_TEST_TMPDIR/root
}

# make ARGS... in the build tree, unaffected by an enclosing make (make check).
build_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$RF_BUILDDIR" "$@"
}

# The installation directories as the build tree's Makefile has them.
read_dirs() {
	local vars
	vars=$(printf 'rf-print-dirs:\n\t@echo $(bindir) $(man1dir) $(man5dir) $(pkgdatadir) $(bashcompletiondir)\n' |
		build_make -s -f Makefile -f - rf-print-dirs) || return 1
	read -r bindir man1dir man5dir pkgdatadir compdir <<<"$vars"
	[[ $bindir == /* && $man1dir == /* && $pkgdatadir == /* ]] ||
		_rf_fail "could not read the installation directories: $vars"
}

expect_installed() {	# expect_installed FILE [SOURCE]: present (and equal to SOURCE)
	[[ -f $root$1 ]] || _rf_fail "not installed: $1"
	[[ -z ${2-} ]] || cmp -s "$root$1" "$2" || _rf_fail "$1 differs from $2"
}

@test "make install puts every file in its place" {
	read_dirs
	run_cmd build_make install DESTDIR="$root"
	expect_status 0

	[[ -x $root$bindir/ringfence ]] || _rf_fail "not installed: $bindir/ringfence"
	expect_installed "$man1dir/ringfence.1"
	expect_installed "$man1dir/ringfence-run.1"
	expect_installed "$man5dir/ringfence-profile.5"
	for p in ci-job shell untrusted; do
		expect_installed "$pkgdatadir/profiles/$p.json" "$RF_SRCDIR/profiles/$p.json"
	done
	expect_installed "$pkgdatadir/profiles/seccomp/default.json" \
		"$RF_SRCDIR/profiles/seccomp/default.json"
	for p in gitlab/run-exec htcondor/job-wrapper; do
		expect_installed "$pkgdatadir/contrib/$p" "$RF_SRCDIR/contrib/$p"
		[[ -x $root$pkgdatadir/contrib/$p ]] || _rf_fail "$p is not executable"
	done
	for p in gitlab/README.md htcondor/README.md kubernetes/README.md \
		kubernetes/containerd-ringfence.toml kubernetes/runtimeclass.yaml slurm/README.md; do
		expect_installed "$pkgdatadir/contrib/$p" "$RF_SRCDIR/contrib/$p"
	done
	if [[ -n $compdir ]]; then
		expect_installed "$compdir/ringfence" "$RF_SRCDIR/completion/ringfence"
	fi
}

@test "the installed binary and pages name the directory the profiles went to" {
	read_dirs
	run_cmd build_make install DESTDIR="$root"
	expect_status 0
	run_cmd "$root$bindir/ringfence" profile --help
	expect_status 0
	expect_output_contains "$pkgdatadir/profiles."
	grep -q "$pkgdatadir/profiles" "$root$man1dir/ringfence.1" ||
		_rf_fail "ringfence.1 does not name $pkgdatadir/profiles"
	grep -q "$pkgdatadir/profiles" "$root$man5dir/ringfence-profile.5" ||
		_rf_fail "ringfence-profile.5 does not name $pkgdatadir/profiles"
}

@test "make uninstall removes every file make install put there" {
	run_cmd build_make install DESTDIR="$root"
	expect_status 0
	run_cmd build_make uninstall DESTDIR="$root"
	expect_status 0
	run_cmd find "$root" -type f
	[[ -z $output ]] || _rf_fail "left behind after make uninstall"
}
