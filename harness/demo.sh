#!/bin/sh
# The cr demo, run inside the VM by `make run`.
set -x
uname -r
ckpt -o /tmp/self.img 0
ls -l /tmp/self.img
hexdump -C /tmp/self.img | head -12
rstr -i /tmp/self.img
echo "rstr exit status: $?"
set +x
