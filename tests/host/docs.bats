#!/usr/bin/env bats
# The manual pages and the bash completion agree with the binary: the options
# of `ringfence run --help` (names, arguments, groups), its exit codes, the
# keys of the JSON verdict, the installed paths; and the pages lint clean.

load ../lib/common

setup() {
	man=$RF_BUILDDIR/man
	completion=$RF_SRCDIR/completion/ringfence
	[[ -f $man/ringfence-run.1 ]] ||
		skip "the manual pages are not built in $man (run make)"
}

# render PAGE: the page as plain text, one line per paragraph line, no
# overstrikes, wide enough that no option heading wraps.
render() {
	mandoc -Tascii -O width=250 "$man/$1" | sed 's/.\x08//g'
}

# section TITLE: the lines of one section (from stdin) after its heading.
section() {
	awk -v t="$1" '$0 == t { f = 1; next } /^[A-Z]/ { f = 0 } f'
}

# The option headings of `run --help` as "GROUP|HEAD" lines, in order, e.g.
# "Limits|-m, --memory SIZE"; -h/--help, which belongs to no group, as "|-h, --help".
help_heads() {
	"$RINGFENCE" run --help | awk '
		/^[A-Z][^:]*(\(.*\))?:$/ { g = $0; sub(/ *(\(.*\))?:$/, "", g); next }
		/^ +-/ {
			h = $0; sub(/^ +/, "", h); sub(/  .*/, "", h)
			print (h ~ /^-h, --help/ ? "" : g) "|" h
		}'
}

# The same from ringfence-run.1: its OPTIONS section, .Ss titles as groups.
man_heads() {
	render ringfence-run.1 | section OPTIONS | awk '
		/^   [^ ]/ { g = $0; sub(/^ +/, "", g); next }
		/^     -/ { h = $0; sub(/^ +/, "", h); print g "|" h }'
}

# Option names ("-m", "--memory") from "GROUP|HEAD" lines.
names() {
	cut -d'|' -f2 | grep -oE '(^|, )--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^, //' | sort
}

# complete WORD...: what the completion offers when WORD... is typed, the last
# word being completed, one per line. The first word is $RINGFENCE, so it is
# the binary under test whose --help and profile list the completion reads.
complete() {
	bash -c '
		source "$1" || exit 1
		shift
		COMP_WORDS=("$@") COMP_CWORD=$(($# - 1))
		COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
		_ringfence 2>/dev/null
		printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" "$RINGFENCE" "$@"
}

@test "every option of run --help is in ringfence-run(1), and no other" {
	requires mandoc
	local want got
	want=$(help_heads | names)
	got=$(man_heads | names)
	[[ -n $want ]] || _rf_fail "no options parsed from run --help"
	[[ $want == "$got" ]] ||
		_rf_fail "options differ (< run --help, > ringfence-run.1):
$(diff <(echo "$want") <(echo "$got"))"
}

@test "ringfence-run(1) spells each option's argument as run --help does, in the same groups and order" {
	requires mandoc
	local want got
	# -h, --help belongs to no group (--help shows it last, the page first).
	want=$(help_heads | grep -v '^|')
	got=$(man_heads | grep -v '^|')
	[[ $want == "$got" ]] ||
		_rf_fail "option headings differ (< run --help, > ringfence-run.1):
$(diff <(echo "$want") <(echo "$got"))"
}

@test "the completion offers every option of run --help, and no other" {
	local want got
	want=$( (help_heads | names; echo --) | sort)
	got=$(complete run - | sort)
	[[ $want == "$got" ]] ||
		_rf_fail "options differ (< run --help, > completion):
$(diff <(echo "$want") <(echo "$got"))"
}

@test "the completion knows which run options take a value" {
	local head opt got
	cd "$BATS_TEST_TMPDIR"   # no file here starts with '-'
	while IFS='|' read -r _ head; do
		opt=${head%% *} opt=${opt%,}
		[[ $head == *", "* ]] && opt=${head#*, } opt=${opt%% *}
		got=$(complete run "$opt" -)
		if [[ $head == *" "[A-Z]* ]]; then
			[[ -z $got ]] || _rf_fail "$opt takes a value, yet options are offered after it"
		else
			[[ $got == *--memory* ]] || _rf_fail "$opt takes no value, yet no option is offered after it"
		fi
	done < <(help_heads)
}

@test "the completion's capabilities, namespaces and rlimit names are the ones run accepts" {
	local word
	for word in $(complete run --cap-add ''); do
		rf_run run --cap-add "$word" --help
		expect_status 0
	done
	for word in $(complete run --cap-drop net_); do
		rf_run run --cap-drop "$word" --help
		expect_status 0
	done
	for word in $(complete run --unshare ''); do
		rf_run run --unshare "$word" --help
		expect_status 0
	done
	# run names every rlimit it knows when given one it does not.
	rf_run run --rlimit bogus=1 -- true
	expect_status 125
	local known=${stderr#*known: } want got
	known=${known%%)*}
	want=$(tr -d ' ' <<<"$known" | tr , '\n' | sed 's/$/=/' | sort)
	got=$(complete run --rlimit '' | sort)
	[[ $want == "$got" ]] || _rf_fail "rlimit names differ (< run, > completion):
$(diff <(echo "$want") <(echo "$got"))"
	# ... and the namespaces in its --help.
	want=$("$RINGFENCE" run --help | sed -n 's/.*namespaces: \(.*\) or all$/\1,all/p' | tr , '\n' | sort)
	got=$(complete run --unshare '' | sort)
	[[ -n $want && $want == "$got" ]] || _rf_fail "namespaces differ (< run --help, > completion):
$(diff <(echo "$want") <(echo "$got"))"
}

@test "the completion offers every capability of linux/capability.h" {
	local header=/usr/include/linux/capability.h want got
	[[ -r $header ]] || skip "no $header (linux-libc-dev)"
	want=$(grep -oE '^#define CAP_[A-Z_]+[[:space:]]+[0-9]+' "$header" | awk '{ print $2 }' | sort)
	got=$(complete run --cap-add CAP_ | sort)
	[[ $want == "$got" ]] || _rf_fail "capabilities differ (< $header, > completion):
$(diff <(echo "$want") <(echo "$got"))"
}

@test "the completion completes subcommands and profile names" {
	export RINGFENCE_PROFILE_PATH=$RF_SRCDIR/profiles
	local got
	got=$(complete '' | tr '\n' ' ')
	[[ $got == "run check profile create start state kill delete exec ps list pause resume update events features spec --help --version " ]] ||
		_rf_fail "subcommands: $got"
	got=$(complete run --profile un)
	[[ $got == untrusted ]] || _rf_fail "--profile un: $got"
	got=$(complete profile show '' | tr '\n' ' ')
	[[ $got == "ci-job shell untrusted " ]] || _rf_fail "profile show: $got"
	got=$(complete run --memory 1G -- --pids 1)
	[[ -z $got || $got != *--pids* ]] || _rf_fail "options offered after --"
}

@test "mandoc -Tlint -Wwarning finds nothing in the manual pages" {
	requires mandoc
	local page
	for page in "$man"/ringfence.1 "$man"/ringfence-run.1 "$man"/ringfence-oci.1 \
		"$man"/ringfence-profile.5; do
		[[ -f $page ]] || _rf_fail "$page is missing"
		run_cmd mandoc -Tlint -Wwarning "$page"
		[[ -z $output$stderr ]] || _rf_fail "mandoc -Tlint -Wwarning $page is not clean"
		run_cmd grep -n '@[A-Za-z_]*@' "$page"
		expect_status 1
	done
}

@test "the exit codes in ringfence(1) are those run --help lists" {
	requires mandoc
	local want got
	want=$("$RINGFENCE" run --help | sed -n '/^Exit status:/,$p' | grep -oE '\b1[0-9]{2}\b' | sort -u)
	got=$(render ringfence.1 | section "EXIT STATUS" | grep -oE '^     [0-9]+ ' | tr -d ' ' | sort -u)
	[[ -n $want && $want == "$got" ]] ||
		_rf_fail "exit codes differ (< run --help, > ringfence.1 EXIT STATUS):
$(diff <(echo "$want") <(echo "$got"))"
	# ringfence-run(1) names each of them too.
	got=$(render ringfence-run.1 | section "EXIT STATUS")
	for code in $want; do
		[[ $got == *"$code"* ]] || _rf_fail "ringfence-run.1's EXIT STATUS lacks $code"
	done
}

@test "ringfence-run(1) documents every key of the JSON verdict" {
	requires mandoc jq
	local report=$BATS_TEST_TMPDIR/verdict.json text example want got key
	# A command that cannot start still gets a verdict with every key.
	rf_run run --report "$report" -- rf-docs-no-such-command
	[[ -s $report ]] || _rf_fail "no verdict written"
	text=$(render ringfence-run.1 | section "THE VERDICT")
	# The example is a verdict: the same keys.
	example=$(awk '/^     For example, formatted for reading:/ { f = 1; next } f' <<<"$text")
	paths='[paths | map(tostring) | join(".")] | map(select(startswith("memory.numa.") | not)) | .[]'
	want=$(jq -r "$paths" "$report" | sort)
	got=$(jq -r "$paths" <<<"$example" | sort) || _rf_fail "the example is not JSON"
	[[ $want == "$got" ]] || _rf_fail "keys differ (< a real verdict, > the example):
$(diff <(echo "$want") <(echo "$got"))"
	# Each key is described.
	for key in $(jq -r '[paths | .[-1] | strings] | unique | .[]' "$report"); do
		[[ $text == *"\"$key\""* ]] || _rf_fail "THE VERDICT does not describe \"$key\""
	done
}

@test "the manual pages name the profile directory ringfence searches" {
	requires mandoc
	local dir
	# "... in /etc/ringfence/profiles, then DATADIR/profiles."
	dir=$("$RINGFENCE" profile --help | grep -oE '/[^ ]+/profiles\.$' | tail -1)
	dir=${dir%.}
	[[ $dir == /* ]] || _rf_fail "no data directory in profile --help"
	[[ $(render ringfence.1 | section FILES) == *"$dir/name.json"* ]] ||
		_rf_fail "ringfence.1 FILES does not name $dir"
	[[ $(render ringfence-profile.5) == *"$dir"* ]] ||
		_rf_fail "ringfence-profile.5 does not name $dir"
}
