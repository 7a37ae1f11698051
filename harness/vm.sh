#!/bin/sh
# Boot the cr test VM under QEMU (TCG).
#   vm.sh KERNEL INITRAMFS OUTDIR [COMMAND]
# With COMMAND: run it in the VM, console to stdout and OUTDIR/console.log,
# results channel (ttyS1) to OUTDIR/results.log; exit with the command's
# status, or 124 if the VM did not report one (timeout, panic, hang).
# Without: an interactive shell on the console (Ctrl-A X quits QEMU).
set -e
kernel=$1
initrd=$2
out=$3
cmd=$4
: "${VM_MEM:=2G}" "${VM_TIMEOUT:=1500}" "${VM_APPEND:=}" "${VM_NUMA=numa=fake=2}" "${VM_SMP:=2}"
# two NUMA nodes (CONFIG_NUMA_EMU): memory policies name a node that exists
append="console=ttyS0 oops=panic panic=-1 $VM_NUMA $VM_APPEND"
mkdir -p "$out"
qemu="qemu-system-x86_64 -machine q35,accel=tcg -cpu max -smp $VM_SMP -m $VM_MEM
	-no-reboot -display none -nodefaults -kernel $kernel"

if [ -z "$cmd" ]; then
	exec $qemu -initrd "$initrd" -serial mon:stdio -serial null -append "$append"
fi

# The command travels as a second cpio archive appended to the initramfs.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/cr"
printf '%s\n' "$cmd" > "$tmp/root/cr/cmd"
(cd "$tmp/root" && find . | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$tmp/cmd.cpio.gz"
cat "$initrd" "$tmp/cmd.cpio.gz" > "$tmp/initrd"
rm -f "$out/results.log"
set +e
timeout -k 10 "$VM_TIMEOUT" $qemu -initrd "$tmp/initrd" \
	-serial stdio -serial "file:$out/results.log" -append "$append cr.batch" </dev/null |
	tee "$out/console.log"
set -e
rc=$(tr -d '\r' < "$out/results.log" 2>/dev/null | sed -n 's/^CR-EXIT: \([0-9]*\).*/\1/p' | tail -1)
if [ -z "$rc" ]; then
	echo "vm: no exit status from the VM (timeout ${VM_TIMEOUT}s, panic or hang); see $out/console.log" >&2
	exit 124
fi
exit "$rc"
