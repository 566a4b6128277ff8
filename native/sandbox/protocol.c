/*
 * The spec arrives on fd 3 as NUL-terminated strings: "lade-sandbox", the protocol version, then
 * records (a tag followed by the fixed number of fields its tag takes), closed by "end". Numbers
 * are decimal. src/executor/bridge/protocol.ts is the encoder; keep the tag table in step with it.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (q == NULL) {
		/* Only a broken machine gets here; there is nobody to report to reliably. */
		static const char msg[] = "lade-sandbox: out of memory\n";
		(void)!write(2, msg, sizeof msg - 1);
		_exit(127);
	}
	return q;
}

int read_all(int fd, char **buf, size_t *len)
{
	size_t cap = 64 * 1024, n = 0;
	char *b = xrealloc(NULL, cap);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			b = xrealloc(b, cap);
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(b);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
	return 0;
}

struct cursor {
	char *p, *end;
};

static char *next_field(struct cursor *c)
{
	if (c->p >= c->end)
		return NULL;
	char *nul = memchr(c->p, '\0', (size_t)(c->end - c->p));
	if (nul == NULL)
		return NULL;
	char *s = c->p;
	c->p = nul + 1;
	return s;
}

static int parse_u64(const char *s, uint64_t *out)
{
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

static int parse_i64(const char *s, int64_t *out)
{
	const char *digits = *s == '-' ? s + 1 : s;
	if (*digits < '0' || *digits > '9')
		return -1;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Unsigned with an upper bound, for ids, flags and numbers that fit in an int. */
static int parse_bounded(const char *s, uint64_t max, uint64_t *out)
{
	return parse_u64(s, out) == 0 && *out <= max ? 0 : -1;
}

/* "-1" is RLIM_INFINITY, anything else a decimal limit. */
static int parse_rlim(const char *s, uint64_t *out)
{
	if (strcmp(s, "-1") == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	return parse_u64(s, out);
}

static int parse_bool(const char *s, int *out)
{
	if (strcmp(s, "0") == 0 || strcmp(s, "1") == 0) {
		*out = s[0] == '1';
		return 0;
	}
	return -1;
}

static const struct {
	const char *name;
	unsigned bit;
} namespaces[] = {
	{"mount", NS_MOUNT}, {"pid", NS_PID}, {"uts", NS_UTS}, {"ipc", NS_IPC}, {"net", NS_NET}, {"cgroup", NS_CGROUP},
};

static const char *cap_sets[CAP_SETS] = {"bounding", "effective", "permitted", "inheritable", "ambient"};

static int decode_mount(char **f, struct mount_spec *m)
{
	uint64_t flags, propagation;
	m->destination = f[0];
	m->type = f[1];
	m->source = f[2];
	if (parse_bounded(f[3], UINT32_MAX, &flags) || parse_bounded(f[5], UINT32_MAX, &propagation))
		return -1;
	m->flags = (unsigned long)flags;
	m->data = f[4];
	m->propagation = (unsigned long)propagation;
	if (strcmp(f[6], "dir") == 0)
		m->create = CREATE_DIR;
	else if (strcmp(f[6], "file") == 0)
		m->create = CREATE_FILE;
	else if (strcmp(f[6], "none") == 0)
		m->create = CREATE_NONE;
	else
		return -1;
	m->cwd = f[7];
	return 0;
}

/* Fields per tag. */
static const struct {
	const char *tag;
	int fields;
} tags[] = {
	{"ns", 1}, {"joinpid", 1}, {"rootfs", 1}, {"rootfsmount", 8}, {"rootfsro", 1}, {"mount", 8},
	{"device", 7}, {"symlink", 2}, {"mask", 1}, {"ro", 1}, {"hostname", 1}, {"loopback", 1},
	{"rlimit", 3}, {"cap", 2}, {"nnp", 1}, {"user", 2}, {"group", 1}, {"cwd", 1}, {"arg", 1},
	{"env", 1}, {"terminal", 1}, {"stdin", 1}, {"init", 1}, {"cgroup", 1}, {"oom", 1},
	{"log", 1}, {"exitpath", 1}, {"attach", 1}, {"detach", 1}, {"onexit", 1}, {"end", 0},
};

#define MAX_FIELDS 8

static int decode_record(const char *tag, char **f, struct spec *s)
{
	uint64_t a, b;
	int64_t i;
	if (strcmp(tag, "ns") == 0) {
		for (size_t k = 0; k < sizeof namespaces / sizeof namespaces[0]; k++)
			if (strcmp(f[0], namespaces[k].name) == 0) {
				s->namespaces |= namespaces[k].bit;
				return 0;
			}
		return -1;
	}
	if (strcmp(tag, "joinpid") == 0) {
		if (parse_bounded(f[0], INT32_MAX, &a))
			return -1;
		s->join_pid = (pid_t)a;
		return 0;
	}
	if (strcmp(tag, "rootfs") == 0) {
		s->rootfs_path = f[0];
		return 0;
	}
	if (strcmp(tag, "rootfsmount") == 0 || strcmp(tag, "mount") == 0) {
		struct mount_spec m;
		if (decode_mount(f, &m))
			return -1;
		if (tag[0] == 'r')
			ARRAY_PUSH(s->rootfs_mounts, m);
		else
			ARRAY_PUSH(s->mounts, m);
		return 0;
	}
	if (strcmp(tag, "rootfsro") == 0)
		return parse_bool(f[0], &s->rootfs_readonly);
	if (strcmp(tag, "device") == 0) {
		struct device_spec d;
		uint64_t major, minor, mode, uid, gid;
		if ((strcmp(f[1], "c") != 0 && strcmp(f[1], "b") != 0) || parse_bounded(f[2], 0xfffff, &major) ||
		    parse_bounded(f[3], 0xfffff, &minor) || parse_bounded(f[4], 07777, &mode) ||
		    parse_bounded(f[5], UINT32_MAX - 1, &uid) || parse_bounded(f[6], UINT32_MAX - 1, &gid))
			return -1;
		d.path = f[0];
		d.kind = f[1][0];
		d.major = (unsigned)major;
		d.minor = (unsigned)minor;
		d.mode = (mode_t)mode;
		d.uid = (uid_t)uid;
		d.gid = (gid_t)gid;
		ARRAY_PUSH(s->devices, d);
		return 0;
	}
	if (strcmp(tag, "symlink") == 0) {
		struct symlink_spec l = {f[0], f[1]};
		ARRAY_PUSH(s->symlinks, l);
		return 0;
	}
	if (strcmp(tag, "mask") == 0) {
		ARRAY_PUSH(s->masked_paths, f[0]);
		return 0;
	}
	if (strcmp(tag, "ro") == 0) {
		ARRAY_PUSH(s->readonly_paths, f[0]);
		return 0;
	}
	if (strcmp(tag, "hostname") == 0) {
		s->hostname = f[0];
		return 0;
	}
	if (strcmp(tag, "loopback") == 0)
		return parse_bool(f[0], &s->loopback_up);
	if (strcmp(tag, "rlimit") == 0) {
		struct rlimit_spec r;
		if (parse_bounded(f[0], 64, &a) || parse_rlim(f[1], &r.soft) || parse_rlim(f[2], &r.hard))
			return -1;
		r.resource = (int)a;
		ARRAY_PUSH(s->rlimits, r);
		return 0;
	}
	if (strcmp(tag, "cap") == 0) {
		if (parse_bounded(f[1], 63, &b))
			return -1;
		for (int k = 0; k < CAP_SETS; k++)
			if (strcmp(f[0], cap_sets[k]) == 0) {
				s->caps[k] |= UINT64_C(1) << b;
				return 0;
			}
		return -1;
	}
	if (strcmp(tag, "nnp") == 0)
		return parse_bool(f[0], &s->no_new_privs);
	if (strcmp(tag, "user") == 0) {
		if (parse_bounded(f[0], UINT32_MAX - 1, &a) || parse_bounded(f[1], UINT32_MAX - 1, &b))
			return -1;
		s->uid = (uid_t)a;
		s->gid = (gid_t)b;
		return 0;
	}
	if (strcmp(tag, "group") == 0) {
		if (parse_bounded(f[0], UINT32_MAX - 1, &a))
			return -1;
		ARRAY_PUSH(s->additional_gids, (gid_t)a);
		return 0;
	}
	if (strcmp(tag, "cwd") == 0) {
		s->cwd = f[0];
		return 0;
	}
	if (strcmp(tag, "arg") == 0) {
		ARRAY_PUSH(s->args, f[0]);
		return 0;
	}
	if (strcmp(tag, "env") == 0) {
		ARRAY_PUSH(s->env, f[0]);
		return 0;
	}
	if (strcmp(tag, "terminal") == 0)
		return parse_bool(f[0], &s->terminal);
	if (strcmp(tag, "stdin") == 0)
		return parse_bool(f[0], &s->stdin_open);
	if (strcmp(tag, "init") == 0)
		return parse_bool(f[0], &s->init);
	if (strcmp(tag, "cgroup") == 0) {
		ARRAY_PUSH(s->cgroup_procs, f[0]);
		return 0;
	}
	if (strcmp(tag, "oom") == 0) {
		if (parse_i64(f[0], &i) || i < -1000 || i > 1000)
			return -1;
		s->has_oom_score_adj = 1;
		s->oom_score_adj = (int)i;
		return 0;
	}
	if (strcmp(tag, "log") == 0) {
		s->log_path = f[0];
		return 0;
	}
	if (strcmp(tag, "exitpath") == 0) {
		s->exit_path = f[0];
		return 0;
	}
	if (strcmp(tag, "attach") == 0)
		return parse_bool(f[0], &s->attach);
	if (strcmp(tag, "detach") == 0)
		return parse_bool(f[0], &s->detach);
	if (strcmp(tag, "onexit") == 0) {
		ARRAY_PUSH(s->on_exit, f[0]);
		return 0;
	}
	return -1;
}

static int decode_fail(struct decode_error *e, int err, const char *what, const char *detail)
{
	e->err = err;
	snprintf(e->detail, sizeof e->detail, "%s%s", what, detail);
	return -1;
}

int spec_decode(char *buf, size_t len, struct spec *s, struct decode_error *e)
{
	struct cursor c = {buf, buf + len};
	memset(s, 0, sizeof *s);
	s->rootfs_path = s->hostname = s->cwd = s->log_path = s->exit_path = "";

	const char *magic = next_field(&c);
	const char *version = next_field(&c);
	if (magic == NULL || strcmp(magic, "lade-sandbox") != 0)
		return decode_fail(e, EPROTO, "not a lade-sandbox spec", "");
	char own[32];
	snprintf(own, sizeof own, "%d", SANDBOX_PROTOCOL_VERSION);
	if (version == NULL || strcmp(version, own) != 0) {
		/* The detail is the helper's own version, so the bridge can say which side is stale. */
		return decode_fail(e, EPROTO, own, "");
	}
	for (;;) {
		const char *tag = next_field(&c);
		if (tag == NULL)
			return decode_fail(e, EINVAL, "truncated spec: no end record", "");
		int fields = -1;
		for (size_t k = 0; k < sizeof tags / sizeof tags[0]; k++)
			if (strcmp(tag, tags[k].tag) == 0)
				fields = tags[k].fields;
		if (fields < 0)
			return decode_fail(e, EINVAL, "unknown tag ", tag);
		if (fields == 0)
			break;
		char *f[MAX_FIELDS];
		for (int k = 0; k < fields; k++)
			if ((f[k] = next_field(&c)) == NULL)
				return decode_fail(e, EINVAL, "truncated record ", tag);
		if (decode_record(tag, f, s) != 0)
			return decode_fail(e, EINVAL, "bad field in record ", tag);
	}
	if (c.p != c.end)
		return decode_fail(e, EINVAL, "data after the end record", "");
	if (s->args.len == 0)
		return decode_fail(e, EINVAL, "no command (no arg record)", "");
	ARRAY_PUSH(s->args, NULL);
	ARRAY_PUSH(s->env, NULL);
	ARRAY_PUSH(s->on_exit, NULL);
	s->args.len--;
	s->env.len--;
	s->on_exit.len--;
	return 0;
}
