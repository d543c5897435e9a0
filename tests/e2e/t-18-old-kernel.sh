#!/bin/bash
# t-18: on a kernel too old for nslab, `up` says which feature is missing
# and which Linux version provides it, exits 3 and leaves nothing.  An old
# kernel is imitated with a seccomp filter (tests/e2e/helpers/nosys.c) that
# makes one system call fail with ENOSYS, as a kernel without it does.
. "$(dirname "$0")/lib.sh"

cc -O2 -o "$T/nosys" tests/e2e/helpers/nosys.c || die "cannot build tests/e2e/helpers/nosys.c"
sysno() { printf '#include <sys/syscall.h>\n%s\n' "$1" | cc -E -P - | tail -n 1; }
f=$(example_copy topologies/basics/p2p.xml)
for probe in "SYS_fsopen:fsopen, Linux 5.2" "SYS_pidfd_open:pidfd_open (Linux 5.3)" \
	"SYS_close_range:close_range(CLOSE_RANGE_CLOEXEC) (Linux 5.11)"; do
	nr=$(sysno "${probe%%:*}")
	[[ $nr =~ ^[0-9]+$ ]] || { fail "no number for ${probe%%:*}: $nr"; continue; }
	expect_rc 3 "up without ${probe%%:*}" "$T/nosys" "$nr" "$NSLAB" up "$f"
	[[ $ERR == *"too old for nslab"*"${probe#*:}"*"Linux 5.11 or newer"* ]] ||
		fail "without ${probe%%:*}: unexpected message: $ERR"
	[[ $ERR == *"Invalid argument"* ]] && fail "the message is a bare errno: $ERR"
	"$NSLAB" ls | grep -q "^$LAB " && fail "a lab was left after the refusal"
done
# positive control: the same lab comes up without the filter
expect_rc 0 "up with every system call" "$NSLAB" up "$f" && lab_inodes "$LAB"
expect_rc 0 "down" "$NSLAB" down "$LAB"
exit 0
