/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Values of the CLI's options: numbers, users and groups, and the typed values several commands share. */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <string.h>

#include "cli.h"

/**
 * DOC: Theory of Operation
 *
 * A value that more than one command takes (a queue count, an MTU, an owner,
 * a bridge, a qdisc) is parsed and refused here, once: the same input is
 * accepted everywhere and refused with the same words wherever it is given.
 * Numbers are decimal digits and nothing else (strtoul would skip white space
 * and take signs), parsed from (buf, len) so that the --nic SPEC parser,
 * which works on slices of its input, uses the same code as options do.
 */

int cli_parse_uint_n(const char *buf, size_t len, unsigned long max, unsigned long *ret)
{
	unsigned long v = 0;

	if (!buf || len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned long digit;

		if (buf[i] < '0' || buf[i] > '9')
			return -EINVAL;
		digit = (unsigned long)(buf[i] - '0');
		if (v > (ULONG_MAX - digit) / 10)
			return -ERANGE;
		v = v * 10 + digit;
	}
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int cli_parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	return cli_parse_uint_n(s, s ? strlen(s) : 0, max, ret);
}

int cli_parse_queues(const char *buf, size_t len, unsigned int *ret)
{
	unsigned long v;
	int r = cli_parse_uint_n(buf, len, VMTAP_MAX_QUEUES, &v);

	if (r < 0)
		return r;
	if (v < 1)
		return -ERANGE;
	*ret = (unsigned int)v;
	return 0;
}

int cli_parse_mtu(const char *buf, size_t len, uint32_t *ret)
{
	unsigned long v;
	int r = cli_parse_uint_n(buf, len, VMTAP_MTU_MAX, &v);

	if (r < 0)
		return r;
	if (v < VMTAP_MTU_MIN)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

/* A uid (@group false) or gid: a number, else a name from the user or group database. */
static int parse_id(const char *s, bool group, id_t *ret)
{
	unsigned long v;

	/* (id_t)-1 means "no change" to the kernel: never taken as a number */
	if (cli_parse_uint(s, (id_t)-2, &v) == 0) {
		*ret = (id_t)v;
	} else if (group) {
		struct group *gr = getgrnam(s);
		if (!gr)
			return -ENOENT;
		*ret = gr->gr_gid;
	} else {
		struct passwd *pw = getpwnam(s);
		if (!pw)
			return -ENOENT;
		*ret = pw->pw_uid;
	}
	return 0;
}

int cli_parse_uid(const char *s, uid_t *ret)
{
	id_t id;
	int r = parse_id(s, false, &id);

	if (r == 0)
		*ret = (uid_t)id;
	return r;
}

int cli_parse_gid(const char *s, gid_t *ret)
{
	id_t id;
	int r = parse_id(s, true, &id);

	if (r == 0)
		*ret = (gid_t)id;
	return r;
}

int cli_value_queues(const char *cmd, const char *arg, unsigned int *ret)
{
	if (cli_parse_queues(arg, strlen(arg), ret) < 0)
		return cli_invalid(cmd, "queue count '%s' is outside 1..%d", arg, VMTAP_MAX_QUEUES);
	return 0;
}

int cli_value_mtu(const char *cmd, const char *arg, uint32_t *ret)
{
	if (cli_parse_mtu(arg, strlen(arg), ret) < 0)
		return cli_invalid(cmd, "MTU '%s' is outside %d..%d", arg, VMTAP_MTU_MIN, VMTAP_MTU_MAX);
	return 0;
}

int cli_value_owner(const char *cmd, const char *arg, uid_t *ret, uint32_t *flags, uint32_t set_flag)
{
	if (cli_parse_uid(arg, ret) < 0)
		return cli_invalid(cmd, "owner '%s' is neither a uid nor a known user", arg);
	*flags |= set_flag;
	return 0;
}

int cli_value_group(const char *cmd, const char *arg, gid_t *ret, uint32_t *flags, uint32_t set_flag)
{
	if (cli_parse_gid(arg, ret) < 0)
		return cli_invalid(cmd, "group '%s' is neither a gid nor a known group", arg);
	*flags |= set_flag;
	return 0;
}

int cli_value_bridge(const char *cmd, const char *arg, const char **ret)
{
	if (vmtap_name_validate(arg) < 0)
		return cli_invalid(cmd, "bridge name '%s' is not a valid interface name", arg);
	*ret = arg;
	return 0;
}

int cli_value_mac(const char *cmd, const char *arg, uint8_t ret_mac[6], bool *ret_set, const char *refusal)
{
	if (vmtap_mac_parse(arg, strlen(arg), ret_mac) < 0)
		return cli_invalid(cmd, refusal, arg);
	*ret_set = true;
	return 0;
}

int cli_value_qdisc(const char *cmd, const char *arg, uint32_t *flags, uint32_t kernel_flag)
{
	if (!strcmp(arg, "kernel"))
		*flags |= kernel_flag;
	else if (!strcmp(arg, "noqueue"))
		*flags &= ~kernel_flag;
	else
		return cli_invalid(cmd, "qdisc '%s' is not noqueue or kernel", arg);
	return 0;
}

int cli_value_macvtap_mode(const char *cmd, const char *arg, enum vmtap_macvtap_mode *ret)
{
	for (int m = VMTAP_MACVTAP_BRIDGE; m <= VMTAP_MACVTAP_PASSTHRU; m++)
		if (!strcmp(arg, vmtap_macvtap_mode_name((enum vmtap_macvtap_mode)m))) {
			*ret = (enum vmtap_macvtap_mode)m;
			return 0;
		}
	return cli_invalid(cmd, "macvtap mode '%s' is not bridge, vepa, private or passthru", arg);
}

int cli_value_tc_prio(const char *cmd, const char *arg, uint32_t *ret)
{
	unsigned long v;

	if (cli_parse_uint(arg, UINT16_MAX, &v) < 0 || v < 1)
		return cli_invalid(cmd, "tc priority '%s' is not a number from 1 to 65535", arg);
	*ret = (uint32_t)v;
	return 0;
}
