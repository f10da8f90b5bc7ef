#!/bin/bash
# The systemd path's start-up cost, run by `make bench` in a boot of the
# test VM with systemd as PID 1 (tests/vm/run --init systemd): the median of
# RUNS runs of `ringfence run -- true` with the leaf made by cgroupfs (root's
# default) and inside a transient scope (root's --scope; a user's default),
# beside systemd-run --scope -p Delegate=yes, which asks systemd for the same
# kind of scope and does nothing else. The difference is what a scope costs a run. Address-space
# randomisation is off in the guest for every contender. Measurements, not
# assertions.
set -u
RUNS=${RUNS:-21}
RINGFENCE=${RINGFENCE:-ringfence}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

as_user() {
	/usr/bin/setpriv --reuid 1000 --regid 1000 --clear-groups \
		env HOME=/tmp XDG_RUNTIME_DIR=/run/user/1000 "$@"
}

echo 0 >/proc/sys/kernel/randomize_va_space
echo "systemd path: median of $RUNS runs each ($(uname -r), $(systemctl --version | head -n 1))"
declare -A ms
rows=(
	"root: ringfence run true (cgroupfs)|$RINGFENCE run -q -- true"
	"root: ringfence run --scope true|$RINGFENCE run -q --scope -- true"
	"root: systemd-run --scope -p Delegate=yes true|systemd-run --quiet --scope -p Delegate=yes true"
	"uid 1000: env true|as_user env true"
	"uid 1000: ringfence run true (user scope)|as_user $RINGFENCE run -q -- true"
	"uid 1000: systemd-run --user --scope -p Delegate=yes true|as_user systemd-run --user --quiet --scope -p Delegate=yes true"
)
for r in "${rows[@]}"; do
	name=${r%%|*}
	# shellcheck disable=SC2086
	ms[$name]=$(median_ms ${r#*|})
done
printf '%-56s %10s\n' "command" "median ms"
for r in "${rows[@]}"; do
	printf '%-56s %10s\n' "${r%%|*}" "${ms[${r%%|*}]}"
done
scope=${ms["root: ringfence run --scope true"]} plain=${ms["root: ringfence run true (cgroupfs)"]}
peer=${ms["root: systemd-run --scope -p Delegate=yes true"]}
printf 'a scope costs a root run %s ms (%s the cgroupfs run); vs systemd-run --scope: %s\n' \
	"$(awk -v a="$scope" -v b="$plain" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "%.1f", a - b; else print "-" }')" \
	"$(ratio "$scope" "$plain")" "$(ratio "$scope" "$peer")"
uscope=${ms["uid 1000: ringfence run true (user scope)"]}
upeer=${ms["uid 1000: systemd-run --user --scope -p Delegate=yes true"]}
printf 'a user run in its scope vs systemd-run --user --scope: %s\n' "$(ratio "$uscope" "$upeer")"
