/*
 * replay.c — replays a saved fuzz corpus through a fuzz target as a
 * regression test (SQLite's fuzzcheck idea): `fuzz_replay TARGET DIR`.
 * A target aborts on a broken invariant; sanitizer builds catch memory
 * errors. Prints "N passed, 0 failed" when every input went through.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sargs_fuzz_validate(const uint8_t *data, size_t size);
int sargs_fuzz_registry(const uint8_t *data, size_t size);
int sargs_fuzz_csv(const uint8_t *data, size_t size);
int sargs_fuzz_token(const uint8_t *data, size_t size);
int sargs_fuzz_mapping(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	int (*target)(const uint8_t *, size_t) = NULL;
	struct dirent *de;
	DIR *d;
	long n = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: fuzz_replay validate|registry|csv|token|mapping CORPUS_DIR\n");
		return 2;
	}
	if (strcmp(argv[1], "validate") == 0)
		target = sargs_fuzz_validate;
	else if (strcmp(argv[1], "registry") == 0)
		target = sargs_fuzz_registry;
	else if (strcmp(argv[1], "csv") == 0)
		target = sargs_fuzz_csv;
	else if (strcmp(argv[1], "token") == 0)
		target = sargs_fuzz_token;
	else if (strcmp(argv[1], "mapping") == 0)
		target = sargs_fuzz_mapping;
	else {
		fprintf(stderr, "fuzz_replay: unknown target %s\n", argv[1]);
		return 2;
	}
	d = opendir(argv[2]);
	if (d == NULL) {
		perror(argv[2]);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		char path[4096];
		unsigned char *buf;
		FILE *f;
		long len;

		if (de->d_name[0] == '.')
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", argv[2], de->d_name);
		f = fopen(path, "rb");
		if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET) != 0) {
			perror(path);
			if (f)
				fclose(f);
			closedir(d);
			return 1;
		}
		buf = malloc((size_t)len + 1);
		if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
			fprintf(stderr, "cannot read %s\n", path);
			free(buf);
			fclose(f);
			closedir(d);
			return 1;
		}
		fclose(f);
		(void)target(buf, (size_t)len);
		free(buf);
		n++;
	}
	closedir(d);
	if (n == 0) {
		fprintf(stderr, "fuzz_replay: empty corpus %s\n", argv[2]);
		return 1;
	}
	printf("%ld passed, 0 failed\n", n);
	return 0;
}
