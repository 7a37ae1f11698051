#!/bin/sh
# Run every kselftest program in /cr/tests; TAP goes to stdout and to the
# results channel $CR_RESULTS (a serial port the host reads, free of kernel
# console messages).  Each program ends with a CR-TEST-END line carrying
# its exit status, so a crash without TAP totals is still counted.
out=${CR_RESULTS:-/dev/ttyS1}
rc=0
for t in /cr/tests/*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	echo "CR-TEST-START: $name" | tee -a "$out"
	{ "$t" 2>&1 </dev/null; echo $? > /tmp/.cr-status; } | tee -a "$out"
	s=$(cat /tmp/.cr-status)
	echo "CR-TEST-END: $name rc=$s" | tee -a "$out"
	[ "$s" = 0 ] || rc=1
done
exit $rc
