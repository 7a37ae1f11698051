#!/bin/sh
# The cr demo, run inside the VM by `make run`: a counter is checkpointed
# while it runs, killed, and restarted from its image in a new process; it
# goes on from the same count with the same checksum.  Then a shell
# pipeline, a tree of processes, is frozen, checkpointed whole, killed and
# restarted with its pids: it goes on from the line it was at.
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "a counter prints a count and a checksum of a 2 MiB buffer it rewrites"
counter 12 300 &
pid=$!
sleep 1.5
say "ckpt --stop --kill -o /tmp/counter.img $pid   (checkpoint, then kill -9)"
ckpt --stop --kill -o /tmp/counter.img $pid || exit 1
wait $pid 2>/dev/null
ls -l /tmp/counter.img
say "the counter is gone; rstr -i /tmp/counter.img brings it back"
rstr -i /tmp/counter.img
say "for comparison, an uninterrupted run:"
counter 12 0 | tail -1

say "a shell pipeline: sh, a producer loop with its sleeps, a consumer"
sh -c 'i=0; while [ $i -lt 10 ]; do i=$((i+1)); echo $i; sleep 0.4; done |
	while read n; do echo "pipeline line $n"; done' &
pid=$!
sleep 1.7
say "ckpt --freeze --kill -o /tmp/tree.img $pid   (the whole tree: frozen, saved, killed)"
ckpt --freeze --kill -o /tmp/tree.img $pid || exit 1
wait $pid 2>/dev/null
say "rstr -i /tmp/tree.img: every process back with its pid, the pipe with its bytes"
rstr -i /tmp/tree.img
