/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capabilities of vmtap-bridge-helper: CAP_NET_ADMIN kept, CAP_DAC_OVERRIDE only permitted and raised just to open /dev/net/tun. */
/**
 * DOC: Theory of Operation
 *
 * The helper starts with more than it needs: all of root's capabilities when
 * set-uid, or the file capabilities it was given.  Before it reads any input
 * it keeps CAP_NET_ADMIN (creating a TAP, enslaving it, bringing it up) and,
 * if it had it, CAP_DAC_OVERRIDE in the permitted set only.  Effective
 * capabilities decide access checks; permitted ones only say what may be
 * made effective again, so while the ACL and the limits file are read the
 * helper has exactly the caller's file access.
 *
 * CAP_DAC_OVERRIDE exists for one moment: where /dev/net/tun is 0600 root
 * (hardened hosts, this project's test machines) the helper raises it, opens
 * /dev/net/tun once per queue -- a constant path, after the ACL and the
 * limits have allowed the request -- and then drops it from both sets.  The
 * files opened that way are only ever sent to the caller bound to the TAP
 * the helper made for it, never unbound (an unbound one could attach to
 * other TAPs).  Where /dev/net/tun is 0666 (Debian's default) nothing needs
 * it, and a helper given only cap_net_admin works without it.
 *
 * The helper stays non-dumpable (the kernel makes a set-uid or
 * file-capability process so, and prctl() says it again), so the caller,
 * whose uid it runs under, cannot ptrace it or read its memory.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <cap-ng.h>

#include "privileges.h"

const char *bh_mode_name(enum bh_mode mode)
{
	switch (mode) {
	case BH_MODE_SETUID:
		return "set-uid root";
	case BH_MODE_FILECAPS:
		return "file capabilities";
	case BH_MODE_ROOT:
		return "run by root";
	default:
		return "without privileges";
	}
}

int bh_privileges_drop(enum bh_mode *ret_mode, char *err, size_t errlen)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	enum bh_mode mode;
	bool had_net_admin, had_dac;
	int r;

	if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0) {
		snprintf(err, errlen, "read user ids: %s", strerror(errno));
		return -errno;
	}
	if (capng_get_caps_process() < 0) {
		snprintf(err, errlen, "read capabilities: failed");
		return -EPERM;
	}
	had_net_admin = capng_have_capability(CAPNG_PERMITTED, CAP_NET_ADMIN);
	had_dac = capng_have_capability(CAPNG_PERMITTED, CAP_DAC_OVERRIDE);
	if (ruid != 0 && euid == 0)
		mode = BH_MODE_SETUID;
	else if (ruid == 0 && euid == 0)
		mode = BH_MODE_ROOT;
	else if (had_net_admin)
		mode = BH_MODE_FILECAPS;
	else
		mode = BH_MODE_UNPRIVILEGED;

	capng_clear(CAPNG_SELECT_BOTH);
	if (had_net_admin && capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN) < 0) {
		snprintf(err, errlen, "keep CAP_NET_ADMIN: failed");
		return -EPERM;
	}
	if (had_dac && capng_update(CAPNG_ADD, CAPNG_PERMITTED, CAP_DAC_OVERRIDE) < 0) {
		snprintf(err, errlen, "keep CAP_DAC_OVERRIDE permitted: failed");
		return -EPERM;
	}
	switch (mode) {
	case BH_MODE_SETUID:
		/* back to the caller's ids, keeping the permitted set across the change (capng does PR_SET_KEEPCAPS) */
		r = capng_change_id((int)ruid, (int)rgid, CAPNG_CLEAR_BOUNDING);
		if (r < 0) {
			snprintf(err, errlen, "return to uid %u gid %u keeping CAP_NET_ADMIN: libcap-ng error %d",
				 (unsigned)ruid, (unsigned)rgid, r);
			return -EPERM;
		}
		break;
	case BH_MODE_ROOT:
		r = capng_apply(CAPNG_SELECT_BOTH);
		break;
	default:
		/* without CAP_SETPCAP the bounding set stays; nothing here is executed anyway */
		r = capng_apply(CAPNG_SELECT_CAPS);
		break;
	}
	if (r < 0) {
		snprintf(err, errlen, "apply the reduced capability sets: libcap-ng error %d", r);
		return -EPERM;
	}
	/* make sure: a set-uid process whose ids changed would get suid_dumpable, which may be 1 */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* no way back to root: a set-uid helper must have left uid 0 in all three slots */
	if (mode == BH_MODE_SETUID && (getresuid(&ruid, &euid, &suid) < 0 || !ruid || !euid || !suid)) {
		snprintf(err, errlen, "still uid 0 after returning to the caller's uid");
		return -EPERM;
	}
	*ret_mode = mode;
	return 0;
}

bool bh_privileges_net_admin(void)
{
	return capng_get_caps_process() == 0 && capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN);
}

bool bh_privileges_dac_permitted(void)
{
	return capng_get_caps_process() == 0 && capng_have_capability(CAPNG_PERMITTED, CAP_DAC_OVERRIDE);
}

int bh_privileges_dac_raise(void)
{
	if (capng_get_caps_process() < 0 || capng_update(CAPNG_ADD, CAPNG_EFFECTIVE, CAP_DAC_OVERRIDE) < 0 ||
	    capng_apply(CAPNG_SELECT_CAPS) < 0)
		return -EPERM;
	return 0;
}

int bh_privileges_dac_forget(void)
{
	if (capng_get_caps_process() < 0 ||
	    capng_update(CAPNG_DROP, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_DAC_OVERRIDE) < 0 ||
	    capng_apply(CAPNG_SELECT_CAPS) < 0)
		return -EPERM;
	return 0;
}
