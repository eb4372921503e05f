/*
 * cli_audit.c — `sargs audit log|verify`.
 */
#include "cli/cli.h"
#include "audit/checkpoint.h"
#include "crypto/ckpt.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

struct log_ctx {
	int json;
	json_t *arr;
	struct sargs_strbuf text; /* printed only once the read is audited */
	int64_t n;
	int failed;
};

static json_t *opt_str(const char *s) { return s ? json_string(s) : json_null(); }

static int log_cb(void *ctx, const struct sargs_store_audit_row *r)
{
	struct log_ctx *c = ctx;
	char t[SARGS_TIME_STR];

	sargs_time_format(r->time_us, t, sizeof(t));
	if (c->json) {
		json_t *o = json_object();

		json_object_set_new(o, "seq", json_integer(r->seq));
		json_object_set_new(o, "time", json_string(t));
		json_object_set_new(o, "actor", json_string(r->actor));
		json_object_set_new(o, "action", json_string(r->action));
		json_object_set_new(o, "subject", opt_str(r->subject_id));
		json_object_set_new(o, "fields", opt_str(r->fields));
		json_object_set_new(o, "purpose", opt_str(r->purpose));
		json_object_set_new(o, "channel", opt_str(r->channel));
		json_object_set_new(o, "detail", opt_str(r->detail));
		json_array_append_new(c->arr, o);
	} else {
		if (sargs_strbuf_addf(&c->text, "%6lld %s %-14s %-16s %-36s %s%s%s%s\n",
				      (long long)r->seq, t, r->actor, r->action,
				      r->subject_id ? r->subject_id : "-",
				      r->purpose ? "purpose=" : "", r->purpose ? r->purpose : "",
				      r->fields ? " fields=" : "", r->fields ? r->fields : "") !=
			    SARGS_OK ||
		    (r->detail != NULL &&
		     sargs_strbuf_addf(&c->text, "%6s   %s\n", "", r->detail) != SARGS_OK)) {
			c->failed = 1;
			return 1;
		}
	}
	c->n++;
	return 0;
}

static const char log_help[] =
	"Usage: sargs [--json] audit log [--subject ID] [--actor NAME] [--since TIME]\n"
	"                                [--until TIME] [--limit N]\n"
	"\n"
	"Prints audit entries in order: time, actor, action, subject, purpose and\n"
	"field names (never values). TIME is YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z.\n";

static int audit_log(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"subject", required_argument, NULL, 's'},
		{"actor", required_argument, NULL, 'a'},
		{"since", required_argument, NULL, 'S'},
		{"until", required_argument, NULL, 'U'},
		{"limit", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct sargs_store_audit_filter f = {NULL, NULL, INT64_MIN, INT64_MAX, 0, 0};
	struct log_ctx c = {cli->json, NULL, {NULL, 0, 0, 0}, 0, 0};
	struct sargs_reg *reg;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;

		switch (ch) {
		case 's': f.subject_id = optarg; break;
		case 'a': f.actor = optarg; break;
		case 'S':
			if (sargs_time_parse(optarg, &f.since_us) != SARGS_OK)
				return cli_usage_error(cli, "--since: expected YYYY-MM-DD[THH:MM[:SS]Z]");
			break;
		case 'U':
			if (sargs_time_parse(optarg, &f.until_us) != SARGS_OK)
				return cli_usage_error(cli, "--until: expected YYYY-MM-DD[THH:MM[:SS]Z]");
			if (strlen(optarg) == 10)
				f.until_us += 86400LL * 1000000 - 1; /* the whole day */
			break;
		case 'l':
			errno = 0;
			f.limit = strtoll(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || f.limit <= 0)
				return cli_usage_error(cli, "--limit: expected a positive number");
			break;
		case 'h': fputs(log_help, stdout); return EXIT_OK;
		default:
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs audit log --help'",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, "unexpected argument; see 'sargs audit log --help'");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	if (cli->json)
		c.arr = json_array();
	sargs_strbuf_init(&c.text, (size_t)1 << 30);
	if (sargs_store_audit_scan(reg->store, &f, log_cb, &c) != SARGS_OK || c.failed) {
		struct sargs_err err;

		(void)sargs_err_set(&err, SARGS_E_STORE, "cannot read the audit trail: %s",
				    c.failed ? "out of memory" : sargs_store_errmsg(reg->store));
		json_decref(c.arr);
		sargs_strbuf_free(&c.text);
		sargs_reg_close(reg);
		return cli_fail(cli, &err);
	}
	{
		/* reading the trail is itself recorded, before anything is shown */
		struct sargs_err err;
		char detail[64];

		sargs_err_clear(&err);
		(void)snprintf(detail, sizeof(detail), "%lld entries read", (long long)c.n);
		if (sargs_reg_audit(reg, "audit.read", f.subject_id, NULL, NULL, detail, &err) !=
		    SARGS_OK) {
			json_decref(c.arr);
			sargs_strbuf_free(&c.text);
			sargs_reg_close(reg);
			return cli_fail(cli, &err);
		}
	}
	if (cli->json)
		rc = cli_print_json(json_pack("{s:o}", "entries", c.arr));
	else if (c.text.len > 0)
		fwrite(c.text.data, 1, c.text.len, stdout);
	sargs_strbuf_free(&c.text);
	sargs_reg_close(reg);
	return rc;
}

static const char verify_help[] =
	"Usage: sargs [--json] audit verify [--checkpoints DIR --public-key KEY]\n"
	"\n"
	"Checks the whole audit trail's hash chain and its recorded head. Reports the\n"
	"first entry that was modified, removed, inserted or reordered, or entries cut\n"
	"off the end. With --checkpoints, also checks every signed checkpoint in DIR\n"
	"(sargs audit checkpoint): its signature under KEY (base64url, as\n"
	"'audit checkpoint-key' printed it; keep it apart from the register), and\n"
	"that the trail still holds the entry\n"
	"it names: a trail cut back and re-grown, or rewritten by someone holding\n"
	"the master key, fails here. Also checks the trail's search index (who each\n"
	"part of the trail concerns), through which the customer card and --subject\n"
	"find one person's entries; when only that is damaged, 'sargs audit reindex'\n"
	"makes it anew. Exit status 0 when intact, 4 when tampered with.\n";

static int audit_verify(struct cli *cli, int argc, char **argv)
{
	struct sargs_audit_report rep;
	struct sargs_reg *reg;
	enum sargs_rc vrc;
	int rc;

	static const struct option opts[] = {{"checkpoints", required_argument, NULL, 'c'},
					     {"public-key", required_argument, NULL, 'k'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *ckdir = NULL, *pk = NULL;
	struct sargs_ckpt_report crep;
	int ch, have_ck = 0;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(verify_help, stdout);
			return EXIT_OK;
		}
		if (ch == 'c')
			ckdir = optarg;
		else if (ch == 'k')
			pk = optarg;
		else
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs audit verify"
						    " --help'",
					       argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage_error(cli, "verify takes no arguments");
	if (pk != NULL && ckdir == NULL)
		return cli_usage_error(cli, "--public-key goes with --checkpoints");
	/* the key the checkpoint files name proves nothing: whoever rewrote the
	 * trail could have written them too; the key kept elsewhere does */
	if (ckdir != NULL && pk == NULL)
		return cli_usage_error(cli, "give the checkpoint key's --public-key, as kept apart"
					    " from the register ('audit checkpoint-key' printed it)");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	vrc = sargs_audit_verify(reg->audit, &rep);
	if (vrc == SARGS_OK && ckdir != NULL) {
		struct sargs_err cerr;

		vrc = sargs_audit_check_checkpoints(reg->store, ckdir, pk, &crep, &cerr);
		have_ck = 1;
		if (vrc == SARGS_E_NOTFOUND)
			return cli_close(reg, cli_fail(cli, &cerr));
		if (vrc == SARGS_E_TAMPERED) {
			rep.problem = strstr(crep.message, "cut back") != NULL ? SARGS_AUDIT_TRUNCATED
									     : SARGS_AUDIT_MODIFIED;
			(void)snprintf(rep.message, sizeof(rep.message), "checkpoint: %.230s",
				       crep.message);
		} else if (vrc == SARGS_OK) {
			size_t l = strlen(rep.message);

			(void)snprintf(rep.message + l, sizeof(rep.message) - l, "; %.80s (key %.43s)",
				       crep.message, crep.public_key);
		}
	}
	if (vrc != SARGS_OK && vrc != SARGS_E_TAMPERED) {
		struct sargs_err err;

		(void)sargs_err_set(&err, vrc, "cannot read the audit trail: %s",
				    sargs_store_errmsg(reg->store));
		sargs_reg_close(reg);
		return cli_fail(cli, &err);
	}
	if (cli->json) {
		json_t *o = json_object();

		json_object_set_new(o, "intact", json_boolean(vrc == SARGS_OK));
		json_object_set_new(o, "entries", json_integer(rep.entries));
		json_object_set_new(o, "problem", json_string(sargs_audit_problem_str(rep.problem)));
		json_object_set_new(o, "first_bad_seq",
				    rep.first_bad_seq ? json_integer(rep.first_bad_seq) : json_null());
		json_object_set_new(o, "message", json_string(rep.message));
		if (have_ck)
			json_object_set_new(o, "checkpoints_checked", json_integer(crep.checked));
		(void)cli_print_json(o);
	} else if (vrc == SARGS_OK) {
		printf("audit trail intact: %s\n", rep.message);
	} else if (rep.problem == SARGS_AUDIT_INDEX_BAD) {
		printf("AUDIT TRAIL'S SEARCH INDEX DAMAGED: %s\n", rep.message);
	} else {
		printf("AUDIT TRAIL TAMPERED WITH (%s): %s\n", sargs_audit_problem_str(rep.problem),
		       rep.message);
	}
	/* verification itself is recorded (after the walk, so it is not part of it) */
	if (vrc == SARGS_OK) {
		struct sargs_err err;
		char detail[64];

		(void)snprintf(detail, sizeof(detail), "intact, %lld entries", (long long)rep.entries);
		if (sargs_reg_audit(reg, "audit.verify", NULL, NULL, NULL, detail, &err) != SARGS_OK)
			fprintf(stderr, "sargs: warning: %s\n", err.msg);
	}
	sargs_reg_close(reg);
	return vrc == SARGS_OK ? EXIT_OK : EXIT_TAMPERED;
}

static const char ckey_help[] =
	"Usage: sargs audit checkpoint-key --key FILE\n"
	"\n"
	"Creates the Ed25519 key that signs audit checkpoints, in its own file\n"
	"(0600), apart from the master key: keep it off the server (another\n"
	"machine, a token, a safe) so that whoever holds the register and its master\n"
	"key still cannot sign for a rewritten trail. Prints its public key.\n";

static const char ckpt_help[] =
	"Usage: sargs audit checkpoint --key FILE --to DIR [--to DIR2]\n"
	"\n"
	"Signs the audit trail's current end (entry number and hash, and the first\n"
	"entry's hash naming the register) with the checkpoint key and writes\n"
	"DIR/checkpoint-SEQ.json; --to twice keeps a second copy elsewhere (another\n"
	"disk, a mounted share). Run it regularly (cron); 'audit verify\n"
	"--checkpoints DIR' uses them.\n";

static int print_pk(struct cli *cli, const struct sargs_ckpt_key *k, const char *what)
{
	unsigned char pk[SARGS_SIGN_PK_BYTES];
	char b64[64];

	sargs_ckpt_public_key(k, pk);
	sargs_b64url_encode(pk, sizeof(pk), b64);
	if (cli->json)
		return cli_print_json(json_pack("{s:s, s:s}", "result", what, "public_key", b64));
	printf("%s; public key %s\n", what, b64);
	return EXIT_OK;
}

static int audit_checkpoint_key(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *path = NULL;
	struct sargs_ckpt_key *k = NULL;
	struct sargs_err err;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(ckey_help, stdout);
			return EXIT_OK;
		}
		if (ch != 'k')
			return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
		path = optarg;
	}
	if (path == NULL || optind != argc)
		return cli_usage_error(cli, "give --key FILE");
	sargs_err_clear(&err);
	if (sargs_ckpt_key_create(path, &err) != SARGS_OK ||
	    sargs_ckpt_key_load(path, &k, &err) != SARGS_OK)
		return cli_fail(cli, &err);
	rc = print_pk(cli, k, "checkpoint key created");
	sargs_ckpt_key_free(k);
	return rc;
}

static int audit_checkpoint(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
					     {"to", required_argument, NULL, 't'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *path = NULL, *to[2] = {NULL, NULL};
	struct sargs_ckpt_key *k = NULL;
	struct sargs_reg *reg;
	struct sargs_err err;
	int ch, rc, n_to = 0;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(ckpt_help, stdout);
			return EXIT_OK;
		}
		if (ch == 'k') {
			path = optarg;
		} else if (ch == 't') {
			if (n_to == 2)
				return cli_usage_error(cli, "--to at most twice");
			to[n_to++] = optarg;
		} else {
			return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (path == NULL || n_to == 0 || optind != argc)
		return cli_usage_error(cli, "give --key FILE and --to DIR");
	sargs_err_clear(&err);
	if (sargs_ckpt_key_load(path, &k, &err) != SARGS_OK)
		return cli_fail(cli, &err);
	if ((rc = cli_open(cli, &reg)) != EXIT_OK) {
		sargs_ckpt_key_free(k);
		return rc;
	}
	for (int i = 0; i < n_to && rc == EXIT_OK; i++) {
		char file[4096];
		int64_t seq = 0;

		if (sargs_audit_checkpoint(reg->store, k, to[i], sargs_time_now_us(), file,
					   sizeof(file), &seq, &err) != SARGS_OK) {
			rc = cli_fail(cli, &err);
		} else {
			char detail[64];

			(void)snprintf(detail, sizeof(detail), "entry %lld", (long long)seq);
			if (!cli->json)
				printf("checkpoint of entry %lld written to %s\n", (long long)seq, file);
			if (i == n_to - 1 &&
			    sargs_reg_audit(reg, "audit.checkpoint", NULL, NULL, NULL, detail, &err) !=
				    SARGS_OK)
				rc = cli_fail(cli, &err);
			else if (cli->json && i == n_to - 1)
				rc = cli_print_json(json_pack("{s:I, s:s}", "seq", (json_int_t)seq,
							      "file", file));
		}
	}
	sargs_ckpt_key_free(k);
	sargs_reg_close(reg);
	return rc;
}

static const char reindex_help[] =
	"Usage: sargs [--json] audit reindex\n"
	"\n"
	"Makes the audit trail's search index anew from the entries, after 'audit\n"
	"verify' found it damaged. The index records which people each part of the\n"
	"trail concerns; the customer card, the API's ?subject= and 'audit log\n"
	"--subject' use it to find one person's entries, so a damaged index can hide\n"
	"entries from them. The entries and their hash chain are not touched. Works\n"
	"while the server runs (one part at a time); records itself in the trail.\n";

static int audit_reindex(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	struct sargs_reg *reg;
	struct sargs_err err;
	int64_t parts = 0, repaired = 0;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(reindex_help, stdout);
			return EXIT_OK;
		}
		return cli_usage_error(cli, "unknown option '%s'; see 'sargs audit reindex --help'",
				       argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage_error(cli, "reindex takes no arguments");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_audit_reindex(reg->audit, &parts, &repaired, &err) != SARGS_OK) {
		sargs_reg_close(reg);
		return cli_fail(cli, &err);
	}
	{
		char detail[96];

		(void)snprintf(detail, sizeof(detail), "parts=%lld repaired=%lld", (long long)parts,
			       (long long)repaired);
		if (sargs_reg_audit(reg, "audit.reindex", NULL, NULL, NULL, detail, &err) !=
		    SARGS_OK) {
			sargs_reg_close(reg);
			return cli_fail(cli, &err);
		}
	}
	if (cli->json)
		rc = cli_print_json(json_pack("{s:I, s:I}", "parts", (json_int_t)parts, "repaired",
					      (json_int_t)repaired));
	else
		printf("audit search index: %lld part%s checked, %lld repaired\n", (long long)parts,
		       parts == 1 ? "" : "s", (long long)repaired);
	sargs_reg_close(reg);
	return rc;
}

static const struct cli_cmd table[] = {
	{"log", audit_log, "print audit entries (filter by subject, actor, time)"},
	{"checkpoint-key", audit_checkpoint_key, "create the key that signs checkpoints"},
	{"checkpoint", audit_checkpoint, "sign the trail's end and keep it elsewhere"},
	{"verify", audit_verify, "check the audit trail for tampering"},
	{"reindex", audit_reindex, "make the trail's search index anew from the entries"},
	{NULL, NULL, NULL},
};

int cmd_audit(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "audit",
			    "Usage: sargs audit COMMAND\n\nThe append-only, hash-chained record of"
			    " every access to personal data.\n",
			    table, argc, argv);
}
