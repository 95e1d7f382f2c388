/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A process that does nothing, linked statically: what starting any process costs on this machine. */
int main(void)
{
	return 0;
}
