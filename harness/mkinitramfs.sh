#!/bin/sh
# Build the VM's initramfs: busybox, our /init, the test runner, the demo,
# the tools (ckpt, rstr, crinspect) and every selftest program.
#   mkinitramfs.sh SELFTEST_OUTPUT_DIR OUT.cpio.gz
# Extra files for the VM: put them under harness/rootfs/ (copied as is).
set -e
st=$1
out=$2
top=$(cd "$(dirname "$0")/.." && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/bin "$root"/sbin "$root"/usr/bin "$root"/usr/sbin \
	"$root"/usr/local/bin "$root"/proc "$root"/sys "$root"/dev "$root"/tmp \
	"$root"/etc "$root"/cr/tests "$root"/root
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 755 "$top/harness/init" "$root/init"
install -m 755 "$top/harness/run-tests.sh" "$top/harness/demo.sh" "$root/cr/"
# the tools and helper programs; every other executable is a selftest
tools="ckpt rstr crinspect counter counter_dyn cr_bench compat32"
for t in $tools; do
	install -m 755 "$st/$t" "$root/usr/local/bin/"
done
for f in "$st"/*; do
	case " $tools " in *" $(basename "$f") "*) continue ;; esac
	[ -f "$f" ] && [ -x "$f" ] && install -m 755 "$f" "$root/cr/tests/"
done
# Programs from Debian's packages, dynamically linked, with their
# libraries at the same paths as on the host: real programs nobody here
# wrote, for the end-to-end tests; and CR_EXTRA_PROGS (make bench: criu).
host_progs="/usr/bin/bc /usr/bin/gzip /usr/bin/xz /usr/bin/tail /usr/bin/ipcmk /usr/bin/ipcs
	$CR_EXTRA_PROGS"
for p in $host_progs "$st/counter_dyn"; do
	[ "$p" = "$st/counter_dyn" ] || cp --parents -L "$p" "$root"
	for lib in $(ldd "$p" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		[ -e "$root$lib" ] || cp --parents -L "$lib" "$root"
	done
done
[ -d "$top/harness/rootfs" ] && cp -a "$top/harness/rootfs/." "$root/"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
(cd "$root" && find . | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
