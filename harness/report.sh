#!/bin/sh
# Judge a test run: $1 the results channel (TAP), $2 the console log.
# Prints the kselftest totals summed as "N passed, N failed"; exits non-zero
# on any failure, a VM that did not finish, or a kernel splat.
res=$1
log=$2
tr -d '\r' < "$res" > "$res.txt"
pass=$(sed -n 's/^# Totals: pass:\([0-9]*\) fail:\([0-9]*\).*/\1/p' "$res.txt" | awk '{s+=$1} END {print s+0}')
fail=$(sed -n 's/^# Totals: pass:\([0-9]*\) fail:\([0-9]*\).*/\2/p' "$res.txt" | awk '{s+=$1} END {print s+0}')
# A program that failed without reporting a failing test (crash, bad TAP).
for name in $(sed -n 's/^CR-TEST-END: \([^ ]*\) rc=[1-9].*/\1/p' "$res.txt"); do
	n=$(sed -n "/^CR-TEST-START: $name\$/,/^CR-TEST-END: $name /p" "$res.txt" |
	    sed -n 's/^# Totals: pass:[0-9]* fail:\([0-9]*\).*/\1/p')
	if [ "${n:-0}" = 0 ]; then
		echo "report: $name exited non-zero without a failing test"
		fail=$((fail + 1))
	fi
done
bad=0
if ! grep -q '^CR-EXIT: ' "$res.txt"; then
	echo "report: the VM did not finish the run (timeout, panic or hang)"
	bad=1
fi
splat='(BUG:|WARNING:|Oops|KASAN:|UBSAN:|suspected memory leak|INFO: task .* blocked|INFO: possible|Kernel panic|general protection fault|Call Trace:|cut here)'
# A user-mode fault of a process is not a kernel splat: the kernel logs
# "traps: COMM[PID] general protection fault ip:... sp:..." for one, as
# hostile images restarted with a non-canonical stack pointer give.
user_trap=' traps: [^ ]*\[[0-9]+\] general protection fault ip:'
# Nor is the report of a memory cgroup's OOM killer (cgroups.c restarts
# past memory.max): its header, stack and task list, up to the kill.  A
# report that ends otherwise (a global OOM) or not within 300 lines is kept.
unoom() {
	awk 'function flush() { for (i = 0; i < n; i++) print buf[i]; n = 0; on = 0 }
	     /invoked oom-killer:/ { flush(); on = 1 }
	     { line = NR ": " $0 }
	     on { buf[n++] = line
		  if (/Memory cgroup out of memory: Killed process/) { n = 0; on = 0 }
		  else if (/Killed process/ || n >= 300) flush()
		  next }
	     { print line }
	     END { flush() }' "$log"
}
if unoom | grep -E "$splat" | grep -Evq "$user_trap"; then
	echo "report: kernel splat in the console log ($log):"
	unoom | grep -E "$splat" | grep -Ev "$user_trap" | head -20
	bad=1
fi
grep '^not ok ' "$res.txt" | sed 's/^/report: /'
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$bad" = 0 ]
