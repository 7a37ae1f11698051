#!/bin/sh
# Run every kselftest program in /cr/tests (or those named as arguments:
# run-tests.sh fuzz files); TAP goes to stdout and to the
# results channel $CR_RESULTS (a serial port the host reads, free of kernel
# console messages).  Each program ends with a CR-TEST-END line carrying
# its exit status, so a crash without TAP totals is still counted.
out=${CR_RESULTS:-/dev/ttyS1}
rc=0
[ $# -gt 0 ] || set -- /cr/tests/*
for t in "$@"; do
	t=/cr/tests/$(basename "$t")
	[ -x "$t" ] || { echo "run-tests: no test $t"; rc=1; continue; }
	name=$(basename "$t")
	echo "CR-TEST-START: $name" | tee -a "$out"
	# into a file, not a pipe: a process the test left behind would hold
	# a pipe open, and the run with it
	"$t" > /tmp/.cr-out 2>&1 </dev/null
	s=$?
	tee -a "$out" < /tmp/.cr-out
	left=0
	for d in /proc/[0-9]*; do
		p=${d#/proc/}
		# user processes only: a kernel thread has no command line
		[ "$p" -gt $$ ] && [ -s "$d/cmdline" ] && kill -9 "$p" 2>/dev/null &&
			left=$((left + 1))
	done
	[ "$left" = 0 ] || echo "run-tests: $name left $left processes behind, killed" | tee -a "$out"
	echo "CR-TEST-END: $name rc=$s" | tee -a "$out"
	[ "$s" = 0 ] || rc=1
done
# On a kmemleak kernel: a scan after the suite; leaks are reported on the
# console ("suspected memory leaks"), which fails the run.
if [ -d /sys/kernel/debug ] && mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null &&
   [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 1
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(grep -c "^unreferenced object" /sys/kernel/debug/kmemleak)
	echo "kmemleak: $leaks unreferenced objects after the suite"
	[ "$leaks" = 0 ] || { cat /sys/kernel/debug/kmemleak; echo "suspected memory leaks"; rc=1; }
fi
exit $rc
