#!/bin/sh
# The cr demo, run inside the VM by `make run`: a counter is checkpointed
# while it runs, killed, and restarted from its image in a new process; it
# goes on from the same count with the same checksum.
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
