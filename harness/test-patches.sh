#!/bin/bash
# Check that a patch series (harness/mkpatches.sh) applies to a fresh kernel
# source and builds after every patch.
#
#   test-patches.sh [--full] PATCHDIR
#
# In build/patches-test/: the tarball unpacked afresh into linux/, made a
# git repository (the unpacked tree is its first commit); then each patch
# of PATCHDIR in turn is applied with git am and built out of tree in
# kobj/, incrementally, with the configuration the Makefile uses
# (tinyconfig + harness/base.config + the selftests' config fragment, as
# the series has it).  What is built after a patch:
#
#  - with --full, the whole kernel (bzImage) and the headers after every
#    patch.  Six of the early patches add declarations to headers that
#    most of the kernel includes (hrtimer.h, sem.h, sched/mm.h, eventfd.h,
#    posix-timers.h): each is close to a full rebuild, about 80 minutes
#    in all on two cores; run it before sending the series.
#  - by default (CI), before the patch that enables CONFIG_CHECKPOINT, the
#    objects of the .c files the patch touches (outside cr's own
#    directories, which cannot be built yet), and kernel/sys_ni.o for the
#    stubs; from that patch on, the whole kernel and the headers, as
#    --full does.  A header's other includers are thus compiled at the
#    enabling patch, with every header as the series leaves it, and from a
#    warm ccache (the Makefile's build has the same sources and
#    configuration), so the series is checked in minutes.
#
#  - before the patch that selects HAVE_ARCH_CHECKPOINT, CONFIG_CHECKPOINT
#    must not be set, no object of cr built, and the system calls must be
#    the COND_SYSCALL stubs (once there: in vmlinux with --full, in
#    kernel/sys_ni.o at the last such patch by default); the uapi header,
#    once there, must compile in user space.  (The per-object code cannot
#    be compiled alone before that patch: "make checkpoint/foo.o" matches
#    the top Makefile's no-.config pattern "check%", builds without the
#    configuration and fails.)
#  - from that patch on, every line of the config fragments must stick
#    (CONFIG_CHECKPOINT=y), every checkpoint/*.c and arch/x86/checkpoint/*.c
#    must be built into its built-in.a and the system calls into vmlinux;
#    no later patch may touch anything but tools/, Documentation/ and
#    MAINTAINERS;
#  - once the tree has the selftests, they are built against the installed
#    headers (LDFLAGS=-static), in their directory and through
#    tools/testing/selftests with TARGETS=checkpoint, which must list them.
#
# Then scripts/checkpatch.pl --strict runs on each patch; its counts are
# reported, not judged (yet).  Exits non-zero on the first failure, naming
# the patch.  Builds run under nice -n 19 with JOBS (default 2) jobs and
# ccache, CCACHE_BASEDIR being this checkout, so that they share the
# objects of the Makefile's build (build/linux + build/kobj: same relative
# layout).  Logs: build/patches-test/logs/.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
KTAR=${KTAR:-/usr/src/linux-source-6.12.tar.xz}
JOBS=${JOBS:-2}
pt=$top/build/patches-test
tree=$pt/linux
kobj=$pt/kobj
logs=$pt/logs
export CCACHE_BASEDIR=$top

die() { echo "test-patches: $*" >&2; exit 1; }
full=0
[ "${1:-}" = --full ] && { full=1; shift; }
[ $# = 1 ] || { echo "usage: $0 [--full] PATCHDIR" >&2; exit 2; }
pdir=$(cd "$1" && pwd) || die "no directory $1"
mapfile -t series < <(find "$pdir" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' \
	! -name '0000-cover-letter.patch' | LC_ALL=C sort)
[ ${#series[@]} -gt 0 ] || die "no patches in $pdir"
total=${#series[@]}

t0=$(date +%s)
elapsed() { echo $(($(date +%s) - $1)); }
name() { basename "$1" .patch; }

# The patch that selects HAVE_ARCH_CHECKPOINT: CONFIG_CHECKPOINT from there.
enable=
for i in "${!series[@]}"; do
	if grep -q '^+.*select HAVE_ARCH_CHECKPOINT' "${series[i]}"; then
		[ -z "$enable" ] || die "two patches select HAVE_ARCH_CHECKPOINT"
		enable=$((i + 1))
	fi
done
[ -n "$enable" ] || die "no patch of the series selects HAVE_ARCH_CHECKPOINT"

# The selftests' config fragment, from the series itself (a new file there).
frag=$pt/selftests.config
mkdir -p "$pt"
cat "${series[@]}" | awk '
	/^diff --git / { on = ($0 ~ / b\/tools\/testing\/selftests\/checkpoint\/config$/); next }
	on && /^@@/ { body = 1; next }
	on && body && /^\+/ { print substr($0, 2); next }
	on && body { on = 0 }' > "$frag"
[ -s "$frag" ] || die "the series has no tools/testing/selftests/checkpoint/config"
frags=("$top/harness/base.config" "$frag")

# --- a fresh tree -------------------------------------------------------------
mode="the whole kernel after every patch"
[ $full = 1 ] || mode="each patch's own objects, the whole kernel from patch $enable on"
echo "test-patches: $total patches from $pdir; CONFIG_CHECKPOINT from patch $enable on"
echo "test-patches: building $mode"
rm -rf "$tree" "$kobj" "$logs" "$pt/selftests" "$pt/checkpatch" "$pt"/linux-source-*
mkdir -p "$kobj" "$logs" "$pt/checkpatch"
tdir=$( (tar -tJf "$KTAR" 2>/dev/null || true) | head -1)
tdir=${tdir%%/*}
[ -n "$tdir" ] || die "cannot read $KTAR"
s=$(date +%s)
tar -C "$pt" -xJf "$KTAR"
mv "$pt/$tdir" "$tree"
g() { git -C "$tree" -c gc.auto=0 "$@"; }
g init -q -b series
g config user.name "cr developers"
g config user.email cr@example.org
g config commit.gpgsign false
# loose objects, uncompressed: hashing 1.4 GB is the cost, not zlib
g config core.looseCompression 0
g add -A -f .  # -f: Debian's .gitignore ignores everything but debian/
g commit -q -m "$tdir, as unpacked from $(basename "$KTAR")"
echo "test-patches: unpacked and committed $tdir in $(elapsed "$s") s"

kmake() {
	nice -n 19 make -C "$tree" O="$kobj" ARCH=x86_64 CC="ccache gcc" -j"$JOBS" "$@"
}

# The Makefile's configuration, made afresh: a symbol that appears with a
# later patch must get its fragment value, not olddefconfig's default.
configure() {
	kmake -s tinyconfig >/dev/null
	(cd "$tree" && scripts/kconfig/merge_config.sh -m -O "$kobj" "$kobj/.config" \
		"${frags[@]}") >/dev/null
	kmake -s olddefconfig >/dev/null
}

# check_config ENABLED: the fragment lines stuck; CONFIG_CHECKPOINT only if
# ENABLED.
check_config() {
	local l bad=0
	while read -r l; do
		if [ "$l" = CONFIG_CHECKPOINT=y ] && [ "$1" = 0 ]; then
			if grep -q '^CONFIG_CHECKPOINT=' "$kobj/.config"; then
				echo "CONFIG_CHECKPOINT is set before the patch that enables it"
				bad=1
			fi
			continue
		fi
		grep -qx "$l" "$kobj/.config" || { echo "config: $l did not stick"; bad=1; }
	done < <(grep -h '^CONFIG_.*=[ym]' "${frags[@]}" | sort -u)
	return $bad
}

# sym_type SYMBOL: its nm type in vmlinux (W: a weak stub), or nothing.
sym_type() {
	nm "$kobj/vmlinux" | awk -v s="$1" '$3 == s && t == "" { t = $2 } END { print t }'
}

# The .c files of DIR in the tree must be in DIR/built-in.a.
check_built_in() {
	local dir=$1 c o bad=0 members
	[ -f "$kobj/$dir/built-in.a" ] || { echo "no $dir/built-in.a"; return 1; }
	members=$(cd "$kobj" && ar t "$dir/built-in.a")  # thin: paths from the cwd
	for c in "$tree/$dir"/*.c; do
		o=$dir/$(basename "${c%.c}").o
		grep -qx "$o" <<<"$members" || { echo "$o is not in $dir/built-in.a"; bad=1; }
	done
	return $bad
}

# Compiler warnings in a log, for the report.
warnings() { grep -c 'warning:' "$1" || true; }

st_out=$pt/selftests
build_selftests() {
	local log=$1
	mkdir -p "$st_out"
	{
		nice -n 19 make -C "$tree/tools/testing/selftests/checkpoint" -j"$JOBS" \
			OUTPUT="$st_out" KHDR_INCLUDES="-isystem $kobj/usr/include" \
			LDFLAGS=-static CR_UAPI_HDR="$kobj/usr/include/linux/checkpoint.h" &&
		nice -n 19 make -C "$tree/tools/testing/selftests" -j"$JOBS" \
			O="$kobj" TARGETS=checkpoint LDFLAGS=-static
	} >> "$log" 2>&1
}

# build_own N: the objects of the .c files patch N touches, but cr's own
# (not buildable before the enabling patch); their number in built_n.  A
# .c file another one includes (kernel/sched/membarrier.c is part of
# build_utility.c) is built as that one.
built_n=0
build_own() {
	local f inc objs=()
	while read -r f; do
		case $f in
		checkpoint/* | arch/x86/checkpoint/* | tools/* | Documentation/*) ;;
		*.c)
			inc=$(grep -lE "^#[[:space:]]*include[[:space:]]+\"$(basename "$f")\"" \
				"$tree/$(dirname "$f")"/*.c 2>/dev/null | head -1 || true)
			[ -z "$inc" ] || f=${inc#"$tree"/}
			objs+=("${f%.c}.o")
			;;
		esac
	done < <(g diff --name-only HEAD~1 HEAD)
	built_n=${#objs[@]}
	[ "$built_n" = 0 ] || kmake -s "${objs[@]}"
}

# --- each patch in turn ---------------------------------------------------
declare -a times
kernel_only_after=
for i in "${!series[@]}"; do
	n=$((i + 1))
	p=${series[i]}
	subj=$(awk '/^Subject: / { s = substr($0, 10); h = 1; next }
		    h && /^[ \t]/ { s = s $0; next } h { print s; exit }' "$p")
	log=$logs/$(name "$p").log
	fail() {
		echo "test-patches: FAILED at patch $n/$total, $(basename "$p"): $*" >&2
		echo "test-patches: log: $log" >&2
		tail -30 "$log" >&2
		exit 1
	}
	s=$(date +%s)
	echo "== $(basename "$p")" > "$log"
	if ! g am -q "$p" >> "$log" 2>&1; then
		g am --abort >/dev/null 2>&1 || true
		fail "git am: it does not apply"
	fi
	if [ "$n" -gt "$enable" ]; then
		other=$(g diff --name-only HEAD~1 HEAD | grep -Ev '^(tools/|Documentation/|MAINTAINERS$)' || true)
		[ -z "$other" ] || fail "changes kernel files after the patch that enables CONFIG_CHECKPOINT: $other"
	fi
	# the configuration depends on the Kconfig files only
	if [ "$n" = 1 ] || g diff --name-only HEAD~1 HEAD | grep -q 'Kconfig'; then
		configure >> "$log" 2>&1 || fail "configuring the kernel failed"
	fi
	on=0
	[ "$n" -ge "$enable" ] && on=1
	check_config $on >> "$log" 2>&1 || fail "the configuration is not what it should be"
	what=""
	if [ $full = 1 ] || [ $on = 1 ]; then
		kmake -s bzImage >> "$log" 2>&1 || fail "the kernel does not build"
		kmake -s headers >> "$log" 2>&1 || fail "make headers fails"
	else
		build_own "$n" >> "$log" 2>&1 || fail "the objects it touches do not build"
		what=", $built_n objects"
		kmake -s headers >> "$log" 2>&1 || fail "make headers fails"
	fi
	if [ $on = 0 ] && [ $full = 0 ]; then
		# nothing of cr is built yet; the stubs, at the last patch before
		if [ -n "$(find "$kobj/checkpoint" "$kobj/arch/x86/checkpoint" -name '*.o' 2>/dev/null)" ]; then
			fail "objects of cr are built before CONFIG_CHECKPOINT can be set"
		fi
		if [ $n = $((enable - 1)) ]; then
			kmake -s kernel/sys_ni.o >> "$log" 2>&1 || fail "kernel/sys_ni.o does not build"
			for sys in __x64_sys_checkpoint __x64_sys_restart; do
				# awk reads all: an early exit would SIGPIPE nm
				t=$(nm "$kobj/kernel/sys_ni.o" |
					awk -v s="$sys" '$3 == s && t == "" { t = $2 } END { print t }')
				[ "$t" = W ] || fail "$sys is '${t:-missing}' in kernel/sys_ni.o, not a stub"
			done
			what="$what, stubs"
		fi
	elif [ $on = 0 ]; then
		# nothing of cr is built yet
		if [ -n "$(find "$kobj/checkpoint" "$kobj/arch/x86/checkpoint" -name '*.o' 2>/dev/null)" ]; then
			fail "objects of cr are built before CONFIG_CHECKPOINT can be set"
		fi
		for sys in __x64_sys_checkpoint __x64_sys_restart; do
			t=$(sym_type $sys)
			[ -z "$t" ] || [ "$t" = W ] || fail "$sys is $t in vmlinux before CONFIG_CHECKPOINT"
		done
		[ -n "$(sym_type __x64_sys_checkpoint)" ] && what="$what, stubs"
	else
		{ check_built_in checkpoint && check_built_in arch/x86/checkpoint; } >> "$log" 2>&1 ||
			fail "the objects of cr are not all built"
		for sys in __x64_sys_checkpoint __x64_sys_restart; do
			t=$(sym_type $sys)
			[ "$t" = T ] || fail "$sys is '${t:-missing}' in vmlinux, not the system call"
		done
		what="$what, CONFIG_CHECKPOINT=y, $(ls "$kobj"/checkpoint/*.o "$kobj"/arch/x86/checkpoint/*.o |
			grep -vc built-in) objects"
	fi
	if [ -f "$kobj/usr/include/linux/checkpoint.h" ]; then
		echo '#include <linux/checkpoint.h>' |
			gcc -fsyntax-only -Wall -Werror -isystem "$kobj/usr/include" -x c - >> "$log" 2>&1 ||
			fail "the uapi header does not compile in user space"
		what="$what, uapi ok"
	fi
	if [ -f "$tree/tools/testing/selftests/checkpoint/Makefile" ]; then
		grep -qx 'TARGETS += checkpoint' "$tree/tools/testing/selftests/Makefile" ||
			fail "tools/testing/selftests/Makefile does not list checkpoint"
		build_selftests "$log" || fail "the selftests do not build"
		what="$what, selftests built"
	fi
	times[n]=$(elapsed "$s")
	printf '[%2d/%d] %4ss %s\n        %s warnings%s\n' "$n" "$total" "${times[n]}" "$subj" \
		"$(warnings "$log")" "$what"
done

# --- checkpatch ---------------------------------------------------------------
echo "test-patches: checkpatch --strict (counts only):"
printf '  %-64s %6s %8s %6s\n' patch errors warnings checks
te=0 tw=0 tc=0
for p in "${series[@]}"; do
	cl=$pt/checkpatch/$(name "$p").log
	(cd "$tree" && ./scripts/checkpatch.pl --strict --show-types "$p") > "$cl" 2>&1 || true
	read -r e w c < <(sed -n 's/^total: \([0-9]*\) errors, \([0-9]*\) warnings, \([0-9]*\) checks.*/\1 \2 \3/p' "$cl" | tail -1)
	printf '  %-64s %6s %8s %6s\n' "$(name "$p" | cut -c1-64)" "${e:-?}" "${w:-?}" "${c:-?}"
	te=$((te + ${e:-0})) tw=$((tw + ${w:-0})) tc=$((tc + ${c:-0}))
done
printf '  %-64s %6s %8s %6s\n' total "$te" "$tw" "$tc"
echo "test-patches: checkpatch logs in $pt/checkpatch/"
echo "test-patches: all $total patches applied and built, in $(elapsed "$t0") s"
