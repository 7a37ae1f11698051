#!/bin/bash
# Kernel hygiene of our code (make check, run by CI):
#   checkpatch --strict on the kernel code and the selftests (the patch
#   series, integration patches included, is checked by test-patches.sh); kernel-doc -Wall, and a kernel-doc comment on every non-static
#   function; the format's drift check (sync-check.sh); sparse (C=2) on
#   our objects.
#   check.sh KSRC KOBJ
# Exits non-zero on any finding; prints one line per check.
set -uo pipefail
ksrc=$1
kobj=$2
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
rc=0

kernel_c=(checkpoint/*.c arch/x86/checkpoint/*.c)
kernel_h=(include/linux/checkpoint.h include/linux/checkpoint_format.h
	  include/uapi/linux/checkpoint.h arch/x86/include/asm/checkpoint_format.h)
# the arch's uapi header: no BIT() in user space (checkpatch knows that of
# include/uapi/ only)
uapi_arch_h=arch/x86/include/uapi/asm/checkpoint.h
tests=(tools/testing/selftests/checkpoint/*.[ch])

# The checkpatch types we do not follow, each for one reason:
#  TYPO_SPELLING: "useable" is the name of a field of struct user_desc.
kernel_ignore=TYPO_SPELLING
#  In the selftests and tools (user space, kselftest_harness):
#  VOLATILE: flags shared with signal handlers, and values the compiler
#    must not cache across a checkpoint; BRACES: the harness's assertions
#    are two statements; ENOSYS: the tools test for it, not return it;
#    EMBEDDED_FUNCTION_NAME: usage() prints the word "usage";
#    SPLIT_STRING: long messages; BIT_MACRO, PREFER_DEFINED_ATTRIBUTE_MACRO:
#    no BIT() or __printf() in user space; CAMELCASE: _Static_assert.
test_ignore=$kernel_ignore,VOLATILE,BRACES,ENOSYS,EMBEDDED_FUNCTION_NAME,SPLIT_STRING
test_ignore=$test_ignore,BIT_MACRO,PREFER_DEFINED_ATTRIBUTE_MACRO,CAMELCASE

checkpatch() {
	"$ksrc/scripts/checkpatch.pl" --no-tree --strict --terse --show-types "$@" 2>&1 |
		grep -v '^total: 0 errors, 0 warnings, 0 checks'
}

report() {	# name, findings
	local n
	n=$(printf '%s' "$2" | grep -c .)
	if [ "$n" = 0 ]; then
		echo "check: $1: clean"
	else
		echo "check: $1: $n findings"
		printf '%s\n' "$2" | sed 's/^/  /'
		rc=1
	fi
}

out=$( (for f in "${kernel_c[@]}" "${kernel_h[@]}" checkpoint/Kconfig; do
	checkpatch --ignore "$kernel_ignore" -f "$f"; done
	checkpatch --ignore "$kernel_ignore,BIT_MACRO" -f "$uapi_arch_h") | grep -v '^total:')
report "checkpatch --strict (kernel code)" "$out"

out=$(for f in "${tests[@]}"; do
	checkpatch --ignore "$test_ignore" -f "$f"; done | grep -v '^total:')
report "checkpatch --strict (selftests and tools)" "$out"

out=$("$ksrc/scripts/kernel-doc" -none -Wall "${kernel_c[@]}" "${kernel_h[@]}" "$uapi_arch_h" 2>&1)
report "kernel-doc -Wall" "$out"

# A definition at column 0 that is not static must follow a "*/" that
# closes a "/**" comment.
out=$(awk '
	FNR == 1 { doc = 0; incomment = 0 }
	/^\/\*\*/ { incomment = 1; kdoc = 1 }
	/^\/\*[^*]/ || /^\/\*$/ { incomment = 1; kdoc = 0 }
	incomment && /\*\// { incomment = 0; doc = kdoc; next }
	incomment { next }
	/^SYSCALL_DEFINE/ || (/^[a-z][a-z0-9_ *]*[a-z0-9_]\(/ && !/^static/ && !/;$/) {
		if (!doc)
			printf "%s:%d: no kernel-doc: %s\n", FILENAME, FNR, $0
	}
	/^[^ \t]/ && !/^\/\*/ { doc = 0 }
	' "${kernel_c[@]}")
report "kernel-doc on every non-static function" "$out"

# The image format has one source of truth, shared by the kernel and the
# tools: its tables, cr_sections[], the tools, the tests and format.rst
# must agree with it (harness/sync-check.sh).
if out=$(harness/sync-check.sh 2>&1); then
	out=
elif [ -z "$out" ]; then
	out="harness/sync-check.sh failed"
fi
report "sync-check (one source of format truth)" "$out"

# sparse on our objects; warnings raised inside upstream headers (such as
# the __rcu sighand in unlock_task_sighand()) are not ours and are left out.
if command -v sparse >/dev/null; then
	out=$(make -s -C "$ksrc" O="$kobj" ARCH=x86_64 C=2 checkpoint/ arch/x86/checkpoint/ 2>&1 |
		grep -E '^[^ ]*(checkpoint/[^/]*\.[ch]|arch/x86/checkpoint/[^/]*\.c|(linux|asm)/checkpoint(_format)?\.h):[0-9]+:' |
		grep -E 'warning|error')
	report "sparse (C=2)" "$out"
else
	echo "check: sparse: not installed"
	rc=1
fi
exit $rc
