#!/bin/sh
# Apply our integration patches (patches/*.patch) to the kernel tree $1.
# Applied patches are remembered in $1/.cr-applied/; a patch that changed or
# disappeared from patches/ is reverted first, so the tree always matches.
set -e
tree=$1
pdir=$(cd "$(dirname "$0")/../patches" && pwd)
state=$tree/.cr-applied
mkdir -p "$state"
# revert, newest first, whatever no longer matches patches/
for old in $(ls -r "$state"); do
	if ! cmp -s "$state/$old" "$pdir/$old"; then
		echo "patches: reverting $old"
		patch -d "$tree" -p1 -R -s < "$state/$old"
		rm "$state/$old"
	fi
done
for p in "$pdir"/*.patch; do
	name=$(basename "$p")
	[ -f "$state/$name" ] && continue
	echo "patches: applying $name"
	# all or nothing: a patch that does not apply leaves the tree alone
	patch -d "$tree" -p1 -N -s --dry-run < "$p" >/dev/null
	patch -d "$tree" -p1 -N -s < "$p"
	cp "$p" "$state/$name"
done
