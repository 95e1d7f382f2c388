/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Corpus replay driver: runs LLVMFuzzerTestOneInput() on every file given or found in given directories, for builds without libFuzzer. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned int ran;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	int r;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t n;
		if (len == cap) {
			uint8_t *nbuf;
			cap = cap ? cap * 2 : 4096;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				fprintf(stderr, "replay: %s: out of memory\n", path);
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);

	/* hand over exactly @len bytes, as libFuzzer does, so that overreads are caught */
	{
		uint8_t *exact = malloc(len ? len : 1);
		if (!exact) {
			free(buf);
			return -1;
		}
		if (len)
			memcpy(exact, buf, len);
		free(buf);
		fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
		r = LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	ran++;
	/* 0 is the only defined result; -1 (reject input) is accepted as libFuzzer does */
	if (r != 0 && r != -1) {
		fprintf(stderr, "replay: %s: LLVMFuzzerTestOneInput returned %d\n", path, r);
		return -1;
	}
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path, int depth);

/* Run every entry of directory @path in name order, so that runs are repeatable. */
static int run_dir(const char *path, int depth)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int failed = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.') /* ".", ".." and hidden files such as .gitignore */
			continue;
		if (n == cap) {
			char **nn;
			cap = cap ? cap * 2 : 64;
			nn = realloc(names, cap * sizeof(*names));
			if (!nn) {
				failed = -1;
				break;
			}
			names = nn;
		}
		if (asprintf(&names[n], "%s/%s", path, de->d_name) < 0) {
			failed = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), compare_names);
	for (size_t i = 0; i < n; i++) {
		if (!failed && run_path(names[i], depth + 1) < 0)
			failed = -1;
		free(names[i]);
	}
	free(names);
	return failed;
}

static int run_path(const char *path, int depth)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (depth > 8) {
			fprintf(stderr, "replay: %s: directories nested too deep\n", path);
			return -1;
		}
		return run_dir(path, depth);
	}
	return run_file(path);
}

int main(int argc, char **argv)
{
	int failed = 0;

	if (argc < 2) {
		fprintf(stderr, "Usage: %s FILE|DIR...\n"
			"Run the fuzz target once on each file, and on each file in each directory.\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		/* libFuzzer-style flags (-runs=0, ...) mean nothing here */
		if (argv[i][0] == '-' && argv[i][1])
			continue;
		if (run_path(argv[i], 0) < 0)
			failed = 1;
	}
	if (!ran) {
		fprintf(stderr, "replay: no input files found\n");
		return 1;
	}
	fprintf(stderr, "replay: %u inputs, %s\n", ran, failed ? "FAILED" : "all passed");
	return failed;
}
