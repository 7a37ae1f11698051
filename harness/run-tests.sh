#!/bin/sh
# Run every kselftest program in /cr/tests (or those named as arguments:
# run-tests.sh fuzz files); TAP goes to stdout and to the
# results channel $CR_RESULTS (a serial port the host reads, free of kernel
# console messages).  Each program ends with a CR-TEST-END line carrying
# its exit status, so a crash without TAP totals is still counted.
out=${CR_RESULTS:-/dev/ttyS1}
rc=0

# Wait until the running test ended (its status comes down a FIFO: a
# read, no process made meanwhile, which a test counting processes would
# see), then kill every user process it left (a kernel thread has no
# command line; this script's subshells and tee are spared); its status and
# their number into /tmp/.cr-result.
me=$(cat /proc/$$/cmdline)
reap() {
	read -r st < /tmp/.cr-done
	n=0
	for d in /proc/[0-9]*; do
		p=${d#/proc/}
		c=$(cat "$d/cmdline" 2>/dev/null)
		[ "$p" -gt $$ ] && [ -n "$c" ] && [ "$c" != "$me" ] &&
			[ "${c#tee}" = "$c" ] && kill -9 "$p" 2>/dev/null && n=$((n + 1))
	done
	echo "$st $n" > /tmp/.cr-result
}
rm -f /tmp/.cr-done
mkfifo /tmp/.cr-done

[ $# -gt 0 ] || set -- /cr/tests/*
for t in "$@"; do
	t=/cr/tests/$(basename "$t")
	[ -x "$t" ] || { echo "run-tests: no test $t"; rc=1; continue; }
	name=$(basename "$t")
	echo "CR-TEST-START: $name" | tee -a "$out"
	# once the test ended, a process it left behind would hold tee's pipe
	# open, and the run with it: the reaper kills (and counts) them
	rm -f /tmp/.cr-result
	reap &
	reaper=$!
	{ "$t" 2>&1 </dev/null; echo $? > /tmp/.cr-done; } | tee -a "$out"
	wait $reaper
	read -r s left < /tmp/.cr-result
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
