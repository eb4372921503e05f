/*
 * config.c — the server's configuration: defaults, the INI file, flags.
 */
#include "server/server.h"

#include "util/fsutil.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void srv_config_defaults(struct srv_config *cfg)
{
	const char *d = getenv(SARGS_DATA_ENV);

	memset(cfg, 0, sizeof(*cfg));
	(void)snprintf(cfg->data, sizeof(cfg->data), "%s", d && *d ? d : "sargs-data");
	(void)snprintf(cfg->listen, sizeof(cfg->listen), "127.0.0.1");
	cfg->port = 8080;
	cfg->link_days = 30;
	cfg->max_connections = 512;
	cfg->login_per_minute = 10;
	cfg->public_posts_per_minute = 20;
	cfg->sweep_hours = 24;
	cfg->backup_hours = 24;
	cfg->backup_keep = 7;
	cfg->checkpoint_minutes = 60;
}

enum kind { K_STR, K_INT };

struct key {
	const char *section;
	const char *name;
	enum kind kind;
	size_t off;
	size_t size;   /* of a string field */
	long min, max; /* of a number */
};

#define S(sec, f) {sec, #f, K_STR, offsetof(struct srv_config, f), sizeof(((struct srv_config *)0)->f), 0, 0}
#define N(sec, f, lo, hi) {sec, #f, K_INT, offsetof(struct srv_config, f), 0, lo, hi}

static const struct key keys[] = {
	S("server", data),
	S("server", listen),
	N("server", port, 0, 65535),
	S("server", tls_cert),
	S("server", tls_key),
	S("server", public_url),
	N("server", behind_https_proxy, 0, 1),
	N("server", link_days, 1, 365),
	N("server", max_connections, 1, 100000),
	N("server", threads, 0, 64),
	N("server", login_per_minute, 1, 10000),
	N("server", public_posts_per_minute, 1, 100000),
	N("schedule", sweep_hours, 0, 24 * 365),
	S("schedule", backup_dir),
	S("schedule", backup_copy_dir),
	N("schedule", backup_hours, 1, 24 * 365),
	N("schedule", backup_keep, 1, 1000),
	S("schedule", checkpoint_dir),
	S("schedule", checkpoint_copy_dir),
	S("schedule", checkpoint_key),
	N("schedule", checkpoint_minutes, 1, 60 * 24 * 30),
	N("log", log_json, 0, 1),
};

static const struct key *find_key(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((!section || strcmp(keys[i].section, section) == 0) &&
		    strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static enum sargs_rc set_key(struct srv_config *cfg, const struct key *k, const char *value,
			     const char *where, struct sargs_err *err)
{
	char *base = (char *)cfg;

	if (k->kind == K_STR) {
		size_t n = strlen(value);

		if (n >= k->size)
			return sargs_err_set(err, SARGS_E_INVALID, "%s%s: the value is too long",
					     where, k->name);
		memcpy(base + k->off, value, n + 1);
	} else {
		char *end;
		long v;

		errno = 0;
		v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < k->min || v > k->max)
			return sargs_err_set(err, SARGS_E_INVALID,
					     "%s%s: \"%.32s\" is not a whole number from %ld to %ld",
					     where, k->name, value, k->min, k->max);
		*(int *)(void *)(base + k->off) = (int)v;
	}
	return SARGS_OK;
}

enum sargs_rc srv_config_set(struct srv_config *cfg, const char *key, const char *value,
			     struct sargs_err *err)
{
	const struct key *k;

	if (strcmp(key, "log") == 0) {
		if (strcmp(value, "json") != 0 && strcmp(value, "text") != 0)
			return sargs_err_set(err, SARGS_E_INVALID, "log: text or json");
		cfg->log_json = value[0] == 'j';
		return SARGS_OK;
	}
	k = find_key(NULL, key);
	if (!k)
		return sargs_err_set(err, SARGS_E_INVALID, "unknown setting \"%.64s\"", key);
	return set_key(cfg, k, value, "", err);
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

enum sargs_rc srv_config_load(struct srv_config *cfg, const char *path, struct sargs_err *err)
{
	char *data;
	size_t n;
	char section[32] = "";
	char *p, *line, *save = NULL;
	int lineno = 0;
	enum sargs_rc rc = sargs_fs_read(path, 1024 * 1024, &data, &n, err);

	if (rc != SARGS_OK)
		return rc;
	p = data;
	if (memchr(p, '\0', n)) {
		free(data);
		return sargs_err_set(err, SARGS_E_INVALID, "%s: not a text file", path);
	}
	/* strtok_r skips empty lines, so count them by hand */
	for (line = p; line && rc == SARGS_OK;) {
		char *nl = strchr(line, '\n'), *t, *eq;
		char where[1100];

		if (nl)
			*nl = '\0';
		lineno++;
		(void)snprintf(where, sizeof(where), "%s line %d: ", path, lineno);
		t = trim(line);
		if (*t == '\0' || *t == '#' || *t == ';') {
			/* blank or comment */
		} else if (*t == '[') {
			char *e = strchr(t, ']');

			if (!e || e[1] != '\0' || (size_t)(e - t - 1) >= sizeof(section)) {
				rc = sargs_err_set(err, SARGS_E_INVALID, "%sa section is \"[name]\"",
						   where);
				break;
			}
			*e = '\0';
			memcpy(section, t + 1, strlen(t + 1) + 1);
			if (strcmp(section, "server") != 0 && strcmp(section, "schedule") != 0 &&
			    strcmp(section, "log") != 0)
				rc = sargs_err_set(err, SARGS_E_INVALID,
						   "%sunknown section [%s] (server, schedule, log)",
						   where, section);
		} else if ((eq = strchr(t, '=')) != NULL) {
			char *k, *v;

			*eq = '\0';
			k = trim(t);
			v = trim(eq + 1);
			if (!section[0]) {
				rc = sargs_err_set(err, SARGS_E_INVALID,
						   "%s\"%s\" comes before any [section]", where, k);
			} else if (strcmp(section, "log") == 0 && strcmp(k, "format") == 0) {
				if (strcmp(v, "json") == 0 || strcmp(v, "text") == 0)
					cfg->log_json = v[0] == 'j';
				else
					rc = sargs_err_set(err, SARGS_E_INVALID,
							   "%sformat is text or json", where);
			} else {
				const struct key *kk = find_key(section, k);

				if (!kk)
					rc = sargs_err_set(err, SARGS_E_INVALID,
							   "%sunknown key \"%.64s\" in [%s]", where, k,
							   section);
				else
					rc = set_key(cfg, kk, v, where, err);
			}
		} else {
			rc = sargs_err_set(err, SARGS_E_INVALID, "%sexpected \"key = value\"", where);
		}
		line = nl ? nl + 1 : NULL;
	}
	(void)save;
	free(data);
	return rc;
}

enum sargs_rc srv_config_check(const struct srv_config *cfg, struct sargs_err *err)
{
	if (!sargs_fs_exists(cfg->data))
		return sargs_err_set(err, SARGS_E_NOTFOUND,
				     "no register in %s: run 'sargs init' or 'sargs demo' first",
				     cfg->data);
	if ((cfg->tls_cert[0] != '\0') != (cfg->tls_key[0] != '\0'))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "HTTPS needs both tls_cert and tls_key (or neither, behind a"
				     " reverse proxy)");
	if (cfg->checkpoint_dir[0] && !cfg->checkpoint_key[0])
		return sargs_err_set(err, SARGS_E_INVALID,
				     "checkpoint_dir needs checkpoint_key (make one with 'sargs audit"
				     " checkpoint-key')");
	if (cfg->public_url[0] && strncmp(cfg->public_url, "http://", 7) != 0 &&
	    strncmp(cfg->public_url, "https://", 8) != 0)
		return sargs_err_set(err, SARGS_E_INVALID, "public_url must start with http:// or https://");
	return SARGS_OK;
}
