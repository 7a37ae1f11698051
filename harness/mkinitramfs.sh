#!/bin/sh
# Build the VM's initramfs: busybox, our /init, the test runner, the demo,
# the tools (ckpt, rstr) and every selftest program.
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
install -m 755 "$st/ckpt" "$st/rstr" "$root/usr/local/bin/"
# the selftest programs: executables that are not the tools
for f in "$st"/*; do
	case "$(basename "$f")" in ckpt|rstr) continue ;; esac
	[ -f "$f" ] && [ -x "$f" ] && install -m 755 "$f" "$root/cr/tests/"
done
[ -d "$top/harness/rootfs" ] && cp -a "$top/harness/rootfs/." "$root/"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
(cd "$root" && find . | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
