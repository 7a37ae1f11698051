#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The image format has one source of truth, <linux/checkpoint_format.h> and
# <asm/checkpoint_format.h>, shared by the kernel and the tools; this
# checks that nothing drifted from it, as tools/objtool/sync-check.sh
# checks objtool's copies of kernel headers (make check runs it):
#
#  1. the tables, compiled in user space with the shared headers
#     (harness/sync-check.c): every record type has its entry and name,
#     every vma kind, file kind and restart block kind a name, every
#     section its entry, every record type its place in the order; and
#     crinspect has a printer for every record type;
#  2. every row of cr_sections[] (checkpoint/section.c) names a section
#     whose definition fills .name, .write, .read, .restore and .free, with
#     the name cr_section_info() gives its place; every section has a row;
#  3. no tool or test defines its own copy of a constant of the uapi or
#     shared headers (CR_X, or CRI_X for CR_X or CR_X86_X), nor its own
#     table of the record, vma kind, file kind, restart block or clock
#     names the shared headers give;
#  4. every cr_*() function the tools and tests name still exists (in the
#     kernel, the shared headers or the tools);
#  5. Documentation/checkpoint/format.rst's table of sections (after
#     ".. cr-sections") lists the sections of cr_section_info(), in order,
#     with the record types each holds.
#
#   sync-check.sh
# Prints one line per problem and exits non-zero if there is any.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

UAPI=include/uapi/linux/checkpoint.h
UAPI_ARCH=arch/x86/include/uapi/asm/checkpoint.h
FORMAT=include/linux/checkpoint_format.h
FORMAT_ARCH=arch/x86/include/asm/checkpoint_format.h
TOOLS=tools/testing/selftests/checkpoint
KERNEL_C=(checkpoint/*.c arch/x86/checkpoint/*.c)
HEADERS=("$UAPI" "$UAPI_ARCH" "$FORMAT" "$FORMAT_ARCH" include/linux/checkpoint.h)
RST=Documentation/checkpoint/format.rst

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
rc=0
fail() {
	echo "sync-check: $*"
	rc=1
}

# --- 1. the tables ---------------------------------------------------------
# The uapi headers of this tree, as user space includes them.
mkdir -p "$tmp/inc/linux" "$tmp/inc/asm"
cp "$UAPI" "$tmp/inc/linux/checkpoint.h"
cp "$UAPI_ARCH" "$tmp/inc/asm/checkpoint.h"
if ! gcc -std=gnu11 -Wall -Werror -I"$tmp/inc" -o "$tmp/tables" harness/sync-check.c \
	>"$tmp/cc.out" 2>&1; then
	fail "harness/sync-check.c does not build against the shared headers:"
	sed 's/^/  /' "$tmp/cc.out"
	exit 1
fi
"$tmp/tables" >"$tmp/tables.out" || rc=1
grep '^sync-check: ' "$tmp/tables.out"
grep '^record ' "$tmp/tables.out" >"$tmp/records"
grep '^section ' "$tmp/tables.out" >"$tmp/sections"

# crinspect prints every record type: a row of cri_printers[] for each
rec_consts=$(awk '/^enum cr_rec_type \{/ { on = 1; next } on && /^\};/ { exit }
	on && match($0, /CR_REC_[A-Z_]+ = [0-9]+/) { split(substr($0, RSTART, RLENGTH), a, " "); print a[1] }' "$UAPI")
printers=$(awk '/cri_printers\[CR_REC_MAX\]/ { on = 1; next } on && /^\};/ { exit }
	on && match($0, /\[CR_REC_[A-Z_]+\]/) { print substr($0, RSTART + 1, RLENGTH - 2) }' \
	"$TOOLS/crinspect.c")
for c in $rec_consts; do
	grep -qx "$c" <<<"$printers" || fail "$TOOLS/crinspect.c: no printer for $c in cri_printers[]"
done

# --- 2. cr_sections[] and the struct cr_section definitions ---------------------
sec_ids=$(awk '/^enum cr_section_id \{/ { on = 1; next } on && /^\};/ { exit }
	on && match($0, /CR_SEC_[A-Z_]+/) { s = substr($0, RSTART, RLENGTH)
		if (s != "CR_SEC_MAX") print s }' "$FORMAT")
grep -q '=' <<<"$(awk '/^enum cr_section_id \{/,/^\};/' "$FORMAT")" &&
	fail "$FORMAT: enum cr_section_id gives a value: the order is its declaration order"
rows=$(awk '/cr_sections\[CR_SEC_MAX\] = \{/ { on = 1; next } on && /^\};/ { exit }
	on && match($0, /\[CR_SEC_[A-Z_]+\][ \t]*=[ \t]*&[a-z0-9_]+/) {
		s = substr($0, RSTART, RLENGTH); gsub(/[][&= \t]+/, " ", s); print s }' \
	checkpoint/section.c)
[ -n "$rows" ] || fail "checkpoint/section.c: no rows in cr_sections[CR_SEC_MAX]"
i=0
for id in $sec_ids; do
	name=$(awk -v i="$i" '$1 == "section" && $2 == i { print $3 }' "$tmp/sections")
	n=$(awk -v id="$id" '$1 == id' <<<"$rows" | wc -l)
	[ "$n" = 1 ] || fail "checkpoint/section.c: $n rows of cr_sections[] for $id (section $i, $name)"
	var=$(awk -v id="$id" '$1 == id { print $2; exit }' <<<"$rows")
	i=$((i + 1))
	[ -n "$var" ] || continue
	def=$(grep -l "^const struct cr_section $var = {" "${KERNEL_C[@]}" 2>/dev/null)
	if [ "$(wc -w <<<"$def")" != 1 ]; then
		fail "$id: $var is defined in ${def:-no file} of checkpoint/ and arch/x86/checkpoint/"
		continue
	fi
	block=$(awk -v v="$var" '$0 ~ "^const struct cr_section " v " = \\{" { on = 1; next }
		on && /^\};/ { exit } on' "$def")
	for role in name write read restore free; do
		grep -Eq "^[[:space:]]*\.$role[[:space:]]*=[[:space:]]*[^[:space:]]" <<<"$block" ||
			fail "$def: $var (section $id) lacks .$role"
	done
	sname=$(sed -n 's/^[[:space:]]*\.name[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' <<<"$block")
	[ -z "$sname" ] || [ -z "$name" ] || [ "$sname" = "$name" ] ||
		fail "$def: $var is named \"$sname\", cr_section_info($id) \"$name\""
done
for id in $(awk '{ print $1 }' <<<"$rows"); do
	grep -qx "$id" <<<"$sec_ids" || fail "checkpoint/section.c: cr_sections[] row $id is no section"
done

# --- 3. no copies of the format's constants and names in the tools --------------
# CR_* constants of the uapi and shared headers, and their suffixes
grep -ho '^#define[[:space:]]\+CR_[A-Z0-9_]*' "${HEADERS[@]}" | awk '{ print $2 }' |
	sort -u >"$tmp/consts"
sed -e 's/^CR_X86_//' -e 's/^CR_//' "$tmp/consts" | sort -u >"$tmp/suffixes"
for f in "$TOOLS"/*.[ch]; do
	grep -n '^#define[[:space:]]\+[A-Z][A-Z0-9_]*' "$f" | while IFS=: read -r ln def; do
		name=$(awk '{ print $2 }' <<<"$def")
		name=${name%%(*}
		if grep -qx "$name" "$tmp/consts"; then
			echo "$f:$ln: $name is defined by the format's headers: use theirs"
			continue
		fi
		# CRI_O_APPEND, CR_FXSAVE_SIZE, MY_PATH_MAX: a copy under another name
		suffix=$(sed -e 's/^CRI_//' -e 's/^CR_X86_//' -e 's/^CR_//' <<<"$name")
		grep -qx "$suffix" "$tmp/suffixes" ||
			suffix=$(awk -v n="$name" 'length($0) >= 6 &&
				substr(n, length(n) - length($0)) == "_" $0 { print; exit }' \
				"$tmp/suffixes")
		[ -z "$suffix" ] ||
			echo "$f:$ln: $name copies $(grep -E -m1 "^CR_(X86_)?$suffix\$" "$tmp/consts")"
	done
done >"$tmp/copies"
# name tables: a constant of the kind paired with one of the shared names
names_of() {	# prefix regex, names...
	local pfx=$1 n
	shift
	for n in "$@"; do
		grep -nE "(\[|\{)[[:space:]]*$pfx[A-Z0-9_]*[[:space:]]*(\][[:space:]]*=|,)[[:space:]]*\"$n\"" \
			"$TOOLS"/*.[ch] | sed "s/\$/  (a copy of a name table of the shared headers)/"
	done
}
rec_names=$(awk '{ print $3 }' "$tmp/records")
{
	names_of 'CR_REC_' $rec_names
	names_of 'CR_VMA_[A-EG-Z]' anon_private anon_shared file_private file_shared stack heap vdso vvar
	names_of 'CR_FILE_' reg dir chr inherit pipe fifo
	names_of 'CR_RESTART_FN_' none nanosleep
	names_of '(CR_)?CLOCK_' realtime monotonic boottime tai
} | awk '!seen[$0]++' >>"$tmp/copies"
if [ -s "$tmp/copies" ]; then
	rc=1
	sed 's/^/sync-check: /' "$tmp/copies"
fi

# --- 4. functions the tools name must exist ---------------------------------------
grep -ho '\bcr_[a-z0-9_]*()' "$TOOLS"/*.[ch] | sort -u | tr -d '()' | while read -r fn; do
	grep -Eq "^([a-zA-Z_].*[ *])?$fn\(|^#define[[:space:]]+$fn\(" \
		"${KERNEL_C[@]}" "${HEADERS[@]}" "$TOOLS"/*.[ch] ||
		echo "sync-check: $fn() is named in $(grep -l "\b$fn()" "$TOOLS"/*.[ch] | paste -sd' ') but defined nowhere"
done >"$tmp/functions"
if [ -s "$tmp/functions" ]; then
	rc=1
	cat "$tmp/functions"
fi

# --- 5. format.rst's table of sections ---------------------------------------------
# The simple table after ".. cr-sections": section name in the first
# column, its record types as ``name`` in the second; a row may go on on
# lines whose first column is empty.
awk '
	/^\.\. cr-sections[[:space:]]*$/ { on = 1; next }
	on && /^=+( +=+)+[[:space:]]*$/ {
		border++
		if (border == 1) { split($0, a, " "); w1 = length(a[1]); s2 = index(substr($0, w1 + 1), "=") + w1
			rest = substr($0, s2); w2 = index(rest, " ") - 1; if (w2 < 0) w2 = length(rest) }
		if (border == 3) exit
		next
	}
	on && border == 2 {
		name = substr($0, 1, w1); col = substr($0, s2, w2)
		gsub(/[[:space:]]/, "", name)
		if (name != "") { if (cur != "") print cur; cur = name }
		while (match(col, /``[a-z_]+``/)) { cur = cur " " substr(col, RSTART + 2, RLENGTH - 4)
			col = substr(col, RSTART + RLENGTH) }
	}
	END { if (cur != "") print cur }' "$RST" >"$tmp/rst-sections"
# both sides: "name: rec rec ..." with the records sorted
norm() {
	local n rest
	while read -r n rest; do
		rest=$(tr ' ' '\n' <<<"$rest" | grep . | LC_ALL=C sort | paste -sd' ')
		echo "$n:${rest:+ $rest}"
	done
}
awk '{ $1 = ""; $2 = ""; sub(/^ +/, ""); print }' "$tmp/sections" | norm >"$tmp/want"
norm <"$tmp/rst-sections" >"$tmp/got"
if [ ! -s "$tmp/got" ]; then
	fail "$RST: no table of sections after a \".. cr-sections\" line"
elif ! cmp -s "$tmp/want" "$tmp/got"; then
	paste -d'|' "$tmp/want" "$tmp/got" | awk -F'|' -v rst="$RST" '$1 != $2 {
		printf "sync-check: %s: section %d of the table is \"%s\", of cr_section_info() \"%s\"\n",
			rst, NR - 1, $2, $1 }'
	rc=1
fi

if [ "$rc" = 0 ]; then
	echo "sync-check: $(wc -l <"$tmp/records") record types, $(wc -l <"$tmp/sections") sections, tools and $RST in sync"
fi
exit $rc
