#!/bin/sh
# Install what the build and the VM need, once, on a Debian 12 machine.
# Only missing packages are installed; nothing is done when all are present.
# With arguments, those packages instead (make bench: criu).
set -e
PKGS="linux-source-6.12 qemu-system-x86 busybox-static gcc make flex bison bc
libelf-dev libssl-dev cpio ccache xz-utils perl python3 file
python3-docutils groff-base man-db bsdextrautils libc6-dev sparse gzip"
[ $# -gt 0 ] && PKGS="$*"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
