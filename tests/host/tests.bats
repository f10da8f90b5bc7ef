#!/usr/bin/env bats
# The tests themselves: an assertion is a command that fails when its
# condition does not hold.

load ../lib/common

# rf_show only prints the last command: after `||` it makes a check that
# always passes (30 did so before this test); _rf_fail prints and fails.
@test "no check falls back on rf_show, which prints and succeeds" {
	local found
	found=$(find "$RF_SRCDIR/tests" -name '*.bats' -o -name '*.bash' | sort |
		xargs awk '
			/\|\|[[:space:]]*rf_show[[:space:]]*$/ ||
			(/^[[:space:]]*rf_show[[:space:]]*$/ && prev ~ /\|\|[[:space:]]*$/) {
				print FILENAME ":" FNR ": " $0
			}
			{ prev = $0 }')
	[[ -z $found ]] || _rf_fail "checks that cannot fail:"$'\n'"$found"
}
