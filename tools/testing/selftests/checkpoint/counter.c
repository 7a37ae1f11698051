// SPDX-License-Identifier: GPL-2.0
/*
 * counter - the demo program: counts, keeps a checksum of a buffer it
 * rewrites at every step, and prints both.  A restarted counter goes on
 * from where its checkpoint was taken, with the same checksum an
 * uninterrupted run has.
 *
 *   counter [STEPS [MS_PER_STEP]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BUF_WORDS	(1 << 18)	/* 2 MiB */

static unsigned long buf[BUF_WORDS];

int main(int argc, char **argv)
{
	long steps = argc > 1 ? atol(argv[1]) : 20;
	long ms = argc > 2 ? atol(argv[2]) : 200;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	unsigned long sum = 0;
	long i, j;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i <= steps; i++) {
		for (j = 0; j < BUF_WORDS; j += 61) {
			buf[j] = buf[j] * 6364136223846793005UL + i + j;
			sum ^= buf[j] + (sum << 7) + (sum >> 3);
		}
		printf("count %ld checksum %016lx\n", i, sum);
		if (ms)
			nanosleep(&ts, NULL);
	}
	printf("done %ld checksum %016lx\n", steps, sum);
	return 0;
}
