#!/bin/sh
# Overlay our tree onto the kernel tree $1 by symlinks, file by file, so an
# edit here is an edit there and rebuilds only what depends on it.  Stale
# links (files removed from our tree) are deleted.
set -e
tree=$1
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
git ls-files -co --exclude-standard -- checkpoint arch include tools Documentation |
while read -r f; do
	[ -f "$f" ] || continue
	dst=$tree/$f
	if [ "$(readlink "$dst" 2>/dev/null)" != "$top/$f" ]; then
		mkdir -p "$(dirname "$dst")"
		ln -sfn "$top/$f" "$dst"
	fi
done
find "$tree" -xtype l -lname "$top/*" -delete
