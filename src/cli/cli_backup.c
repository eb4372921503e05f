/*
 * cli_backup.c — `sargs backup create|verify|restore`: encrypted backups
 * that keep erasures (domain/backup.h, docs/backup.md).
 */
#include "cli/cli.h"
#include "domain/backup.h"

#include <getopt.h>
#include <string.h>

static json_t *manifest_to_json(const struct sargs_backup_manifest *m)
{
	return json_pack("{s:s, s:i, s:I, s:I, s:I, s:{s:I, s:s}, s:s}", "created", m->created,
			 "schema_version", m->schema_version, "subjects", (json_int_t)m->subjects,
			 "erased", (json_int_t)m->erased, "audit_entries",
			 (json_int_t)m->audit_entries, "audit_head", "seq", (json_int_t)m->audit_seq,
			 "hash", m->audit_hash, "checksum_blake2b", m->checksum);
}

static void manifest_print(FILE *f, const struct sargs_backup_manifest *m)
{
	fprintf(f, "created:        %s\n", m->created);
	fprintf(f, "schema:         %d\n", m->schema_version);
	fprintf(f, "subjects:       %lld\n", (long long)m->subjects);
	fprintf(f, "erased:         %lld\n", (long long)m->erased);
	fprintf(f, "audit entries:  %lld (last %lld, hash %.16s...)\n",
		(long long)m->audit_entries, (long long)m->audit_seq,
		m->audit_hash[0] ? m->audit_hash : "-");
	fprintf(f, "checksum:       BLAKE2b %s\n", m->checksum);
}

/* Parses options that take only --help; returns -1 to go on, else an exit
 * status. */
static int only_help(struct cli *cli, int argc, char **argv, const char *help,
		     const struct option *opts, int (*on_opt)(void *ctx, int ch), void *ctx)
{
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(help, stdout);
			return EXIT_OK;
		}
		if (ch == '?' || on_opt == NULL || on_opt(ctx, ch) != 0)
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs backup %s --help'",
					       argv[optind - 1], argv[0]);
	}
	return -1;
}

static const char create_help[] =
	"Usage: sargs backup create --to FILE [--to FILE2]\n"
	"\n"
	"Makes a consistent copy of the register while it is in use and writes it\n"
	"encrypted (XChaCha20-Poly1305 secretstream) under a key derived from the\n"
	"master key, with a manifest in the clear: time, schema, counts, the audit\n"
	"trail's head and a BLAKE2b checksum of the database. A second --to writes\n"
	"a second copy (keep it apart from the server). Each file is written\n"
	"atomically, mode 0600, and never replaces an existing file. The master key\n"
	"is not in the backup: keep it safe separately, a restore needs it.\n"
	"Audited as \"backup.create\".\n";

struct create_opts {
	const char *to[SARGS_BACKUP_COPIES_MAX + 1];
	size_t n;
};

static int create_opt(void *ctx, int ch)
{
	struct create_opts *o = ctx;

	if (ch != 't' || o->n > SARGS_BACKUP_COPIES_MAX)
		return -1;
	o->to[o->n++] = optarg;
	return 0;
}

static int backup_create(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"to", required_argument, NULL, 't'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	struct create_opts o = {{NULL}, 0};
	struct sargs_backup_manifest m;
	struct sargs_reg *reg;
	struct sargs_err err;
	int rc = only_help(cli, argc, argv, create_help, opts, create_opt, &o);

	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	if (o.n == 0 || o.n > SARGS_BACKUP_COPIES_MAX)
		return cli_usage_error(cli, "give --to FILE once or twice");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_backup_create(reg, o.to, o.n, &m, &err) != SARGS_OK)
		return cli_close(reg, cli_fail(cli, &err));
	sargs_reg_close(reg);
	if (cli->json) {
		json_t *files = json_array();

		for (size_t i = 0; i < o.n; i++)
			(void)json_array_append_new(files, json_string(o.to[i]));
		return cli_print_json(json_pack("{s:b, s:o, s:o}", "ok", 1, "files", files,
						"manifest", manifest_to_json(&m)));
	}
	for (size_t i = 0; i < o.n; i++)
		printf("backup written: %s\n", o.to[i]);
	manifest_print(stdout, &m);
	return EXIT_OK;
}

static const char verify_help[] =
	"Usage: sargs backup verify FILE\n"
	"\n"
	"Restores FILE into a scratch directory and checks it: the master key (that\n"
	"of --data, or SARGS_MASTER_KEY), decryption (every chunk and the manifest\n"
	"authenticated), the checksum, the database's integrity, the counts and the\n"
	"audit head against the manifest, the audit chain, and decryption of a\n"
	"sample of up to 20 subjects (values are never shown). One line per check;\n"
	"exit status 0 only when every check passed. The scratch copy is wiped.\n"
	"Without a key, the manifest is still shown.\n";

static int backup_verify(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	struct sargs_backup_report rep;
	struct sargs_err err;
	enum sargs_rc vrc;
	int rc = only_help(cli, argc, argv, verify_help, opts, NULL, NULL);

	if (rc >= 0)
		return rc;
	if (optind + 1 != argc)
		return cli_usage_error(cli, "name one backup FILE; see 'sargs backup verify --help'");
	sargs_err_clear(&err);
	vrc = sargs_backup_verify(argv[optind], cli->data_dir, &rep, &err);
	if (cli->json) {
		json_t *checks = json_array();

		for (size_t i = 0; i < rep.n_checks; i++)
			(void)json_array_append_new(checks,
						    json_pack("{s:s, s:b, s:s}", "check",
							      rep.checks[i].name, "ok",
							      rep.checks[i].ok, "detail",
							      rep.checks[i].detail));
		(void)cli_print_json(json_pack(
			"{s:b, s:o, s:o}", "ok", vrc == SARGS_OK, "manifest",
			rep.have_manifest ? manifest_to_json(&rep.manifest) : json_null(), "checks",
			checks));
	} else {
		if (rep.have_manifest)
			manifest_print(stdout, &rep.manifest);
		for (size_t i = 0; i < rep.n_checks; i++)
			printf("%-6s %-18s %s\n", rep.checks[i].ok ? "ok" : "FAILED",
			       rep.checks[i].name, rep.checks[i].detail);
	}
	if (vrc == SARGS_OK) {
		if (!cli->json)
			printf("backup verified: every check passed\n");
		return EXIT_OK;
	}
	if (err.msg[0] != '\0')
		return cli_fail(cli, &err);
	if (!cli->json)
		fprintf(stderr, "sargs: the backup did not pass verification\n");
	return cli_exit_for(vrc);
}

static const char restore_help[] =
	"Usage: sargs backup restore FILE --into DIR [--no-live-ledger]\n"
	"\n"
	"Restores FILE into the new data directory DIR (it must not exist, or be\n"
	"empty). Before the restored register can be used, everyone erased since\n"
	"the backup was made is erased again: the union of the backup's erasure\n"
	"ledger and that of the live register in --data. Each re-erasure is\n"
	"audited as \"subject.erase\" (reason \"restore\") and the restore as\n"
	"\"backup.restore\" in the restored register's trail. Until this is done\n"
	"DIR holds RESTORE_INCOMPLETE and no command opens it; a failed restore\n"
	"leaves nothing behind.\n"
	"\n"
	"The master key is the one of --data (or SARGS_MASTER_KEY); when it is\n"
	"a key file it is copied into DIR (0600). The restored register needs\n"
	"that same master key: with SARGS_MASTER_KEY, keep setting it.\n"
	"\n"
	"--no-live-ledger  restore even though the register in --data cannot be\n"
	"                  opened (only the backup's own ledger is applied: people\n"
	"                  erased since the backup may come back; erase them again)\n";

static int restore_opt(void *ctx, int ch)
{
	const char **v = ctx;

	if (ch == 'i')
		v[0] = optarg;
	else if (ch == 'n')
		v[1] = "1";
	else
		return -1;
	return 0;
}

static int backup_restore(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"into", required_argument, NULL, 'i'},
					     {"no-live-ledger", no_argument, NULL, 'n'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *v[2] = {NULL, NULL}; /* --into, --no-live-ledger */
	struct sargs_backup_restore_result res;
	struct sargs_err err;
	int rc = only_help(cli, argc, argv, restore_help, opts, restore_opt, v);

	if (rc >= 0)
		return rc;
	if (optind + 1 != argc || v[0] == NULL)
		return cli_usage_error(cli, "usage: sargs backup restore FILE --into DIR");
	sargs_err_clear(&err);
	if (sargs_backup_restore(argv[optind], cli->data_dir, v[1] != NULL, v[0], &res, &err) !=
	    SARGS_OK)
		return cli_fail(cli, &err);
	if (cli->json)
		return cli_print_json(json_pack(
			"{s:b, s:s, s:o, s:b, s:I, s:I, s:I, s:b}", "ok", 1, "into", v[0], "manifest",
			manifest_to_json(&res.manifest), "live_ledger", res.live_ledger,
			"live_entries", (json_int_t)res.live_entries, "re_erased",
			(json_int_t)res.re_erased, "ledger_carried", (json_int_t)res.carried,
			"key_copied", res.key_copied));
	printf("restored into %s (backup of %s)\n", v[0], res.manifest.created);
	if (res.live_ledger)
		printf("live erasure ledger applied: %lld entries\n", (long long)res.live_entries);
	else
		printf("no live erasure ledger applied: only the backup's own\n");
	printf("erased again: %lld; ledger entries carried over: %lld\n",
	       (long long)res.re_erased, (long long)res.carried);
	if (res.key_copied)
		printf("master.key copied into %s (0600): keep it as safe as the original\n", v[0]);
	else
		printf("no key file copied: open %s with the same %s\n", v[0],
		       SARGS_MASTER_KEY_ENV);
	return EXIT_OK;
}

static const struct cli_cmd table[] = {
	{"create", backup_create, "write an encrypted backup (one or two copies)"},
	{"verify", backup_verify, "restore a backup into a scratch copy and check it"},
	{"restore", backup_restore, "restore into a new directory, re-applying erasures"},
	{NULL, NULL, NULL},
};

int cmd_backup(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "backup",
			    "Usage: sargs backup COMMAND\n\nEncrypted backups that keep erasures:"
			    " a restore erases again everyone\nerased since the backup was made"
			    " (docs/backup.md).\n",
			    table, argc, argv);
}
