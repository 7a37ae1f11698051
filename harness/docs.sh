#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Check the cr documentation; exit non-zero on any problem.
#
#  - Documentation/checkpoint/*.rst: SPDX line, a title, lines of at most
#    100 columns, docutils with warnings as errors (toctree and :doc: are
#    Sphinx's: stand-ins check that what they name exists), every page in
#    the index's toctree;
#  - format.rst against include/uapi/linux/checkpoint.h and the
#    <asm/checkpoint.h> it includes (arch/x86/include/uapi/asm/): every
#    CR_* constant of both named, every struct table's offsets, sizes and
#    types, the values of the constants in its tables (compiled with gcc);
#  - man/man?/*.?: SPDX line, .TH matching the file name, `groff -ww -man
#    -z` silent, `man -l` (MANWIDTH=80) silent with the usual sections and
#    no line over 80 columns, the EXAMPLES program compiled with -Werror;
#  - the arguments of each SYSCALL_DEFINE in checkpoint/sys.c against the
#    SYNOPSIS of its man page and the prototype in usage.rst, and the long
#    options of ckpt, rstr and crinspect against the OPTIONS of their pages.
#
# CR_UAPI_HDR=path/to/checkpoint.h checks format.rst against another header
# (and the asm/checkpoint.h next to its directory, if there is one).
# Needs python3-docutils, groff-base, man-db, bsdextrautils, gcc, libc6-dev
# (harness/deps.sh installs them).
set -u
cd "$(dirname "$0")/.." || exit 2
DOC=Documentation/checkpoint
HDR=${CR_UAPI_HDR:-include/uapi/linux/checkpoint.h}
HDR_ARCH=arch/x86/include/uapi/asm/checkpoint.h
if [ -n "${CR_UAPI_HDR:-}" ] && [ -f "$(dirname "$HDR")/../asm/checkpoint.h" ]; then
	HDR_ARCH=$(dirname "$HDR")/../asm/checkpoint.h
fi
RST_FILES="index usage format design"
MAN_FILES="man2/checkpoint.2 man2/restart.2 man1/ckpt.1 man1/rstr.1 man1/crinspect.1"

TMP=$(mktemp -d) || exit 2
trap 'rm -rf "$TMP"' EXIT
problems=0
fail() {
	echo "docs: $*" >&2
	problems=$((problems + 1))
}

# --- tools -------------------------------------------------------------------
PY=""
for p in /usr/bin/python3 python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import docutils' 2>/dev/null; then
		PY=$p
		break
	fi
done
[ -n "$PY" ] || fail "no python3 with docutils (apt-get install python3-docutils)"
for t in groff man col gcc; do
	command -v $t >/dev/null 2>&1 || fail "$t not found (harness/deps.sh installs it)"
done
if [ "$problems" -ne 0 ]; then
	echo "docs: FAILED: missing tools" >&2
	exit 2
fi

for f in $RST_FILES; do
	[ -f "$DOC/$f.rst" ] || fail "$DOC/$f.rst is missing"
done
for f in $MAN_FILES; do
	[ -f "man/$f" ] || fail "man/$f is missing"
done
[ -f "$HDR" ] || fail "$HDR is missing"
[ -f "$HDR_ARCH" ] || fail "$HDR_ARCH is missing"

# --- reStructuredText and the format tables --------------------------------------
mkdir -p "$TMP/inc/linux" "$TMP/inc/asm"
[ -f "$HDR" ] && cp "$HDR" "$TMP/inc/linux/checkpoint.h"
[ -f "$HDR_ARCH" ] && cp "$HDR_ARCH" "$TMP/inc/asm/checkpoint.h"
"$PY" - "$DOC" "$TMP/inc/linux/checkpoint.h" "$TMP/format-check.c" "$TMP/inc/asm/checkpoint.h" <<'EOF'
import io, os, re, shlex, sys
import docutils.core, docutils.nodes, docutils.utils
from docutils.parsers.rst import Directive, directives, roles

doc_dir, hdr, cfile, hdr_arch = sys.argv[1:5]
bad = []
toctree = []
docrefs = []
current = [None]

class TocTree(Directive):
    """Sphinx's toctree: here only the names it lists are collected."""
    has_content = True
    option_spec = {o: directives.unchanged for o in
                   ('maxdepth', 'caption', 'numbered', 'hidden', 'glob',
                    'titlesonly', 'reversed', 'name', 'class')}
    def run(self):
        toctree.extend(l.strip() for l in self.content if l.strip())
        return []

def doc_role(name, rawtext, text, lineno, inliner, options={}, content=[]):
    m = re.match(r'^(.*?)\s*<([^>]+)>$', text)
    docrefs.append((current[0], (m.group(2) if m else text).strip()))
    return [docutils.nodes.literal(rawtext, text)], []

directives.register_directive('toctree', TocTree)
roles.register_local_role('doc', doc_role)

rsts = sorted(f for f in os.listdir(doc_dir) if f.endswith('.rst'))
for name in rsts:
    path = os.path.join(doc_dir, name)
    current[0] = path
    src = open(path, encoding='utf-8').read()
    lines = src.split('\n')
    if lines[0] != '.. SPDX-License-Identifier: GPL-2.0':
        bad.append(f'{path}:1: first line is not ".. SPDX-License-Identifier: GPL-2.0"')
    for i, l in enumerate(lines, 1):
        if len(l) > 100:
            bad.append(f'{path}:{i}: line longer than 100 columns')
        if l.rstrip() != l:
            bad.append(f'{path}:{i}: trailing white space')
    warnings = io.StringIO()
    try:
        tree = docutils.core.publish_doctree(src, source_path=path, settings_overrides={
            'halt_level': 2, 'report_level': 2, 'warning_stream': warnings,
            'file_insertion_enabled': False, 'raw_enabled': False,
            'input_encoding': 'utf-8'})
        docutils.core.publish_from_doctree(tree, writer_name='html5', settings_overrides={
            'halt_level': 2, 'report_level': 2, 'warning_stream': warnings,
            'output_encoding': 'unicode'})
        if not tree.get('title'):
            bad.append(f'{path}: no document title')
    except docutils.utils.SystemMessage as e:
        bad.append(f'{path}: docutils: {e}')
        continue
    if warnings.getvalue().strip():
        bad.append(f'{path}: docutils: {warnings.getvalue().strip()}')

names = {n[:-4] for n in rsts}
for entry in toctree:
    if entry not in names:
        bad.append(f'{doc_dir}/index.rst: toctree names "{entry}", which does not exist')
for n in sorted(names - {'index'} - set(toctree)):
    bad.append(f'{doc_dir}/{n}.rst is not in the toctree of index.rst')
for path, target in docrefs:
    if target not in names:
        bad.append(f'{path}: :doc: names "{target}", which does not exist')

# format.rst against the uapi header
fmt_path = os.path.join(doc_dir, 'format.rst')
if os.path.exists(fmt_path) and os.path.exists(hdr):
    fmt = open(fmt_path, encoding='utf-8').read()
    for h, hname in ((hdr, 'linux/checkpoint.h'), (hdr_arch, 'asm/checkpoint.h')):
        htext = open(h, encoding='utf-8').read() if os.path.exists(h) else ''
        for ident in sorted(set(re.findall(r'\bCR_[A-Z0-9_]*[A-Z0-9]\b', htext))):
            if not re.search(r'\b%s\b' % ident, fmt):
                bad.append(f'{fmt_path}: {ident} (in {hname}) is not described')
    c = ['#include <stddef.h>', '#include <linux/checkpoint.h>',
         '#define T(a, b) __builtin_types_compatible_p(a, b)']
    flines = fmt.split('\n')
    ntables = 0
    for i, l in enumerate(flines):
        m = re.match(r'^\.\. cr-struct: (\w+)\s*$', l)
        if not m:
            continue
        st = 'struct ' + m.group(1)
        borders, rows, j = 0, [], i + 1
        while j < len(flines) and borders < 3:
            if re.match(r'^=+( +=+)*\s*$', flines[j]):
                borders += 1
            elif borders == 2:
                r = re.match(r'^(\d+)\s+(\d+)\s+(\S+)\s+``(\w+)``', flines[j])
                if r:
                    rows.append((j + 1, int(r.group(1)), int(r.group(2)),
                                 r.group(3), r.group(4)))
            j += 1
        if not rows:
            bad.append(f'{fmt_path}:{i + 1}: no table rows after cr-struct {m.group(1)}')
            continue
        ntables += 1
        end = 0
        for ln, off, size, typ, field in rows:
            where = f'{os.path.basename(fmt_path)}:{ln}'
            if off != end:
                bad.append(f'{fmt_path}:{ln}: {st}.{field} at {off}, expected {end} '
                           '(a field missing from the table?)')
            end = off + size
            t = re.match(r'^(\w+)(\[\d+\])?$', typ)
            ctype = typ if not t else (('struct ' if t.group(1).startswith('cr_') else '')
                                       + t.group(1) + (t.group(2) or ''))
            c.append(f'_Static_assert(offsetof({st}, {field}) == {off}, '
                     f'"{where}: offset of {st}.{field}");')
            c.append(f'_Static_assert(sizeof((({st} *)0)->{field}) == {size}, '
                     f'"{where}: size of {st}.{field}");')
            c.append(f'_Static_assert(T(__typeof__((({st} *)0)->{field}), {ctype}), '
                     f'"{where}: type of {st}.{field}");')
        c.append(f'_Static_assert(sizeof({st}) == {end}, '
                 f'"{os.path.basename(fmt_path)}:{rows[-1][0]}: size of {st}");')
    # constant values stated in tables and in the text
    for i, l in enumerate(flines, 1):
        where = f'{os.path.basename(fmt_path)}:{i}'
        for pat, expr in ((r'^(\d+)\s+``(CR_\w+)``', r'(\2) == \1'),
                          (r'^``(CR_\w+)``\s+(0x[0-9a-f]+|\d+ << \d+|\d+)(\s|$)', r'(\1) == \2'),
                          (r'^``(CR_\w+)``\s+bit (\d+)(\s|$)', r'(\1) == (1ULL << \2)'),
                          (r'format version (\d+) \(``(CR_FORMAT_VERSION)``\)', r'(\2) == \1')):
            m = re.search(pat, l)
            if m:
                e = m.expand(expr)
                c.append(f'_Static_assert({e}, "{where}: {e} is false");')
    if ntables == 0:
        bad.append(f'{fmt_path}: no cr-struct tables found')
    open(cfile, 'w').write('\n'.join(c) + '\n')

# system call prototypes: checkpoint/sys.c against the man pages and usage.rst
usage_path = os.path.join(doc_dir, 'usage.rst')
usage = open(usage_path, encoding='utf-8').read() if os.path.exists(usage_path) else ''
sysc = open('checkpoint/sys.c', encoding='utf-8').read() if os.path.exists('checkpoint/sys.c') else ''
for m in re.finditer(r'SYSCALL_DEFINE(\d)\((\w+),([^)]*)\)', sysc):
    name, parts = m.group(2), [p.strip() for p in m.group(3).split(',')]
    args = parts[1::2]
    page = f'man/man2/{name}.2'
    if not os.path.exists(page):
        continue
    # the .BI line of the prototype, and the .BI lines that go on with it
    # until ");" (man-pages style for a long prototype)
    syn = re.search(r'^\.BI ("long syscall\(SYS_%s,.*)$((?:\n\.BI .*$)*)' % name,
                    open(page, encoding='utf-8').read().replace('\\\n', ''), re.M)
    got = []
    if syn:
        for l in [syn.group(1)] + [l[4:] for l in syn.group(2).split('\n') if l]:
            got += shlex.split(l)[1::2]
            if ');' in l:
                break
    if got != args:
        bad.append(f'{page}: SYNOPSIS arguments {got}, checkpoint/sys.c has {args}')
    proto = re.search(r'long %s\(([^)]*)\);' % name, usage)
    # the name of each parameter, without the '*' of a pointer
    pargs = [a.split()[-1].lstrip('*') for a in proto.group(1).split(',')] if proto else []
    if pargs != args:
        bad.append(f'{usage_path}: prototype of {name}() has {pargs}, checkpoint/sys.c {args}')

# the tools' long options against their man pages
for tool in ('ckpt', 'rstr', 'crinspect'):
    src = f'tools/testing/selftests/checkpoint/{tool}.c'
    page = f'man/man1/{tool}.1'
    if not os.path.exists(src) or not os.path.exists(page):
        continue
    code = set(re.findall(r'\{\s*"([\w-]+)",\s*(?:no|required|optional)_argument', open(src).read()))
    text = open(page, encoding='utf-8').read()
    text = re.search(r'^\.SH OPTIONS$(.*?)^\.SH ', text, re.M | re.S)
    text = text.group(1) if text else ''
    doc = set(o.replace('\\-', '-') for o in re.findall(r'\\-\\-((?:\w|\\-)+)', text))
    for o in sorted(code - doc):
        bad.append(f'{page}: option --{o} of {src} is not documented')
    for o in sorted(doc - code):
        bad.append(f'{page}: documents --{o}, which {src} does not have')

for b in bad:
    print('docs: ' + b, file=sys.stderr)
sys.exit(min(len(bad), 100))
EOF
problems=$((problems + $?))
if [ -f "$TMP/format-check.c" ]; then
	if ! gcc -std=gnu11 -fsyntax-only -I"$TMP/inc" "$TMP/format-check.c" \
		>"$TMP/gcc.out" 2>&1; then
		# name the line of format.rst that each failed check comes from
		sed -n 's/^[^:]*format-check\.c:\([0-9]*\):[0-9]*: error: \(.*\)/\1 \2/p' \
			"$TMP/gcc.out" | while read -r line err; do
			src=$(sed -n "${line}p" "$TMP/format-check.c" | sed 's/.*"\(.*\)");$/\1/')
			case $src:$err in
			format.rst*:"static assertion failed"*) echo "docs: $src" ;;
			format.rst*:*"not an integer"*) ;;
			format.rst*) echo "docs: $src: $err" ;;
			esac
		done | sort -u >&2
		fail "$DOC/format.rst does not match $HDR and $HDR_ARCH"
	fi
fi

# --- man pages -------------------------------------------------------------------
nman=0
for page in man/man[1-8]/*.[1-8]; do
	[ -f "$page" ] || continue
	nman=$((nman + 1))
	base=$(basename "$page")
	name=${base%.*}
	sect=${base##*.}
	head -n 3 "$page" | grep -q 'SPDX-License-Identifier' ||
		fail "$page: no SPDX-License-Identifier line at the top"
	grep -q "^\.TH $name $sect " "$page" ||
		fail "$page: no '.TH $name $sect ...' line"

	out=$(groff -ww -man -z "$page" 2>&1)
	[ -z "$out" ] || fail "$page: groff -ww: $out"

	LC_ALL=C MANWIDTH=80 MANPAGER=cat PAGER=cat man --warnings=w -l "$page" \
		>"$TMP/man.out" 2>"$TMP/man.err"
	rc=$?
	col -bx <"$TMP/man.out" >"$TMP/man.txt"
	[ "$rc" -eq 0 ] || fail "$page: man -l exited with $rc"
	[ -s "$TMP/man.err" ] && fail "$page: man -l: $(cat "$TMP/man.err")"
	for s in NAME SYNOPSIS DESCRIPTION 'SEE ALSO'; do
		grep -q "^$s\$" "$TMP/man.txt" || fail "$page: no $s section in man -l output"
	done
	long=$(awk 'length > 80 { print NR ": " $0; exit }' "$TMP/man.txt")
	[ -z "$long" ] || fail "$page: man -l line over 80 columns: $long"

	# the program of EXAMPLES, if any, must build cleanly
	if grep -q '^\.SS Program source' "$page"; then
		sed -n '/^\.SS Program source/,$p' "$page" |
			sed -n '/^\.EX/,/^\.EE/{/^\.E[XE]/d;p}' |
			sed -e 's/\\e/\\/g' -e 's/\\-/-/g' -e 's/\\&//g' \
			    -e "s/\\\\(aq/'/g" >"$TMP/$name.c"
		if ! gcc -std=gnu11 -Wall -Wextra -Werror -o "$TMP/$name" "$TMP/$name.c" \
			>"$TMP/cc.out" 2>&1; then
			fail "$page: the EXAMPLES program does not build: $(head -n 5 "$TMP/cc.out")"
		fi
	fi
done

nrst=$(find "$DOC" -maxdepth 1 -name "*.rst" | wc -l)
if [ "$problems" -ne 0 ]; then
	echo "docs: FAILED: $problems problem(s) in $nrst rst files and $nman man pages"
	exit 1
fi
echo "docs: OK: $nrst rst files, format.rst matches linux/ and asm/checkpoint.h, $nman man pages"
exit 0
