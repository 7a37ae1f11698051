// SPDX-License-Identifier: GPL-2.0
/*
 * cr selftests: crinspect, the image inspector, on real images - a self
 * checkpoint, and the checkpoint of a stopped child holding files, a pipe
 * with bytes in it and signal state - and on broken copies of them.  A
 * valid image is listed record by record, as the stream has them, in text
 * and in JSON (checked by a strict parser here: there is no python in the
 * VM); a cut, a bad header, a bad magic or tail is reported at the offset
 * of the record at fault.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cr_test.h"
#include "../kselftest_harness.h"

/* A file name JSON and the terminal need escapes for: " \ tab ^A and a byte no UTF-8 */
#define ODD_NAME	"/tmp/cr-inspect \"q\\\t\x01\xff"
#define ODD_HUMAN	"    path: \"/tmp/cr-inspect \\\"q\\\\\\x09\\x01\\xff\"\n"
#define ODD_JSON	"\"path\": \"/tmp/cr-inspect \\\"q\\\\\\u0009\\u0001\\u00ff\", " \
			"\"path_hex\": \"2f746d702f63722d696e73706563742022715c0901ff\""

/* --- running crinspect --------------------------------------------------- */

/* Installed in the VM, or next to this test. */
static const char *crinspect_path(void)
{
	static const char installed[] = "/usr/local/bin/crinspect";
	static char path[PATH_MAX];
	ssize_t n;
	char *slash;

	if (!access(installed, X_OK))
		return installed;
	n = readlink("/proc/self/exe", path, sizeof(path) - sizeof(installed));
	if (n <= 0)
		return NULL;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (!slash)
		return NULL;
	/* the same name, next to this program */
	snprintf(slash + 1, sizeof(installed), "%s", strrchr(installed, '/') + 1);
	return access(path, X_OK) ? NULL : path;
}

struct run {
	int status;	/* exit status, or 128 + the signal */
	char *out;	/* standard output, NUL terminated */
	size_t out_len;
	char *err;	/* standard error, NUL terminated */
};

static char *read_back(int fd, size_t *len)
{
	char *buf, *p;

	if (lseek(fd, 0, SEEK_SET))
		return NULL;
	buf = cr_read_all(fd, len);
	if (!buf)
		return NULL;
	p = realloc(buf, *len + 1);
	if (!p) {
		free(buf);
		return NULL;
	}
	p[*len] = '\0';
	return p;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	r->out = NULL;
	r->err = NULL;
}

enum input { IN_FILE, IN_PIPE, IN_NONE };

/*
 * Run crinspect with the options @opts (NULL terminated) on @len bytes of
 * @img: as a FILE argument, or written to a pipe on its standard input.
 * Returns 0 with @r filled in, or -1.
 */
static int run_crinspect(const char *const *opts, const char *img, size_t len, enum input in,
			 struct run *r)
{
	const char *argv[8] = { "crinspect" }, *prog = crinspect_path();
	int out = cr_tmpfile(), err = cr_tmpfile(), p[2] = { -1, -1 }, argc = 1, fd;
	char path[64] = "";
	size_t elen;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (!prog || out < 0 || err < 0)
		return -1;
	while (*opts && argc < 6)
		argv[argc++] = *opts++;
	if (in == IN_FILE) {
		snprintf(path, sizeof(path), "/tmp/cr-inspect-img.%d", getpid());
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || cr_write_all(fd, img, len) || close(fd))
			return -1;
		argv[argc++] = path;
	} else if (in == IN_PIPE && pipe(p)) {
		return -1;
	}
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int nul = open("/dev/null", O_RDONLY);

		signal(SIGPIPE, SIG_DFL);
		if (dup2(in == IN_PIPE ? p[0] : nul, 0) || dup2(out, 1) != 1 || dup2(err, 2) != 2)
			_exit(126);
		closefrom(3);
		execv(prog, (char **)argv);
		_exit(127);
	}
	if (in == IN_PIPE) {
		/* crinspect may stop reading early: EPIPE, not SIGPIPE */
		signal(SIGPIPE, SIG_IGN);
		close(p[0]);
		cr_write_all(p[1], img, len);
		close(p[1]);
	}
	r->status = cr_wait(pid);
	if (*path)
		unlink(path);
	r->out = read_back(out, &r->out_len);
	r->err = read_back(err, &elen);
	close(out);
	close(err);
	return r->out && r->err ? 0 : -1;
}

static int inspect(const char *opt, const char *img, size_t len, enum input in, struct run *r)
{
	const char *opts[2] = { opt, NULL };

	return run_crinspect(opts, img, len, in, r);
}

/* Record lines ("@OFFSET TYPE len=N") in text output. */
static long count_records(const char *out)
{
	long n = *out == '@';
	const char *p = out;

	while ((p = strstr(p, "\n@"))) {
		n++;
		p++;
	}
	return n;
}

/* The line of @out that starts with @prefix, up to its end, or NULL. */
static char *line_of(const char *out, const char *prefix, char *buf, size_t size)
{
	const char *p = out, *end;
	size_t n = strlen(prefix);

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, prefix, n))
			continue;
		end = strchrnul(p, '\n');
		snprintf(buf, size, "%.*s", (int)(end - p), p);
		return buf;
	}
	return NULL;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The whole line of @out that holds @needle, or NULL. */
static char *line_with(const char *out, const char *needle, char *buf, size_t size)
{
	const char *at = strstr(out, needle), *start, *end;

	if (!at)
		return NULL;
	for (start = at; start > out && start[-1] != '\n'; start--)
		;
	end = strchrnul(at, '\n');
	snprintf(buf, size, "%.*s", (int)(end - start), start);
	return buf;
}

/* --- the image's records, as the test sees them --------------------------- */

struct rec {
	size_t off;
	__u32 type;
	__u32 len;
};

struct layout {
	struct rec *r;
	long n;
};

static void add_rec(const struct cr_image_rec *rec, void *arg)
{
	struct layout *l = arg;

	l->r[l->n].off = rec->off;
	l->r[l->n].type = rec->hdr.type;
	l->r[l->n].len = rec->hdr.len;
	l->n++;
}

/* The records of a valid image; -1 (and why on stderr) for another. */
static long layout_of(const char *img, size_t len, struct layout *l)
{
	struct cr_image im;
	long n = cr_image_walk(&im, img, len, NULL, NULL);

	l->n = 0;
	l->r = n > 0 ? calloc(n, sizeof(*l->r)) : NULL;
	if (n < 0)
		fprintf(stderr, "# image invalid at offset %llu: %s\n",
			(unsigned long long)im.why_off, im.why);
	if (!l->r)
		return -1;
	cr_image_walk(&im, img, len, add_rec, l);
	return l->n;
}

/* Index of the @nth (from 0) record of @type, or -1. */
static long find_rec(const struct layout *l, __u32 type, int nth)
{
	long i;

	for (i = 0; i < l->n; i++)
		if (l->r[i].type == type && !nth--)
			return i;
	return -1;
}

/* Every record of the image, in order, in crinspect's text or JSON output. */
static long records_listed(const struct layout *l, const char *out, bool json)
{
	const char *p = out;
	char want[128];
	long i;

	for (i = 0; i < l->n; i++) {
		if (json)
			snprintf(want, sizeof(want),
				 "\n{\"offset\": %zu, \"type\": \"%s\", \"len\": %u",
				 l->r[i].off, cr_rec_name(l->r[i].type), l->r[i].len);
		else
			snprintf(want, sizeof(want), "@%zu %s len=%u\n", l->r[i].off,
				 cr_rec_name(l->r[i].type), l->r[i].len);
		p = strstr(p, want);
		if (!p)
			return i;
		if (!json && p != out && p[-1] != '\n')
			return i;
		p += strlen(want);
		if (json && *p != ',' && *p != '}')
			return i;
	}
	return i;
}

/* --- a strict JSON parser (RFC 8259), which also picks the top-level keys -- */

#define JSON_MAX_DEPTH	64
#define JSON_MAX_KEYS	128
#define JSON_KEY_LEN	32

struct json {
	const unsigned char *p, *end;
	int depth;
	int valid;	/* top-level "valid": 1 true, 0 false, -1 missing */
	long records;	/* elements of the top-level "records" array, -1 if missing */
	bool error;	/* a top-level "error" object */
	bool dup;	/* a key repeated in an object */
};

static void json_ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool json_lit(struct json *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n))
		return false;
	j->p += n;
	return true;
}

/* One UTF-8 sequence of 2 to 4 bytes: no overlong form, surrogate or value past U+10FFFF. */
static bool json_utf8(struct json *j)
{
	const unsigned char *s = j->p;
	unsigned int c, n, i, min;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else {
		return false;
	}
	if ((size_t)(j->end - s) < n)
		return false;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return false;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return false;
	j->p += n;
	return true;
}

/* A string; the ASCII of it into @key (if not NULL) for keys. */
static bool json_string(struct json *j, char *key, size_t size)
{
	size_t n = 0;
	int i;

	if (j->p >= j->end || *j->p != '"')
		return false;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		unsigned char ch = *j->p;

		if (ch < 0x20)
			return false;
		if (ch >= 0x80) {
			if (!json_utf8(j))
				return false;
			continue;
		}
		if (ch == '\\') {
			if (++j->p >= j->end)
				return false;
			ch = *j->p;
			if (ch == 'u') {
				for (i = 1; i <= 4; i++)
					if (j->end - j->p <= i || !isxdigit(j->p[i]))
						return false;
				j->p += 5;
				continue;
			}
			if (!strchr("\"\\/bfnrt", ch))
				return false;
		}
		j->p++;
		if (key && n + 1 < size)
			key[n++] = ch;
	}
	if (j->p >= j->end)
		return false;
	j->p++;
	if (key)
		key[n] = '\0';
	return true;
}

static bool json_digits(struct json *j)
{
	if (j->p >= j->end || !isdigit(*j->p))
		return false;
	while (j->p < j->end && isdigit(*j->p))
		j->p++;
	return true;
}

static bool json_number(struct json *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!json_digits(j))
		return false;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!json_digits(j))
			return false;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!json_digits(j))
			return false;
	}
	return true;
}

static bool json_value(struct json *j, long *elems);

static bool json_array(struct json *j, long *elems)
{
	long n = 0;

	j->p++;
	json_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		goto out;
	}
	for (;;) {
		if (!json_value(j, NULL))
			return false;
		n++;
		json_ws(j);
		if (j->p >= j->end)
			return false;
		if (*j->p == ']') {
			j->p++;
			break;
		}
		if (*j->p++ != ',')
			return false;
	}
out:
	if (elems)
		*elems = n;
	return true;
}

static bool json_object(struct json *j)
{
	static char keys[JSON_MAX_DEPTH][JSON_MAX_KEYS][JSON_KEY_LEN];
	char (*seen)[JSON_KEY_LEN] = keys[j->depth - 1];
	bool top = j->depth == 1;
	const unsigned char *v;
	int nkeys = 0, i;
	char key[JSON_KEY_LEN];
	long n;

	j->p++;
	json_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return true;
	}
	for (;;) {
		json_ws(j);
		if (!json_string(j, key, sizeof(key)))
			return false;
		for (i = 0; i < nkeys; i++)
			if (!strcmp(seen[i], key))
				j->dup = true;
		if (nkeys < JSON_MAX_KEYS)
			snprintf(seen[nkeys++], JSON_KEY_LEN, "%s", key);
		json_ws(j);
		if (j->p >= j->end || *j->p++ != ':')
			return false;
		json_ws(j);
		v = j->p;
		n = -1;
		if (!json_value(j, &n))
			return false;
		if (top && !strcmp(key, "records"))
			j->records = n;
		if (top && !strcmp(key, "valid"))
			j->valid = *v == 't' ? 1 : *v == 'f' ? 0 : -2;
		if (top && !strcmp(key, "error"))
			j->error = *v == '{';
		json_ws(j);
		if (j->p >= j->end)
			return false;
		if (*j->p == '}') {
			j->p++;
			return true;
		}
		if (*j->p++ != ',')
			return false;
	}
}

static bool json_value(struct json *j, long *elems)
{
	bool ok;

	json_ws(j);
	if (j->p >= j->end || j->depth >= JSON_MAX_DEPTH)
		return false;
	j->depth++;
	switch (*j->p) {
	case '{':
		ok = json_object(j);
		break;
	case '[':
		ok = json_array(j, elems);
		break;
	case '"':
		ok = json_string(j, NULL, 0);
		break;
	case 't':
		ok = json_lit(j, "true");
		break;
	case 'f':
		ok = json_lit(j, "false");
		break;
	case 'n':
		ok = json_lit(j, "null");
		break;
	default:
		ok = json_number(j);
	}
	j->depth--;
	return ok;
}

/* One JSON document: a value, white space around it, nothing else. */
static bool json_check(const char *doc, size_t len, struct json *j)
{
	memset(j, 0, sizeof(*j));
	j->p = (const unsigned char *)doc;
	j->end = j->p + len;
	j->valid = -1;
	j->records = -1;
	if (!json_value(j, NULL))
		return false;
	json_ws(j);
	return j->p == j->end && !j->dup;
}

/* The parser itself must tell bad JSON from good, or it proves nothing. */
TEST(json_parser)
{
	static const char * const good[] = {
		"{}", " [1, -0.5e+3, \"a\\u00ffb\\n\", true, false, null, {\"x\": []}] ",
		"\"caf\xc3\xa9\"", "0", "-12.25E-2",
	};
	static const char * const bad[] = {
		"", "{", "{\"a\" 1}", "[1,]", "[1 2]", "{\"a\": 1,}", "01", "1.", "-",
		"\"\x01\"", "\"\\x41\"", "\"\\u12g4\"", "\"\xff\"", "\"\xc0\xaf\"",
		"\"\xed\xa0\x80\"", "tru", "{} {}", "{\"a\": 1, \"a\": 2}", "[\"unterminated]",
	};
	static const char doc[] = "{\"valid\": false, \"records\": [{}, {}, 3], \"error\": {}}";
	struct json j;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		EXPECT_TRUE(json_check(good[i], strlen(good[i]), &j)) TH_LOG("good %zu", i);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_FALSE(json_check(bad[i], strlen(bad[i]), &j)) TH_LOG("bad %zu", i);
	ASSERT_TRUE(json_check(doc, strlen(doc), &j));
	EXPECT_EQ(0, j.valid);
	EXPECT_EQ(3, j.records);
	EXPECT_TRUE(j.error);
}

/* --- checks -------------------------------------------------------------- */

/* A valid image: listed whole and in order, in text, JSON, quietly, from a pipe. */
static void check_valid(struct __test_metadata *_metadata, const char *img, size_t len,
			const struct layout *l)
{
	const struct cr_rec_tail *tail;
	const char *opts[3] = { "-q", NULL };
	struct run r, rp;
	struct json j;
	char want[64];

	ASSERT_EQ((__u32)CR_REC_TAIL, l->r[l->n - 1].type);
	tail = (const void *)(img + l->r[l->n - 1].off + sizeof(struct cr_hdr));

	ASSERT_EQ(0, inspect(NULL, img, len, IN_FILE, &r)) TH_LOG("no crinspect to run");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.err);
	EXPECT_EQ(l->n, count_records(r.out));
	EXPECT_EQ(l->n, records_listed(l, r.out, false));
	EXPECT_TRUE(starts(r.out, "@0 head len="));
	EXPECT_EQ((__u64)(l->n - 1), tail->records);
	snprintf(want, sizeof(want), "\n    records: %llu\n", (unsigned long long)tail->records);
	EXPECT_NE(NULL, strstr(r.out, want));
	snprintf(want, sizeof(want), "\n    version: %u\n", CR_FORMAT_VERSION);
	EXPECT_NE(NULL, strstr(r.out, want));

	/* the same from a pipe */
	ASSERT_EQ(0, inspect(NULL, img, len, IN_PIPE, &rp));
	EXPECT_EQ(0, rp.status);
	EXPECT_STREQ(r.out, rp.out);
	run_free(&rp);
	run_free(&r);

	/* JSON: one strict document, every record in it */
	ASSERT_EQ(0, inspect("--json", img, len, IN_PIPE, &r));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(json_check(r.out, r.out_len, &j)) TH_LOG("bad JSON near byte %zu",
							     (size_t)((const char *)j.p - r.out));
	EXPECT_EQ(1, j.valid);
	EXPECT_EQ(l->n, j.records);
	EXPECT_FALSE(j.error);
	EXPECT_EQ(l->n, records_listed(l, r.out, true));
	EXPECT_TRUE(starts(r.out, "{\"valid\": true, \"records\": [\n{\"offset\": 0, "));
	run_free(&r);

	/* -q: nothing */
	ASSERT_EQ(0, run_crinspect(opts, img, len, IN_FILE, &r));
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(0UL, r.out_len);
	EXPECT_STREQ("", r.err);
	run_free(&r);
}

/*
 * crinspect finds @img invalid at stream offset @at, after listing the
 * @before records ahead of it; @why, if not NULL, is part of the reason.
 */
static void expect_invalid(struct __test_metadata *_metadata, const char *img, size_t len,
			   size_t at, long before, const char *why)
{
	unsigned long long off = ~0ULL;
	char want[96];
	int n;
	struct json j;
	struct run r;

	ASSERT_EQ(0, inspect(NULL, img, len, IN_FILE, &r));
	EXPECT_EQ(1, r.status) TH_LOG("cut or broken at %zu: %s", at, r.err);
	n = sscanf(r.err, "crinspect: offset %llu: ", &off);
	EXPECT_EQ(1, n) TH_LOG("%s", r.err);
	EXPECT_EQ(at, off) TH_LOG("%s", r.err);
	EXPECT_EQ(before, count_records(r.out));
	if (why)
		EXPECT_NE(NULL, strstr(r.err, why)) TH_LOG("'%s' not in: %s", why, r.err);
	run_free(&r);

	ASSERT_EQ(0, inspect("-j", img, len, IN_PIPE, &r));
	EXPECT_EQ(1, r.status);
	EXPECT_TRUE(json_check(r.out, r.out_len, &j));
	EXPECT_EQ(0, j.valid);
	EXPECT_EQ(before, j.records);
	EXPECT_TRUE(j.error);
	snprintf(want, sizeof(want), "\"error\": {\"offset\": %zu, \"reason\": \"", at);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out + (r.out_len > 200 ?
								    r.out_len - 200 : 0));
	run_free(&r);
}

/* --- a self checkpoint --------------------------------------------------- */

FIXTURE(image) {
	char *img;
	size_t len;
	struct layout l;
};

FIXTURE_SETUP(image)
{
	int fd = cr_tmpfile();

	ASSERT_NE(NULL, crinspect_path()) TH_LOG("crinspect is not installed nor next to the test");
	ASSERT_GE(fd, 0);
	ASSERT_GT(sys_checkpoint(0, fd, 0), 0) TH_LOG("checkpoint: %s", strerror(errno));
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	self->img = cr_read_all(fd, &self->len);
	close(fd);
	ASSERT_NE(NULL, self->img);
	/* head task cpu fpu mm vma... fs signals pages... tail */
	ASSERT_GT(layout_of(self->img, self->len, &self->l), 10);
}

FIXTURE_TEARDOWN(image)
{
	free(self->img);
	free(self->l.r);
}

TEST_F(image, valid_self)
{
	struct run r;
	char line[256];

	check_valid(_metadata, self->img, self->len, &self->l);
	ASSERT_EQ(0, inspect(NULL, self->img, self->len, IN_FILE, &r));
	EXPECT_NE(NULL, strstr(r.out, "\n    magic: 0x3130524b50434c4c (LLCPKR01)\n"));
	EXPECT_NE(NULL, strstr(r.out, "\n    arch: 1 (x86_64)\n"));
	EXPECT_NE(NULL, strstr(r.out, "\n    comm: \"inspect\"\n"));
	/* a self checkpoint returns 0 in the restarted process, outside any call */
	EXPECT_NE(NULL, strstr(r.out, "\n    ax: 0x0\n"));
	EXPECT_NE(NULL, strstr(r.out, "\n    orig_ax: 0xffffffffffffffff\n"));
	EXPECT_NE(NULL, strstr(r.out, "\n    cs: 1 (user_cs)\n    ss: 2 (user_ds)\n"));
	EXPECT_NE(NULL, line_of(r.out, "    xfeatures: 0x", line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "(x87|sse")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(r.out, "\n    kind: 5 (stack)\n    flags: 0x1 (growsdown)\n"));
	EXPECT_NE(NULL, strstr(r.out, "\n    kind: 7 (vdso)\n"));
	run_free(&r);
}

/* --pages lists every saved page: as many as the pages records hold */
TEST_F(image, pages_listed)
{
	const char *p;
	long i, pages = 0, lines = 0;
	struct run r;

	for (i = 0; i < self->l.n; i++)
		if (self->l.r[i].type == CR_REC_PAGES)
			pages += ((const struct cr_rec_pages *)(self->img + self->l.r[i].off +
								sizeof(struct cr_hdr)))->nr;
	ASSERT_GT(pages, 1);
	ASSERT_EQ(0, inspect("--pages", self->img, self->len, IN_PIPE, &r));
	EXPECT_EQ(0, r.status);
	for (p = r.out; (p = strstr(p, "\n    addr[")); p++)
		lines++;
	EXPECT_EQ(pages, lines);
	run_free(&r);
	ASSERT_EQ(0, inspect(NULL, self->img, self->len, IN_PIPE, &r));
	EXPECT_EQ(NULL, strstr(r.out, "\n    addr["));
	run_free(&r);
}

/* A stream cut inside a record: that record's offset; at a record boundary: there. */
TEST_F(image, truncated)
{
	const struct layout *l = &self->l;
	long task = find_rec(l, CR_REC_TASK, 0), mm = find_rec(l, CR_REC_MM, 0);
	long sig = find_rec(l, CR_REC_SIGNALS, 0), data = find_rec(l, CR_REC_PAGE_DATA, 0);
	long tree = find_rec(l, CR_REC_TREE, 0), tail = l->n - 1;
	const char *img = self->img;

	ASSERT_EQ(2, tree);	/* after the head and the arch record */
	ASSERT_EQ(3, mm);	/* the process's sections first */
	ASSERT_GT(sig, mm);
	ASSERT_GT(task, sig);	/* then its task's */
	ASSERT_GT(data, task);
	expect_invalid(_metadata, img, 0, 0, 0, "empty");
	expect_invalid(_metadata, img, 5, 0, 0, "cut short");
	expect_invalid(_metadata, img, 8 + 20, 0, 0, "head record cut short");
	expect_invalid(_metadata, img, l->r[task].off + 8 + 10, l->r[task].off, task,
		       "task record cut short");
	expect_invalid(_metadata, img, l->r[mm].off + 8 + 100, l->r[mm].off, mm, "mm record");
	expect_invalid(_metadata, img, l->r[sig].off + 8 + 1000, l->r[sig].off, sig, NULL);
	expect_invalid(_metadata, img, l->r[data].off + 8 + l->r[data].len / 2 + 7,
		       l->r[data].off, data, "page_data record cut short");
	/* the padding of a record is part of it */
	expect_invalid(_metadata, img, l->r[mm].off + 8 + l->r[mm].len, l->r[mm].off, mm, NULL);
	expect_invalid(_metadata, img, l->r[tail].off, l->r[tail].off, tail,
		       "ends before the tail");
	expect_invalid(_metadata, img, self->len - 1, l->r[tail].off, tail, "tail record");
}

/* A record header broken in place: that record's offset. */
TEST_F(image, bad_headers)
{
	const struct layout *l = &self->l;
	long cpu = find_rec(l, CR_REC_CPU, 0), mm = find_rec(l, CR_REC_MM, 0);
	long vma = find_rec(l, CR_REC_VMA, 1), fd = find_rec(l, CR_REC_FD, 0);
	long pages = find_rec(l, CR_REC_PAGES, 0);
	char *img = malloc(self->len);
	struct cr_hdr *h;
	long i;
	struct {
		long rec;
		__u32 type;	/* 0: keep */
		__s64 dlen;	/* added to the length */
		bool set;	/* the length is @dlen */
		const char *why;
	} cases[] = {
		{ 1, 0x7777, 0, false, "bad record type 30583" },
		{ cpu, 0, 8, false, "cpu record: length" },
		{ mm, 0, 0xffffffff, true, "mm record too long" },
		{ vma, CR_REC_TAIL, 0, false, "unexpected tail record" },
		{ fd, 0, -4, false, "fd record: length 12, expected 16" },
		{ pages, CR_REC_PAGE_DATA, 0, false, "unexpected page_data record" },
		{ l->n - 1, 0, 8, false, "tail record: length 40, expected 32" },
	};

	ASSERT_NE(NULL, img);
	ASSERT_GT(vma, 0);
	ASSERT_GT(fd, 0);
	ASSERT_GT(pages, 0);
	for (i = 0; i < (long)ARRAY_SIZE(cases); i++) {
		memcpy(img, self->img, self->len);
		h = (struct cr_hdr *)(img + l->r[cases[i].rec].off);
		if (cases[i].type)
			h->type = cases[i].type;
		if (cases[i].set)
			h->len = cases[i].dlen;
		else
			h->len += cases[i].dlen;
		expect_invalid(_metadata, img, self->len, l->r[cases[i].rec].off, cases[i].rec,
			       cases[i].why);
	}
	free(img);
}

/* Not a cr image, or another version of the format: offset 0. */
TEST_F(image, bad_magic)
{
	char *img = malloc(self->len);
	struct cr_rec_head *head = (void *)(img + sizeof(struct cr_hdr));

	ASSERT_NE(NULL, img);
	memcpy(img, self->img, self->len);
	head->magic ^= 0xff;
	expect_invalid(_metadata, img, self->len, 0, 0, "bad magic");

	memcpy(img, self->img, self->len);
	head->version = 99;
	expect_invalid(_metadata, img, self->len, 0, 0, "version 99");

	memcpy(img, self->img, self->len);
	((struct cr_hdr *)img)->type = CR_REC_TASK;
	expect_invalid(_metadata, img, self->len, 0, 0, "not a cr image");

	/* a fine head for another machine */
	memcpy(img, self->img, self->len);
	head->arch = 2;
	expect_invalid(_metadata, img, self->len, 0, 0, "arch 2");
	free(img);
}

/* The tail must count the records and bytes before it; nothing may follow it. */
TEST_F(image, bad_tail)
{
	const struct layout *l = &self->l;
	size_t at = l->r[l->n - 1].off;
	char *img = malloc(self->len + 4096);
	struct cr_rec_tail *tail = (void *)(img + at + sizeof(struct cr_hdr));

	ASSERT_NE(NULL, img);
	memcpy(img, self->img, self->len);
	tail->records++;
	expect_invalid(_metadata, img, self->len, at, l->n - 1, "tail says");

	memcpy(img, self->img, self->len);
	tail->offset -= CR_ALIGN;
	expect_invalid(_metadata, img, self->len, at, l->n - 1, "tail says");

	memcpy(img, self->img, self->len);
	tail->magic = CR_HEAD_MAGIC;
	expect_invalid(_metadata, img, self->len, at, l->n - 1, "bad tail magic");

	/* a byte, or a whole record, after the tail */
	memcpy(img, self->img, self->len);
	memset(img + self->len, 0, 4096);
	expect_invalid(_metadata, img, self->len + 1, self->len, l->n, "after the tail");
	memcpy(img + self->len, self->img, 4096 < self->len ? 4096 : self->len);
	expect_invalid(_metadata, img, self->len + 4096, self->len, l->n, "after the tail");
	free(img);
}

TEST(usage)
{
	static const char * const bad_opt[] = { "--frobnicate", NULL };
	static const char * const two[] = { "/proc/self/status", "/proc/self/status", NULL };
	static const char * const missing[] = { "/nonexistent/image", NULL };
	static const char * const help[] = { "--help", NULL };
	struct run r;

	ASSERT_NE(NULL, crinspect_path());
	ASSERT_EQ(0, run_crinspect(bad_opt, NULL, 0, IN_NONE, &r));
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "usage: crinspect"));
	run_free(&r);
	ASSERT_EQ(0, run_crinspect(two, NULL, 0, IN_NONE, &r));
	EXPECT_EQ(2, r.status);
	run_free(&r);
	ASSERT_EQ(0, run_crinspect(missing, NULL, 0, IN_NONE, &r));
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "crinspect: /nonexistent/image: "));
	EXPECT_EQ(0UL, r.out_len);
	run_free(&r);
	ASSERT_EQ(0, run_crinspect(help, NULL, 0, IN_NONE, &r));
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "usage: crinspect [-j|--json] [-p|--pages] [-q|--quiet]"));
	run_free(&r);
}

/* --- the checkpoint of a stopped child with files, a pipe, signals -------- */

static void on_usr1(int sig)
{
}

/*
 * The child: the odd file open read-write at offset 42 on fd 4 and fd 10,
 * a pipe holding "hello", a SIGUSR1 handler, SIGUSR2 blocked and pending;
 * it says so on fd 3 and waits in pause().
 */
static void holder(void)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	sigset_t set;
	int fd, p[2];

	fd = open(ODD_NAME, O_RDWR);
	if (fd != 4 || lseek(fd, 42, SEEK_SET) != 42 || dup2(fd, 10) != 10)
		_exit(1);
	if (pipe(p) || write(p[1], "hello", 5) != 5)
		_exit(1);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	if (sigaction(SIGUSR1, &sa, NULL) || sigprocmask(SIG_BLOCK, &set, NULL) ||
	    raise(SIGUSR2))
		_exit(1);
	if (write(3, "!", 1) != 1)
		_exit(1);
	close(3);
	for (;;)
		pause();
}

/* The text of the record that holds @needle: from its "@" line to the next. */
static char *record_with(const char *out, const char *needle, char *buf, size_t size)
{
	const char *at = strstr(out, needle), *start, *end;

	if (!at)
		return NULL;
	for (start = at; start > out && !(start[-1] == '\n' && start[0] == '@'); start--)
		;
	end = strstr(at, "\n@");
	end = end ? end + 1 : at + strlen(at);
	snprintf(buf, size, "%.*s", (int)(end - start), start);
	return buf;
}

TEST(valid_child)
{
	int img = cr_tmpfile(), sync[2], status, fd;
	char rec[2048], line[256], c;
	struct layout l = {};
	struct json j;
	struct run r;
	size_t len;
	char *buf;
	long crid;
	pid_t pid;

	ASSERT_NE(NULL, crinspect_path());
	ASSERT_GE(img, 0);
	fd = open(ODD_NAME, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	memset(line, '7', 100);
	ASSERT_EQ(100, write(fd, line, 100));
	close(fd);
	ASSERT_EQ(0, pipe(sync));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		/* fd 3 to the parent, nothing else past 2 */
		if (dup2(sync[1], 3) != 3)
			_exit(1);
		closefrom(4);
		holder();
	}
	close(sync[1]);
	ASSERT_EQ(1, read(sync[0], &c, 1));
	close(sync[0]);
	/* it sleeps in pause(), the only call it blocks in */
	ASSERT_EQ(0, cr_wait_state(pid, 'S'));
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));
	crid = sys_checkpoint(pid, img, 0);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	unlink(ODD_NAME);
	ASSERT_GT(crid, 0) TH_LOG("checkpoint: %s", strerror(errno));
	ASSERT_EQ(0, lseek(img, 0, SEEK_SET));
	buf = cr_read_all(img, &len);
	close(img);
	ASSERT_NE(NULL, buf);
	ASSERT_GT(layout_of(buf, len, &l), 10);

	check_valid(_metadata, buf, len, &l);

	ASSERT_EQ(0, inspect(NULL, buf, len, IN_FILE, &r));
	snprintf(line, sizeof(line), "\n    crid: %ld\n", crid);
	EXPECT_NE(NULL, strstr(r.out, line));
	/* stopped in pause(): -ERESTARTNOHAND and the call's number (34) */
	EXPECT_NE(NULL, strstr(r.out, "\n    ax: 0xfffffffffffffdfe\n"));
	EXPECT_NE(NULL, strstr(r.out, "\n    orig_ax: 0x22\n"));
	/* the odd file: one file record, escaped, on fds 4 and 10 */
	ASSERT_NE(NULL, record_with(r.out, ODD_HUMAN, rec, sizeof(rec))) TH_LOG("%s", r.out);
	EXPECT_EQ(0, strncmp(rec, "@", 1));
	EXPECT_NE(NULL, strstr(rec, " file len=")) TH_LOG("%s", rec);
	EXPECT_NE(NULL, strstr(rec, "\n    kind: 1 (reg)\n"));
	EXPECT_NE(NULL, strstr(rec, "\n    flags: 0100002 (rdwr|largefile)\n")) TH_LOG("%s", rec);
	EXPECT_NE(NULL, strstr(rec, "\n    mode: 0100600 (-rw-------)\n"));
	EXPECT_NE(NULL, strstr(rec, "\n    pos: 42\n"));
	EXPECT_NE(NULL, strstr(r.out, "\n    fd: 4\n"));
	EXPECT_NE(NULL, strstr(r.out, "\n    fd: 10\n"));
	/* the pipe, its bytes and both its ends */
	ASSERT_NE(NULL, record_with(r.out, "\n    data_len: 5\n", rec, sizeof(rec)));
	EXPECT_NE(NULL, strstr(rec, " pipe len=29\n")) TH_LOG("%s", rec);
	EXPECT_NE(NULL, strstr(rec, "\n    data_head: 68656c6c6f\n"));
	EXPECT_NE(NULL, strstr(r.out, "\n    kind: 5 (pipe)\n    flags: 0 (rdonly)\n"));
	EXPECT_NE(NULL, strstr(r.out, "\n    kind: 5 (pipe)\n    flags: 01 (wronly)\n"));
	/* signals: the handler, SIGUSR2 blocked and pending for the thread (raise()) */
	ASSERT_NE(NULL, line_of(r.out, "    blocked: ", line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "SIGUSR2")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(r.out, "\n    nr_pending: 1\n"));
	ASSERT_NE(NULL, line_with(r.out, "    pending[0]: ", line, sizeof(line)));
	/* raise() while blocked: pending for the thread, from tgkill() */
	EXPECT_TRUE(starts(line, "    pending[0]: sig=12 (SIGUSR2) shared=0 (thread) si_errno=0 "))
		TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, " si_code=-6 (SI_TKILL) info=0c000000")) TH_LOG("%s", line);
	ASSERT_NE(NULL, line_with(r.out, " sig=10 (SIGUSR1) handler=0x", line, sizeof(line)));
	EXPECT_TRUE(starts(line, "    action[")) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "|restart)")) TH_LOG("%s", line);
	run_free(&r);

	/* JSON: the odd name escaped, and its bytes in hex */
	ASSERT_EQ(0, inspect("--json", buf, len, IN_FILE, &r));
	EXPECT_EQ(0, r.status);
	EXPECT_TRUE(json_check(r.out, r.out_len, &j));
	EXPECT_NE(NULL, strstr(r.out, ODD_JSON));
	EXPECT_NE(NULL, strstr(r.out, "\"data_len\": 5, "));
	run_free(&r);
	free(l.r);
	free(buf);
}

TEST_HARNESS_MAIN
