#!/bin/bash
# Turn our tree into an upstream-style patch series against Linux 6.12.
#
#   mkpatches.sh [-r REV] OUTDIR
#
# Writes OUTDIR/0000-cover-letter.patch, 0001-....patch ... (git
# format-patch, numbered).  The series is made from the current files: the
# working tree as harness/overlay.sh sees it (tracked and untracked, not
# ignored), or the commit REV with -r.  Nothing is stored: a scratch git
# repository gets the upstream files the series changes, unpacked from the
# tarball (commit "base"); then each patch of the plan below copies in its
# files of our tree and applies its patches/*.patch (or a part of one), and
# is committed with its message; format-patch writes the series.
#
# Every file of our tree and every patches/*.patch must be placed by the
# plan: a new one fails the run ("not placed") until it is given a place.
# At the end the scratch tree must hold every file of ours as it is and
# every hunk of patches/, or the run fails.
#
# The author, Signed-off-by and MAINTAINERS entry are "cr developers
# <cr@example.org>", a placeholder: set PATCH_AUTHOR_NAME and
# PATCH_AUTHOR_EMAIL to your own before posting the series.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
KTAR=${KTAR:-/usr/src/linux-source-6.12.tar.xz}
AUTHOR_NAME=${PATCH_AUTHOR_NAME:-cr developers}
AUTHOR_EMAIL=${PATCH_AUTHOR_EMAIL:-cr@example.org}

die() { echo "mkpatches: $*" >&2; exit 1; }
usage() { echo "usage: $0 [-r REV] OUTDIR" >&2; exit 2; }

rev=
while getopts r: o; do
	case $o in
	r) rev=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 1 ] || usage
mkdir -p "$1"
out=$(cd "$1" && pwd)
[ -r "$KTAR" ] || die "no kernel source tarball $KTAR"

work=$(mktemp -d "${TMPDIR:-/tmp}/cr-mkpatches.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/src		# our files, as they are now
repo=$work/linux	# the scratch repository
mkdir -p "$src" "$repo"
g() { git -C "$repo" "$@"; }

# --- our files, as they are now ------------------------------------------
# The overlay's paths, and patches/.
paths="checkpoint arch include tools Documentation patches"
if [ -n "$rev" ]; then
	git -C "$top" rev-parse -q --verify "$rev^{commit}" >/dev/null || die "no commit $rev"
	have=()
	for p in $paths; do
		git -C "$top" cat-file -e "$rev:$p" 2>/dev/null && have+=("$p")
	done
	git -C "$top" archive --format=tar "$rev" -- "${have[@]}" | tar -x -C "$src"
	datesrc=$rev
else
	git -C "$top" ls-files -z -co --exclude-standard -- $paths |
	while IFS= read -r -d '' f; do
		[ -f "$top/$f" ] || continue
		(cd "$top" && cp --parents -- "$f" "$src/")
	done
	git -C "$top" ls-files -o --exclude-standard -- $paths |
		sed 's/^/mkpatches: note: not committed yet, in the series: /' >&2
	datesrc=HEAD
fi
# Commit dates: the date of the commit the files come from (HEAD for the
# working tree), one second more per patch, so that the output depends on
# the files only.
read -r epoch tz < <(git -C "$top" log -1 --format=%cd --date=raw "$datesrc")

# Our files (patches/ aside), and our patches.
(cd "$src" && find . -type f ! -path './patches/*' | sed 's|^\./||' | LC_ALL=C sort) > "$work/files"
(cd "$src" && find patches -maxdepth 1 -name '*.patch' 2>/dev/null | LC_ALL=C sort) > "$work/patches"
[ -s "$work/files" ] || die "no files in the tree"

# --- the base: the upstream files the series changes -----------------------
# Files patches/ changes (not those it adds: "--- /dev/null"), and those
# the plan edits.
upstream() {
	sed -n -e 's|^--- a/\([^[:space:]]*\).*|\1|p' "$src"/patches/*.patch 2>/dev/null
	echo Makefile
	echo MAINTAINERS
	echo tools/testing/selftests/Makefile
	grep -q '^Documentation/checkpoint/index.rst$' "$work/files" &&
		echo Documentation/subsystem-apis.rst
	return 0
}
# Files a patch adds ("--- /dev/null"), which a later one may change: not upstream's.
added() {
	awk '/^--- \/dev\/null/ { n = 1; next }
	     n && /^\+\+\+ b\// { f = $2; sub(/^b\//, "", f); print f }
	     { n = 0 }' "$src"/patches/*.patch 2>/dev/null
}
added | LC_ALL=C sort -u > "$work/added"
upstream | LC_ALL=C sort -u | LC_ALL=C comm -23 - "$work/added" > "$work/upstream"
if grep -q '^debian/' "$work/upstream" "$work/files"; then
	die "the series would touch Debian's packaging (debian/)"
fi
tdir=$( (tar -tJf "$KTAR" 2>/dev/null || true) | head -1)
tdir=${tdir%%/*}
[ -n "$tdir" ] || die "cannot read $KTAR"
sed "s|^|$tdir/|" "$work/upstream" > "$work/members"
tar -xJf "$KTAR" -C "$repo" --strip-components=1 -T "$work/members" ||
	die "the series changes files that are not in $KTAR (see above)"
kver=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p; s/^SUBLEVEL = //p' "$repo/Makefile" | paste -sd.)

g init -q -b cr
g config user.name "$AUTHOR_NAME"
g config user.email "$AUTHOR_EMAIL"
g config core.autocrlf false
g config commit.gpgsign false
g add -A
GIT_AUTHOR_DATE="$epoch $tz" GIT_COMMITTER_DATE="$epoch $tz" g commit -q -m base
g tag base

# --- building blocks of the plan -------------------------------------------
nr=0			# patches committed
declare -A placed	# our files placed
declare -A used		# patches/*.patch used, whole or in part
subjects=()
roles=()

# add_files FILE...: copy files of our tree into the scratch tree.
add_files() {
	local f
	for f; do
		[ -f "$src/$f" ] || die "plan: $f is not in the tree"
		[ -z "${placed[$f]:-}" ] || die "plan: $f is placed twice"
		mkdir -p "$repo/$(dirname "$f")"
		cp "$src/$f" "$repo/$f"
		placed[$f]=1
	done
}

# add_dir DIR: every file of our tree under DIR.
add_dir() {
	local f n=0
	while read -r f; do
		add_files "$f"
		n=$((n + 1))
	done < <(grep "^$1/" "$work/files")
	[ "$n" -gt 0 ] || die "plan: no file under $1/"
}

# apply_patch NAME [GIT-APPLY-OPTIONS]: apply patches/NAME, or a part of it
# (--include=PATH, --exclude=PATH).
apply_patch() {
	local name=$1
	shift
	[ -f "$src/patches/$name" ] || die "plan: patches/$name is not in the tree"
	g apply -p1 --whitespace=nowarn "$@" "$src/patches/$name" ||
		die "patches/$name does not apply to $tdir ($*)"
	used[$name]=1
}

# The subject and the message body of patches/NAME.
patch_subject() {
	sed -n '/^Subject: /{s/^Subject: *\(\[[^]]*\] *\)\{0,1\}//p;q}' "$src/patches/$1"
}
patch_body() {
	awk '/^Subject: / { s = 1; next } s == 1 && /^$/ { s = 2; next }
	     s == 2 && /^---/ { exit } s == 2 { print }' "$src/patches/$1"
}

# body < TEXT: the message body of the next commit, wrapped.
body() { wrap > "$work/body"; }

# commit SUBJECT ROLE: commit the scratch tree as the next patch, with the
# message body body() wrote.  ROLE is one line for the cover letter.
commit() {
	local msg=$work/msg
	[ -n "$1" ] || die "plan: patch $((nr + 1)) has no subject"
	{ printf '%s\n\n' "$1"; cat "$work/body"; } > "$msg"
	rm -f "$work/body"
	g add -A
	g diff --cached --quiet && die "plan: patch \"$1\" changes nothing"
	nr=$((nr + 1))
	GIT_AUTHOR_DATE="$((epoch + nr)) $tz" GIT_COMMITTER_DATE="$((epoch + nr)) $tz" \
		g commit -q -s -F "$msg"
	subjects[nr]=$1
	roles[nr]=$2
}

# commit_patch NAME ROLE: apply patches/NAME whole, commit it with its own
# subject and message.
commit_patch() {
	apply_patch "$1"
	patch_body "$1" > "$work/body"
	commit "$(patch_subject "$1")" "$2"
}

# Wrap each line of stdin to 72 columns; the continuation lines of an item
# ("  - text" or "  NN  text") are indented under its text.
wrap() {
	awk '{
		match($0, /^ *(- |[0-9]+  )?/)
		line = substr($0, 1, RLENGTH); ind = ""
		for (i = 0; i < RLENGTH; i++)
			ind = ind " "
		n = split(substr($0, RLENGTH + 1), w, " ")
		if (n == 0) { print line; next }
		line = line w[1]
		for (i = 2; i <= n; i++) {
			if (length(line) + 1 + length(w[i]) > 72) { print line; line = ind w[i] }
			else line = line " " w[i]
		}
		print line
	}'
}

# The first sentence of the header comment of a C file, after its "name - "
# or "cr selftests: " prefix.
describe() {
	awk 'NR == 1 || /^\/\*/ { next } /^ \*\/?$/ || /^ \*\// { exit }
	     { sub(/^ \* ?/, ""); s = s " " $0 }
	     END { sub(/^ */, "", s); sub(/^[^ ]* - /, "", s); sub(/^cr selftests: /, "", s)
		   if (match(s, /\.( |$)/)) s = substr(s, 1, RSTART); print s }' "$1"
}

# The programs a selftests Makefile variable lists.
mkvar() {
	sed -n "s/^$1[[:space:]]*[:+]\{0,1\}=[[:space:]]*//p" "$src/tools/testing/selftests/checkpoint/Makefile" |
		tr -s ' \t' '\n' | grep -v '^$' || true
}

# The call NAME as checkpoint/sys.c defines it: "NAME(arg, arg, ...)".
syscall_sig() {
	awk -v n="$1" '
		/^SYSCALL_DEFINE[0-9]\(/ { s = ""; on = 1 }
		on { s = s " " $0 }
		on && /\)[[:space:]]*$/ {
			on = 0
			sub(/^ *SYSCALL_DEFINE[0-9]\(/, "", s); sub(/\)[[:space:]]*$/, "", s)
			k = split(s, a, ",")
			gsub(/[[:space:]]/, "", a[1])
			if (a[1] != n)
				next
			r = n "("
			for (i = 3; i <= k; i += 2) {
				gsub(/[[:space:]]/, "", a[i])
				r = r (i > 3 ? ", " : "") a[i]
			}
			print r ")"
			exit
		}' "$src/checkpoint/sys.c"
}

# Add "TARGETS += checkpoint" to the selftests Makefile, in order.
add_selftests_target() {
	local mk=$repo/tools/testing/selftests/Makefile
	grep -qx 'TARGETS += checkpoint' "$mk" && return 0
	awk '!done && /^TARGETS \+= / && $3 > "checkpoint" { print "TARGETS += checkpoint"; done = 1 }
	     { print } END { exit !done }' "$mk" > "$mk.new" ||
		die "no place for checkpoint in tools/testing/selftests/Makefile"
	mv "$mk.new" "$mk"
}

# A MAINTAINERS entry for our files, in alphabetical order of titles.
MAINT_TITLE="CHECKPOINT/RESTART (CR)"
add_maintainers_entry() {
	local mf=$repo/MAINTAINERS entry=$work/maint
	grep -qx "$MAINT_TITLE" "$mf" && return 0
	{
		echo "$MAINT_TITLE"
		echo "M:	$AUTHOR_NAME <$AUTHOR_EMAIL>"
		echo "L:	linux-kernel@vger.kernel.org"
		echo "S:	Maintained"
		# a directory named checkpoint stands for all its files
		awk -F/ '{ d = ""; for (i = 1; i < NF; i++) { d = d $i "/"
			   if ($i == "checkpoint") { print d; next } } print }' "$work/files" |
			LC_ALL=C sort -u | sed 's/^/F:	/'
	} > "$entry"
	# after the section of the greatest title below ours: the file is
	# sorted, but for a few entries out of place
	awk -v title="$MAINT_TITLE" -v entry="$entry" '
		{ l[NR] = $0 }
		END {
			T = toupper(title)
			for (i = 2; i < NR; i++) {
				if (l[i] == "Maintainers List")
					started = 1
				if (started && l[i - 1] == "" && l[i] != "" && l[i + 1] ~ /^[A-Z]:\t/) {
					if (after && !at)
						at = i
					u = toupper(l[i])
					if (u < T && (best == "" || u > best)) {
						best = u; after = 1; at = 0
					}
				}
			}
			if (!at)
				exit 1
			for (i = 1; i <= NR; i++) {
				if (i == at) {
					while ((getline e < entry) > 0)
						print e
					print ""
				}
				print l[i]
			}
		}' "$mf" > "$mf.new" || die "no place for our entry in MAINTAINERS"
	mv "$mf.new" "$mf"
}

# Hook Documentation/checkpoint/index.rst into the subsystem books.
add_docs_index() {
	local idx=$repo/Documentation/subsystem-apis.rst
	grep -q '^Documentation/checkpoint/index.rst$' "$work/files" || return 0
	grep -q '^ *checkpoint/index$' "$idx" && return 0
	# at the end of the "Other subsystems" toctree
	awk '/^Other subsystems$/ { s = 1 } s == 1 && /^\.\. toctree::/ { s = 2 }
	     s == 2 && /^   [^:]/ { t = 1 }
	     s == 2 && t && !/^   / { print "   checkpoint/index"; s = 3 }
	     { print } END { if (s == 2 && t) { print "   checkpoint/index"; s = 3 } exit s != 3 }' \
		"$idx" > "$idx.new" || die "no place for checkpoint/index in $idx"
	mv "$idx.new" "$idx"
}

# --- the plan ---------------------------------------------------------------
SIG_CKPT=$(syscall_sig checkpoint)
SIG_RSTR=$(syscall_sig restart)
[ -n "$SIG_CKPT" ] && [ -n "$SIG_RSTR" ] || die "no SYSCALL_DEFINE of checkpoint or restart in checkpoint/sys.c"

# Upstream files first (syscall numbers, the x86/fpu helper), then the
# image format, the core, the per-object code (each helper patch of an
# upstream file just before its user), and the x86_64 code, which selects
# HAVE_ARCH_CHECKPOINT: CONFIG_CHECKPOINT cannot be set, so nothing of cr
# is compiled, before that patch.  Then the selftests, the documentation
# (once there is some) and MAINTAINERS.

P_SYSCALLS=0001-x86-syscalls-add-checkpoint-and-restart.patch
P_HOOKS=0002-checkpoint-build-hooks.patch
P_FPU=0003-x86-fpu-restore-uabi-xstate-into-current.patch
P_ITIMER=0004-itimer-checkpoint-restart-helpers.patch
P_HRTIMER=0005-hrtimer-checkpoint-restart-nanosleep.patch
P_PTIMER=0006-posix-timers-checkpoint-restart.patch
P_SETPGID=0007-sys-add-ksys_setpgid.patch
P_EVENTS=0008-eventfd-signalfd-timerfd-kernel-helpers.patch
P_EPOLL=0009-epoll-kernel-helpers.patch
P_INOTIFY=0010-inotify-kernel-helpers.patch
P_MEMBARRIER=0011-membarrier-checkpoint-restart-helpers.patch
P_LANDLOCK=0012-landlock-tell-whether-a-task-is-sandboxed.patch
P_MEMPOLICY=0013-mm-mempolicy-set-policies-from-the-kernel.patch
P_SHM=0014-ipc-shm-checkpoint-restart-helpers.patch
P_SEM=0015-ipc-sem-checkpoint-restart-helpers.patch
P_MQUEUE=0016-ipc-mqueue-checkpoint-restart-helpers.patch
P_MSG=0017-ipc-msg-checkpoint-restart-helpers.patch
P_SEMNS=0018-ipc-sem-read-the-sets-of-a-namespace.patch
# the parts of P_HOOKS that belong to the x86_64 patch
ARCH_HOOKS=(arch/x86/Kconfig arch/x86/Kbuild)

commit_patch "$P_SYSCALLS" \
	"the system call numbers, prototypes and COND_SYSCALL stubs: both calls return -ENOSYS"
n_syscalls=$nr

commit_patch "$P_FPU" \
	"an x86/fpu helper for restart(2): check and load a standard-format XSAVE buffer into current"

commit_patch "$P_SETPGID" \
	"ksys_setpgid(): setpgid(2) for restart(2), which puts each process it makes in its group"

add_files include/uapi/linux/checkpoint.h arch/x86/include/uapi/asm/checkpoint.h
body <<'EOF'
checkpoint(2) writes, and restart(2) reads, an image: a stream of typed records that user space stores, moves and inspects. Its layout is ABI, so it gets its own uapi header, include/uapi/linux/checkpoint.h, ahead of the code that writes and reads it. It includes <asm/checkpoint.h>, as linux/kvm.h includes asm/kvm.h: the records whose layout is the architecture's own (arch, cpu, fpu) and the values of its ABI that records carry, here for x86_64 (arch/x86/include/uapi/asm/checkpoint.h).

An image is written and read strictly in order, so that it can go through a pipe or a socket as well as a regular file. Each record is a struct cr_hdr (type, payload length) followed by its payload, padded with zeros to a multiple of CR_ALIGN (8) bytes. The first record is the head: magic, format version, architecture, page size and the checkpoint id; the arch record follows, the machine as far as the architecture's records depend on it (on x86_64 the XSAVE layout of the fpu record). The last is the tail, which carries the number of records before it, the stream offset of its own header and the checksum (XXH64) of every byte before it, so that a truncated, spliced or damaged stream is detected; a sum record between the last task's records and the page stream carries the checksum of the stream up to there, which restart checks before its point of no return. Page contents start at a page-aligned stream offset (a pad record comes first when needed), so that they are written from and read into pages directly.

Records have fixed-width fields, explicit __reserved padding and no pointers; a path follows its fixed struct in the same record, which says how long it is. A change to the layout of a record bumps CR_FORMAT_VERSION, which restart checks before anything else.

Nothing includes the header yet.
EOF
commit "checkpoint: add the image format (uapi header)" \
	"the image format, include/uapi/linux/checkpoint.h: the contract with user space"

add_files include/linux/checkpoint.h include/linux/checkpoint_format.h checkpoint/Kconfig \
	checkpoint/Makefile checkpoint/sys.c checkpoint/io.c checkpoint/checkpoint.c \
	checkpoint/restart.c checkpoint/section.c checkpoint/tree.c
apply_patch "$P_HOOKS" "${ARCH_HOOKS[@]/#/--exclude=}"
body <<EOF
Add cr, an in-kernel checkpoint/restart of a process, with two system calls:

  - $SIG_CKPT writes the state of a process to fd as a stream of records (include/uapi/linux/checkpoint.h) and returns a positive checkpoint id (crid). The target is the caller itself, or another process that the caller may ptrace-attach to (EPERM) and that is stopped (EBUSY), so that its registers and memory hold still while it is dumped; it must not run meanwhile (EAGAIN). The target is only read: whatever happens, it is left as it was.
  - $SIG_RSTR turns the caller into the process of an image; with CR_RESTART_ARGS, args hands in files of the caller for those the image leaves to the restarter (see the files patch). Restart is a transaction: every record before the first page is read, checked and staged while the caller is intact, and any error returns an errno. Only then is the caller's address space replaced; past that point of no return a failure kills the caller with SIGKILL, which is never left half restored. The image is hostile input: every field is checked before it is used.

This patch adds the generic core:

  - checkpoint/sys.c: the system calls. They check their flags and the fd, which must take kernel_write() or kernel_read(), before any I/O, and set up a struct cr_ctx for the operation.
  - checkpoint/io.c: record I/O. The image is written and read in order with kernel_write() and kernel_read(), looping over short counts, so that regular files, pipes and sockets work alike; page contents are written straight from the pages and read straight into new pages, with no bounce buffer. Every byte moved goes through the running XXH64 checksum the sum record and the tail carry.
  - checkpoint/checkpoint.c: pins and checks the target, writes the head, the records of each kind of object and the tail, and checks that a stopped target did not run meanwhile.
  - checkpoint/restart.c: reads and checks the head (magic, format version, architecture, page size, crid), stages the records, passes the point of no return and commits.
  - checkpoint/tree.c: the tasks of an operation. Checkpoint walks the tree under tasklist_lock (the target, its descendants and all their threads, or the target alone with CR_CHECKPOINT_ROOT_ONLY), refuses what it cannot save (zombies, ptraced or vfork tasks, kernel workers, memory shared between processes), freezes it (CR_CHECKPOINT_FREEZE) or checks that it is stopped, and walks again until no fork escaped. Restart checks that the tree can be rebuilt (pids free, process groups and sessions feasible, CAP_CHECKPOINT_RESTORE to choose pids), makes every task with kernel_clone() at its saved pid (or a new one with CR_RESTART_NEW_PIDS), each restoring itself, and kills them all if any fails past the point of no return.
  - include/linux/checkpoint_format.h: what the kernel and the tools know alike of an image, as static inlines over the uapi types that user space can include too: the record table (name and length bounds of each type), the names of the kinds records carry, the sections in image order (enum cr_section_id, cr_section_info()), and the checks of each record that do not depend on the machine, which restart and the image inspector of the selftests call alike.
  - checkpoint/section.c: cr_sections[], one struct cr_section {write, read, restore, free} per kind of state in image order, which drives checkpoint, restart's staging and its commit; a boot-time check that the tables are whole, and a build-time check that the ABI values the format headers give user space are the kernel's.
  - include/linux/checkpoint.h: struct cr_ctx, the record I/O helpers, the functions of the per-object code that the next patches add (task, memory, files, signals), and the architecture interface (cr_arch_*) that an architecture implements in arch/<arch>/checkpoint/ before it selects HAVE_ARCH_CHECKPOINT.
  - checkpoint/Kconfig, checkpoint/Makefile, and the hooks in Kbuild, init/Kconfig (CONFIG_CHECKPOINT, next to CHECKPOINT_RESTORE, which provides helpers for the user-space CRIU and is unrelated) and arch/Kconfig (HAVE_ARCH_CHECKPOINT).

CONFIG_CHECKPOINT depends on HAVE_ARCH_CHECKPOINT, which no architecture selects before the x86_64 patch at the end of the kernel part of this series: until then none of this is compiled and both system calls return -ENOSYS. checkpoint/Makefile and include/linux/checkpoint.h are added whole here, with the objects and the functions of the next patches, so that each of those adds its own file and touches no shared one.
EOF
commit "checkpoint: add the core of in-kernel checkpoint/restart" \
	"the core: the two system calls, record I/O, writing and reading an image, include/linux/checkpoint.h, Kconfig (CONFIG_CHECKPOINT, HAVE_ARCH_CHECKPOINT) and Kbuild hooks"
n_core=$nr

commit_patch "$P_HRTIMER" \
	"an hrtimer helper: recognise and set up again the restart block of an interrupted nanosleep"

commit_patch "$P_LANDLOCK" \
	"a landlock helper: tell whether a task is sandboxed, which checkpoint refuses"

commit_patch "$P_MEMPOLICY" \
	"mempolicy helpers: set current's policy and a range's from the kernel"

add_files checkpoint/task.c
body <<'EOF'
Add the task record (checkpoint/task.c): the state of a task that is neither registers, memory, files nor signals - comm, personality, clear_child_tid, the robust futex list and the rseq registration. Restart checks the record before its point of no return (user pointers below TASK_SIZE, no personality flag beyond those a restarted task may carry, a valid rseq area) and applies it after. A task under a seccomp filter or sandboxed by Landlock (the landlock helper above) is refused: a restored task has its restarter's credentials, and would come back without its sandbox. The NUMA memory policy of a task (set_mempolicy(2)) is saved, with its nodes as given, and set again with mempolicy_set_current() (the mempolicy helpers above); restart checks before its point of no return that the caller may use its nodes.

A task stopped inside a relative nanosleep() or clock_nanosleep() has -ERESTART_RESTARTBLOCK in ax and a restart block that sleeps until an absolute expiry. The record saves the time left on that clock, and restart sets up the restart block again (hrtimer_nanosleep_resume(), previous patch): the restarted task sleeps for the rest of it. Any other restart block is dropped; the x86_64 code has such a call re-executed whole.
EOF
commit "checkpoint: save and restore the task record" \
	"the task record: comm, personality, clear_child_tid, robust futex list, rseq, an interrupted nanosleep"
n_first_obj=$nr

commit_patch "$P_MEMBARRIER" \
	"membarrier helpers: read an mm's registrations, register current's mm again"

commit_patch "$P_SHM" \
	"SysV shm helpers: describe a segment, make one with a given id, remove one"

add_files checkpoint/memory.c
body <<'EOF'
Add the mm, vma and page records (checkpoint/memory.c).

Checkpoint snapshots the vma list under mmap_lock: the range, protection and kind of each mapping (anonymous private or shared, file private or shared, stack, heap, vDSO) and the path of its file, and the fields of the mm (code, data, brk, stack, arguments and environment, auxv, the executable). Then it writes the pages in chunks of up to CR_PAGES_MAX: a page-table walk finds the pages that exist, so that never-touched anonymous pages, the zero page and the unmodified pages of private file mappings are not saved; the pages found are pinned and written without mmap_lock held, as a core dump does, since the file system may take locks that nest outside it.

Restart reads the mm record and all vma records and opens every mapped file and the executable before its point of no return, as the caller: a restarted process maps nothing its restarter could not open. A caller that shares its address space (threads, vfork) is refused with EBUSY, a mapping below mmap_min_addr with EPERM. After the point of no return the caller's mappings are unmapped, the image's are mapped and the pages are filled in as they stream by: those of private mappings are read into new pages and mapped in place a page table at a time, as a write fault maps the copy it made (UFFDIO_COPY is the model), without a fault or the zeroing of a page about to be overwritten.

A SysV shared memory segment a process attached (shmat(2)) is saved as a shared memory object with its pages, and a record of its id, key, size and mode after the vma record that maps it first (the previous patch tells them). Restart attaches the segment of the caller's IPC namespace with that id if it still has that key and size, as it is (its contents are its own, as a shared file's are), or makes it again with them and the image's contents (shm_make_segment(); choosing the id takes CAP_CHECKPOINT_RESTORE), removes it again if it had been removed while attached, and removes what it made if it fails. A segment attached in part or locked is refused.

The mm record also carries the mm's membarrier(2) registrations, which restart makes again (the membarrier patch): a process registered for private expedited barriers would otherwise get EPERM from its next one; and whether KSM merges all its memory (PR_SET_MEMORY_MERGE). A vma record carries the madvise(2) advice of its mapping (MADV_DONTFORK, DONTDUMP, WIPEONFORK, RANDOM, SEQUENTIAL, HUGEPAGE, NOHUGEPAGE, MERGEABLE), its NUMA policy (mbind(2), set again with mempolicy_bind_range()) and the name of an anonymous mapping (PR_SET_VMA_ANON_NAME).

Mappings cr cannot save yet are refused with EOPNOTSUPP and a reason in the kernel log: device, hugetlb, mlocked, sealed, shadow stack and protection-key mappings, secret memory, other special mappings, a NUMA policy of shared memory (it belongs to the object, not to the mapping) or with a home node.
EOF
commit "checkpoint: save and restore the address space" \
	"the address space: mm, vma and page records"

commit_patch "$P_EVENTS" \
	"eventfd, signalfd, timerfd helpers: make their files without an fd, read and set their state"

commit_patch "$P_EPOLL" \
	"epoll helpers: make an epoll file without an fd, read its interest list"

commit_patch "$P_INOTIFY" \
	"inotify helpers: make an inotify file without an fd, read its watches and events, add a watch with its descriptor, queue an event"

commit_patch "$P_MQUEUE" \
	"POSIX message queue helpers: read a queue without receiving, open or make one without an fd, queue a message from the kernel, remove a queue"

add_files checkpoint/files.c checkpoint/socket.c checkpoint/notify.c checkpoint/mqueue.c
body <<'EOF'
Add the file, fd, fs and pipe records (checkpoint/files.c), sockets (checkpoint/socket.c), inotify files (checkpoint/notify.c) and POSIX message queues (checkpoint/mqueue.c).

Each open file is written once, as an object with a reference number that the fd records name, so that fds sharing one open file (dup) share it again after restart. Regular files, directories, character devices and named FIFOs are saved by path, with their open flags and position, and reopened by path at restart, as the caller and never with O_CREAT or O_TRUNC. The bytes buffered in a FIFO, or in a pipe whose both ends the process holds, are saved in a pipe record, read without being consumed; restart makes a new pipe for such a pipe and refills it. fd numbers, close-on-exec, cwd and umask are kept.

Event files have no path but a few numbers of state: an eventfd its counter and EFD_SEMAPHORE, a signalfd its mask, a timerfd its clock, the time to its next expiration (a wall-clock deadline as such), its interval, settime flags and the expirations not read yet. Restart makes each again with that state, as the caller (an alarm clock needs CAP_WAKE_ALARM). An epoll file is saved with its interest list (the fd, file, events and data of each item, copied under its mutex) in an epoll record after the fd records of the first process that holds it; restart makes it empty and, once the process's fd table is in place, adds each item back with epoll_ctl(2) by fd, so an item whose fd no longer holds its file is refused at checkpoint. An inotify file is saved with its watches (descriptor, mask, and a path to the inode from the checkpointer's root: a name of it in the dentry cache under a mount of the checkpointer's namespace, checked to lead back to it; a watch on a deleted file is refused), the descriptor its next watch would get and its queued events, read without being consumed; restart makes it again, looks each path up before its point of no return, and once every file of the image is open queues the events again and adds each watch with its own descriptor. A file of a POSIX message queue is saved with the queue's name, attributes, permission bits and messages, read without being received (at most the content limit below: EFBIG beyond); restart opens the queue of that name in the caller's IPC namespace as mq_open(2) would, as it is, or makes it again with the image's messages, and removes what it made if it fails; a queue removed, of another IPC namespace or with a notification registered is refused. They use the helpers of the four previous patches. A memfd is saved with its name, size, seals, permission bits, position and bytes (read at checkpoint's own offsets, in file data records after its file record, all-zero chunks left out, at most 64 MiB: EFBIG beyond), and made again as memfd_create(2) makes one; a regular file unlinked while open likewise, made again unlinked with O_TMPFILE in its directory; mapped ones are still refused.

A unix socket is saved with its type, state, address (abstract, or a path, made absolute from where the socket file is for one bound to a relative name: the killed original's stale socket file is unlinked before the bind), options and shutdown state, and with the messages it has queued, read without being consumed (the tree is frozen), each with its sender's credentials. Restart makes it again as the caller would with socket(2), socketpair(2), bind(2) and listen(2): the first file record of a pair whose both ends the tree holds makes the pair, the second takes the other end; an end whose peer was closed is made as a pair whose other end is closed again; an accept(2)ed socket is given its listener's name without a bind, as connect(2) gives it. Its queue is refilled from the other end of the pair, one sendmsg() per message so that datagram boundaries stay; each message then gets its uid and gid if the caller could have sent them itself (SCM_CREDENTIALS's rule), and the pid of the restored sending process once the tree is made. An INET or INET6 socket, TCP not connected (or listening with no connection waiting) or UDP (bound or connected), is saved with its addresses and the options restart sets (TCP: keepalive times, TCP_USER_TIMEOUT, TCP_NOTSENT_LOWAT, TCP_DEFER_ACCEPT, TCP_CORK, a congestion control of its own; other TCP options are refused), and made again with setsockopt(), bind(), listen() and connect(), in the restarter's network namespace; a UDP socket's queued datagrams are saved with their source addresses and queued again as if they had just arrived (__udp_enqueue_schedule_skb()); IP receive options restart does not set again (IP_RECVERR, IP_RECVTTL, IP_FREEBIND...) are refused. An established TCP connection is saved as TCP repair reads one (sequence numbers, options, timestamp clock, window, and the bytes of both queues) and made again in place, in repair mode, without a handshake (CAP_NET_ADMIN), leaving repair mode past the point of no return; while it is saved, a drop filter on the original keeps it from acknowledging what the peer sends (the peer sends it again); with CR_CHECKPOINT_KILL the original is put in repair mode before the kill, so that it closes without a FIN or a reset. TCP connections opening or closing, sockets of other families, unix sockets bound to a relative path whose file is gone, and files in flight are refused. A pidfd of a task of the tree is saved as the task's index and made again for the restored task once every task is made, before any returns to user space.

What cannot be saved that way is left to the restarter under a key, the name d_path() gives the file (pipe:[1234]): one end of a pipe whose other end is elsewhere, a unix socket connected to one outside the tree, and an fd 0-2 of any other kind (a pipe or a socket to the parent shell, typically). The caller of restart(2) can hand in files of its own for such keys, and for paths; otherwise its own fd 0-2 of that number stands in. Any other fd of another kind (another socket, another anonymous inode) is refused with EOPNOTSUPP.

Restart opens every file and stages the fd table before its point of no return, within its RLIMIT_NOFILE; the restarted process holds exactly the fds of the image.
EOF
commit "checkpoint: save and restore open files, fds, cwd and umask" \
	"open files, the fd table, cwd and umask, pipes and FIFOs with their contents, unix sockets"

commit_patch "$P_ITIMER" \
	"an itimer helper: read the interval timers of another task, arm those of current"

add_files checkpoint/signal.c
body <<'EOF'
Add the signals record (checkpoint/signal.c): the disposition of every signal (handler, flags, mask, restorer), the blocked mask, the alternate signal stack, the pending signals of the thread and of the process with their siginfo, the three interval timers (ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF) and the resource limits.

Restart checks every handler address and flag before its point of no return. After it, the handlers and the mask are in place before the pending signals are queued again; the interval timers go on with the time they had left (itimer_get_task() and itimer_set_current(), previous patch); a hard limit is never raised above the caller's own unless it has CAP_SYS_RESOURCE, as with setrlimit(2).
EOF
commit "checkpoint: save and restore signal state, interval timers and rlimits" \
	"signal dispositions, masks, the alternate stack, pending signals, interval timers, rlimits"

commit_patch "$P_PTIMER" \
	"a posix-timers helper: read the POSIX timers of another task, create one with a given id for current"

add_files checkpoint/timers.c
body <<'EOF'
Add the timer records (checkpoint/timers.c): the POSIX timers of the process (timer_create(2)), each with its id, clock, sigevent, remaining time and interval, overrun counts, and whether its signal is pending. The clocks are the four hrtimer clocks and the CPU clocks of the process and of the thread; a timer on another process's CPU clock, an alarm timer, or one that signals another thread, is refused at checkpoint with EOPNOTSUPP.

A pending timer signal is the timer's own preallocated sigqueue: the signals record leaves it out, and restart queues it again as the timer's (posix_timer_restore(), previous patch), so that its delivery re-arms an interval timer and reports its overruns as it would have. Restart checks every record before its point of no return, and creates the timers, with their ids, after the restarter's own are deleted.
EOF
commit "checkpoint: save and restore POSIX timers" \
	"POSIX timers, with their ids and pending signals"

commit_patch "$P_SEM" \
	"SysV semaphore helpers: read a task's SEM_UNDO adjustments, hold them again, give them to current, make a set with a given id"

add_files checkpoint/sem.c
body <<'EOF'
Add the sem_undo records (checkpoint/sem.c): for each process, the SysV semaphore sets on which it has SEM_UNDO adjustments that are not zero, with each set's id, key, mode and values and the process's adjustment of each semaphore (sem_undo_read(), previous patch). Threads share theirs (CLONE_SYSVSEM): a thread with its own, or a list shared with another process, is refused.

The original is killed after the checkpoint, as a rule, and its exit gives back what it held. Restart, before its point of no return, takes it again for the restored process from the set of the caller's IPC namespace with that id, key and size: each value lowered by the adjustment, all or nothing, without waiting and with semop(2)'s permission checks (EAGAIN if another process took it meanwhile, EBUSY if the id is another set's); or, if the set is gone, makes it again with its id (CAP_CHECKPOINT_RESTORE), key, mode and the image's values. Past the point of no return each restored process is given its adjustments (sem_undo_add()), so that its exit undoes them again. A restart that fails gives back what it took and removes the sets it made.
EOF
commit "checkpoint: save and restore SysV semaphore adjustments" \
	"SEM_UNDO adjustments, with their semaphore sets"

commit_patch "$P_MSG" \
	"SysV message queue helpers: read the queues of a namespace with their messages, make a queue with a given id and messages"

commit_patch "$P_SEMNS" \
	"SysV semaphore helpers: read the sets of a namespace, give a set its owner"

add_files checkpoint/ipcns.c
body <<'EOF'
Add the msg_queue and sem_set records (checkpoint/ipcns.c): the SysV message queues and semaphore sets of the IPC namespace of a tree that has one of its own (CR_TREE_IPCNS, a container's), right after the tree record, each queue with its id, key, mode, owner, size and messages, read under its lock without receiving them (msg_queues_read()), each set with its id, key, mode, owner and values (sem_sets_read()), while the tree is held. Queues and sets are objects of the namespace, not of a task: they live on when every task is gone. An object the checkpointer may not read (as msgrcv(2) and semctl(2) GETALL check it), or a queue over a record, leaves the tree one that restarts only in its namespace, as one with SysV segments or POSIX queues does.

Restart with CR_RESTART_IPCNS reads the records before its point of no return and checks that the caller may give each object its owner (mapped in its user namespace: EOVERFLOW) and a queue its size (above the tree's msgmnb only with CAP_SYS_RESOURCE, as IPC_SET: EPERM). The root of the new namespace makes each object again with its id and contents (msg_make_queue(), sem_make_set(), sem_set_owner()) before it sets the namespace's limits, which may have been lowered below what the objects hold, and before it makes a child. The SEM_UNDO records of the tree's processes then name sets of the namespace, whose values hold what they held: nothing is taken, each process gets its adjustments back.
EOF
commit "checkpoint: save and restore the SysV queues and semaphore sets of a tree's IPC namespace" \
	"the SysV message queues and semaphore sets of a tree's own IPC namespace"
n_last_obj=$nr

add_dir arch/x86/checkpoint
add_files arch/x86/include/asm/checkpoint_format.h
for f in "${ARCH_HOOKS[@]}"; do
	apply_patch "$P_HOOKS" --include="$f"
done
body <<'EOF'
Implement the cr architecture interface for x86_64 in arch/x86/checkpoint/, build it with CONFIG_CHECKPOINT, and select HAVE_ARCH_CHECKPOINT on X86_64. This makes CONFIG_CHECKPOINT selectable: before this patch none of cr is compiled.

  - head.c: the XSAVE layout (features, size of the standard, non-compacted format, and where each component lies) goes into the arch record after the head; restart refuses an image with XSAVE features this CPU lacks or components of other sizes (ENOEXEC), and moves each component to where this CPU keeps it.
  - asm/checkpoint_format.h: the checks of the arch, cpu and fpu records that do not depend on the machine, shared with the tools as <linux/checkpoint_format.h> is.
  - cpu.c: the cpu record holds all general registers, the fs and gs bases, the segment selectors stored symbolically (their values differ between kernels and modes) and the three GDT TLS entries; the fpu record holds the whole XSAVE area, as ptrace's NT_X86_XSTATE regset has it. Restart checks both before its point of no return, with fpu_check_uabi_xstate() for the XSAVE area, and loads them into current after it (fpu_restore_uabi_xstate()). The vDSO is not saved: restart maps this kernel's vDSO where the image had it.

A task stopped inside a system call has -ERESTART* in ax and the call in orig_ax; both are saved and restart hands them to the signal code as the kernel would on SIGCONT: the call is restarted, or fails with EINTR if a handler runs.

Refused with EOPNOTSUPP and a reason in the kernel log: 32-bit tasks, an LDT, ioperm/iopl, and AMX tile data in use.
EOF
commit "x86/checkpoint: add the x86_64 part and enable checkpoint/restart" \
	"the x86_64 code (head, registers, TLS, FPU, vDSO) and select HAVE_ARCH_CHECKPOINT: CONFIG_CHECKPOINT can be set from here on"
n_arch=$nr

add_dir tools/testing/selftests/checkpoint
add_selftests_target
{
	echo "Add kselftests for checkpoint(2) and restart(2), and add checkpoint to the selftests' TARGETS. They need the kernel headers of this tree (make headers) and a kernel with the options of the config file; some tests skip without root."
	echo
	echo "The test programs:"
	echo
	for t in $(mkvar TEST_GEN_PROGS); do
		c=$src/tools/testing/selftests/checkpoint/$t.c
		[ -f "$c" ] && echo "  - $t: $(describe "$c")" || echo "  - $t"
	done
	echo
	echo "And the programs they drive:"
	echo
	for t in $(mkvar TEST_GEN_FILES); do
		c=$src/tools/testing/selftests/checkpoint/$t.c
		if [ -f "$c" ]; then
			echo "  - $t: $(describe "$c")"
		else
			# the comment above its rule in the Makefile
			echo "  - $t: $(awk -v t="\$(OUTPUT)/$t:" 'index($0, t) == 1 { print c; exit }
				{ c = $0; sub(/^# */, "", c) }' "$src/tools/testing/selftests/checkpoint/Makefile")"
		fi
	done
	echo
	echo "ckpt and rstr are the user-space front ends of the two system calls, also for use by hand: ckpt --stop --kill -o IMAGE PID, then rstr -i IMAGE."
} | body
commit "selftests/checkpoint: add tests and the user-space tools" \
	"kselftests, and the user-space tools they use"
n_selftests=$nr

if grep -q '^Documentation/' "$work/files"; then
	add_dir Documentation
	add_docs_index
	{
		echo "Document cr in Documentation/checkpoint/:"
		echo
		grep '^Documentation/.*\.rst$' "$work/files" | while read -r f; do
			# the title: the first line underlined with = or -
			t=$(awk 'prev != "" && /^(=+|-+)$/ && length($0) >= length(prev) { print prev; exit }
				 { prev = $0 }' "$src/$f")
			echo "  - ${f#Documentation/checkpoint/}: ${t:-(no title)}"
		done
		if grep -q '^Documentation/checkpoint/index.rst$' "$work/files"; then
			echo
			echo "and list it among the subsystem books (Documentation/subsystem-apis.rst)."
		fi
	} | body
	commit "Documentation/checkpoint: document checkpoint/restart" \
		"the documentation"
	n_docs=$nr
	grep -q '^Documentation/checkpoint/index.rst$' "$work/files" ||
		echo "mkpatches: warning: no Documentation/checkpoint/index.rst: the documentation is in no toctree" >&2
fi

add_maintainers_entry
docs=
grep -q '^Documentation/' "$work/files" && docs=" and the documentation"
echo "Add a MAINTAINERS entry for cr, with all its files: the generic and the x86_64 code, the two headers, the selftests$docs." | body
commit "MAINTAINERS: add an entry for checkpoint/restart (cr)" \
	"a MAINTAINERS entry"

# --- everything placed, everything in --------------------------------------
missing=$(while read -r f; do [ -n "${placed[$f]:-}" ] || echo "  $f"; done < "$work/files")
[ -z "$missing" ] || die "files of the tree not placed in the series (edit the plan in $0):
$missing"
missing=$(while read -r p; do [ -n "${used[${p#patches/}]:-}" ] || echo "  $p"; done < "$work/patches")
[ -z "$missing" ] || die "patches not placed in the series (edit the plan in $0):
$missing"
# Every hunk of patches/ is in: taken back out of a copy of the series,
# the last patch first (two patches may change neighbouring lines of a
# file, so that one's hunks only apply once the other's are out), they
# all apply.
rcheck=$work/rcheck
mkdir -p "$rcheck"
# and the files patches/ adds, as the series has them
sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$src"/patches/*.patch | LC_ALL=C sort -u |
	comm -13 "$work/upstream" - > "$work/added"
(cd "$repo" && cp --parents $(cat "$work/upstream" "$work/added") "$rcheck/")
while read -r p; do
	(cd "$rcheck" && git apply -p1 -R --whitespace=nowarn "$src/$p" 2>/dev/null) ||
		die "not every hunk of $p is in the series"
done < <(LC_ALL=C sort -r "$work/patches")
while read -r f; do
	cmp -s "$src/$f" "$repo/$f" || die "$f differs in the series"
done < "$work/files"

# --- the cover letter and the series -----------------------------------------
total=$nr
n_docs=${n_docs:-}
num() { printf '%0*d' ${#total} "$1"; }
{
	echo "cr: in-kernel checkpoint/restart of a process tree (x86_64)"
	echo
	wrap <<-EOF
	This series adds cr, an in-kernel checkpoint/restart of a process tree, with two system calls:

	  - $SIG_CKPT writes the state of a process tree to fd as a stream of typed records - a regular file, a pipe or a socket: the image is never seeked - and returns a checkpoint id. The tree is the caller, or another process the caller may ptrace-attach to with its descendants and all their threads, stopped or frozen by the checkpoint itself. It is only read, and runs on unchanged afterwards (or is killed, with CR_CHECKPOINT_KILL).
	  - $SIG_RSTR turns the caller into the tree of an image, or makes it as the caller's child, exactly where it was: same memory, registers, FPU state, files, signal state and limits, with its pids (CAP_CHECKPOINT_RESTORE) or new ones.

	Restart is a transaction: the whole tree is read from the image and checked, and every file it maps or has open is opened (as the caller), while the caller is intact; any error returns an errno. Only then are the tasks made and their address spaces replaced; a failure past that point kills the tree, which is never left half restored. The image is treated as hostile input, checked field by field and by an XXH64 checksum.

	What works today, on x86_64: trees of processes and threads, statically or dynamically linked, with their pids, parents, process groups and sessions, the init of a PID namespace, a UTS namespace and an IPC namespace of their own (its SysV message queues and semaphore sets too); registers, TLS and XSAVE state; mappings (anonymous, file-backed, private or shared, stack, heap, vDSO) with the pages that exist, copy-on-write sharing between parent and child, transparent huge pages, SysV shared memory segments and semaphore adjustments (SEM_UNDO), NUMA memory policies, names of anonymous mappings, KSM merging, membarrier registrations; open regular files, directories, character devices and named FIFOs, reopened by path; pipes with their contents; memfds and deleted files with their bytes; eventfd, signalfd, timerfd, epoll and inotify files with their state; POSIX message queues with their messages; unix sockets with their queues and pending connections, UDP sockets, TCP listeners and established TCP connections (repaired in place, held between a kill and the restart); pidfds of the tree; cwd and umask; signal dispositions, masks, the alternate stack, pending signals, interval and POSIX timers, rlimits; a system call a task was stopped in. What cr cannot save or reopen on fds 0-2, and one end of a pipe or a socket to a process outside the tree, is left to the restarter, which can hand in files of its own. What it cannot save yet - fanotify, files in flight, seccomp and Landlock sandboxes, other namespaces, among others - is refused with EOPNOTSUPP and a reason in the kernel log, never dropped.

	cr is unrelated to CONFIG_CHECKPOINT_RESTORE, which provides helpers for the user-space CRIU: here the kernel itself writes and reads the whole image.
	EOF
	if [ -n "$n_docs" ]; then
		echo
		echo "Documentation/checkpoint/ (patch $(num "$n_docs")) describes the system calls, the tools, the image format and the design." | wrap
	fi
	echo
	echo "The series"
	echo "----------"
	echo
	for i in $(seq 1 "$total"); do
		printf '  %s  %s\n' "$(num "$i")" "${roles[i]}"
	done | wrap
	echo
	wrap <<-EOF
	No code of cr is compiled before patch $(num "$n_arch"): CONFIG_CHECKPOINT depends on HAVE_ARCH_CHECKPOINT, which x86 selects only in that patch, once everything it needs is in (the usual "enable last" pattern). Every patch before it builds, but the code it adds is not compiled yet: the helpers it adds to upstream files are under #ifdef CONFIG_CHECKPOINT or are functions nothing calls before it, and patch $(num "$n_syscalls") only adds the system call table entries and the COND_SYSCALL stubs, so that until then both system calls return -ENOSYS.

	checkpoint/Makefile and include/linux/checkpoint.h are added whole in patch $(num "$n_core"): every per-object patch ($(num "$n_first_obj")-$(num "$n_last_obj")) would change them, and splitting them would need intermediate versions of both that never existed. With them whole, each per-object patch adds its own file and touches no shared one. Each helper patch to an upstream file comes just before the patch that uses it.

	The system call numbers are $(sed -n 's/^+\([0-9]*\)[[:space:]].*[[:space:]]sys_\(checkpoint\|restart\)$/\1/p' "$src/patches/$P_SYSCALLS" | paste -sd' ' | sed 's/ / and /'), the next free ones in 6.12, on x86_64 only: an architecture wires up the calls when it selects HAVE_ARCH_CHECKPOINT.
	EOF
	echo
	echo "How to test"
	echo "-----------"
	echo
	wrap <<-EOF
	On x86_64, with the options of tools/testing/selftests/checkpoint/config (CONFIG_CHECKPOINT=y) merged into the kernel configuration:
	EOF
	echo
	echo "  make headers"
	echo "  make -C tools/testing/selftests TARGETS=checkpoint run_tests"
	echo
	wrap <<-EOF
	and by hand, with the tools the selftests build: "ckpt --stop --kill -o IMAGE PID" checkpoints a process (SIGSTOP, checkpoint, SIGKILL) and "rstr -i IMAGE" restarts it. Without -o, ckpt writes the image to its standard output, and rstr reads it from its standard input without -i: an image can go through a pipe or a socket.

	Based on Linux $kver.
	EOF
} > "$work/cover"
g config branch.cr.description "$(cat "$work/cover")"

rm -f "$out"/*.patch
g format-patch -q --cover-letter --cover-from-description=subject --numbered \
	--no-signature -o "$out" base..cr
# the cover letter's date, like the patches', from the source commit
cover=$out/0000-cover-letter.patch
date=$(g log -1 --format=%aD cr)
sed -i "0,/^Date: /s/^Date: .*/Date: $date/" "$cover"
grep -q '\*\*\*' "$cover" && die "the cover letter was not filled in"
echo "mkpatches: $total patches and a cover letter in $out (Linux $kver)"
ls "$out"/*.patch | sed 's|.*/|  |'
