/*
 * Resource limits and credentials: the bounding set, then groups, gid and uid (keeping the
 * permitted set across setuid with PR_SET_KEEPCAPS), then the effective, permitted and
 * inheritable sets with the raw capset syscall, then the ambient set.
 */
#include "sandbox.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

void apply_rlimits(const struct spec *s)
{
	for (size_t i = 0; i < s->rlimits.len; i++) {
		const struct rlimit_spec *r = &s->rlimits.items[i];
		char name[32];
		snprintf(name, sizeof name, "RLIMIT %d", r->resource);
		struct rlimit cur, want;
		if (getrlimit(r->resource, &cur) != 0)
			fail("rlimit", name);
		/* Raising a hard limit needs CAP_SYS_RESOURCE, which lade may not have: clamp to what is allowed. */
		want.rlim_max = r->hard > cur.rlim_max ? cur.rlim_max : r->hard;
		want.rlim_cur = r->soft > want.rlim_max ? want.rlim_max : r->soft;
		if (setrlimit(r->resource, &want) != 0)
			fail("rlimit", name);
	}
}

static int has(uint64_t set, unsigned cap)
{
	return cap < 64 && (set >> cap) & 1;
}

static void drop_bounding(uint64_t keep)
{
	/* PR_CAPBSET_READ fails with EINVAL past the kernel's last capability. */
	for (unsigned cap = 0;; cap++) {
		int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (in < 0)
			break;
		if (in == 1 && !has(keep, cap) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
			fail("capabilities", "bounding");
	}
}

static void set_caps(const struct spec *s)
{
	struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];
	for (int w = 0; w < 2; w++) {
		data[w].effective = (uint32_t)(s->caps[CAP_EFFECTIVE] >> (32 * w));
		data[w].permitted = (uint32_t)(s->caps[CAP_PERMITTED] >> (32 * w));
		data[w].inheritable = (uint32_t)(s->caps[CAP_INHERITABLE] >> (32 * w));
	}
	if (syscall(SYS_capset, &header, data) != 0)
		fail("capabilities", "capset");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
		fail("capabilities", "ambient");
	for (unsigned cap = 0; cap < 64; cap++)
		if (has(s->caps[CAP_AMBIENT], cap) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
			fail("capabilities", "ambient");
}

void apply_credentials(const struct spec *s)
{
	drop_bounding(s->caps[CAP_BOUNDING]);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
		fail("capabilities", "keepcaps");
	if (setgroups(s->additional_gids.len, s->additional_gids.items) != 0)
		fail("setgroups", "");
	if (setresgid(s->gid, s->gid, s->gid) != 0)
		fail("setgid", "");
	if (setresuid(s->uid, s->uid, s->uid) != 0)
		fail("setuid", "");
	set_caps(s);
}
