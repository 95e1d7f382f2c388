/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-user limits of vmtap-bridge-helper (its own file, not bridge.conf), parsed from (buf, len). */
#ifndef VMTAP_BH_LIMITS_H
#define VMTAP_BH_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define BH_LIMIT_UNLIMITED 0xffffffffu
#define BH_DEFAULT_MAX_QUEUES 8u
#define BH_DEFAULT_MAX_TAPS 32u
#define BH_MAX_TAPS_CEILING 65535u
#define BH_LIMITS_FILE_MAX (1 << 20)

struct bh_limits {
	unsigned int max_queues; /* queues in one invocation, 1..256 */
	unsigned int max_taps;   /* this helper's TAPs of one uid alive at once, 0..65535 or BH_LIMIT_UNLIMITED */
};

/* Who asks: the real uid, gid and supplementary groups of the caller. */
struct bh_identity {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t ngroups;
};

/*
 * Parse the limits file (@buf, @len) and resolve what applies to @who into
 * @ret, starting from the built-in defaults (BH_DEFAULT_*).  Lines:
 *
 *   max-queues N                 everyone's default, 1..256
 *   max-taps N|unlimited         everyone's default, 0..65535
 *   uid UID KEY VALUE...         for one user (numeric: no name look-ups in a privileged helper)
 *   gid GID KEY VALUE...         for members of one group (primary or supplementary)
 *
 * '#' starts a comment.  A uid line wins over gid lines, the most generous
 * matching gid line over the defaults.  Returns 0, or -EINVAL with the file's
 * line and the reason in @err; @ret is untouched then.  Fuzzed in fuzz/.
 */
int bh_limits_parse(const char *buf, size_t len, const struct bh_identity *who, struct bh_limits *ret, char *err,
		    size_t errlen);

#endif
