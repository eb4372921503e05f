/*
 * console_audit.c — the audit trail: whether its hash chain is intact
 * (sargs_audit_verify walks all of it) and the latest entries. Entries
 * hold names of fields and purposes, never values.
 */
#include "server/console.h"

#include "audit/audit.h"
#include "store/store.h"

#include <stdint.h>
#include <string.h>

#define AUDIT_SHOW 100

static int audit_row(void *ctx, const struct sargs_store_audit_row *row)
{
	struct http_ctx *c = ctx;

	http_outf(c->rs, "<tr><td>%lld</td><td>", (long long)row->seq);
	html_time(c, row->time_us);
	http_out(c->rs, "</td><td>");
	http_esc(c->rs, row->actor);
	http_out(c->rs, "</td><td>");
	http_esc(c->rs, row->action);
	http_out(c->rs, "</td><td>");
	if (row->subject_id) {
		http_out(c->rs, "<a href=\"/console/subjects/");
		http_urlenc(c->rs, row->subject_id);
		http_out(c->rs, "\">");
		http_outn(c->rs, row->subject_id, strnlen(row->subject_id, 8));
		http_out(c->rs, "…</a>");
	}
	http_out(c->rs, "</td><td>");
	http_esc(c->rs, row->purpose ? row->purpose : "");
	http_out(c->rs, "</td><td>");
	http_esc(c->rs, row->fields ? row->fields : "");
	http_out(c->rs, "</td><td>");
	http_esc(c->rs, row->detail ? row->detail : "");
	http_out(c->rs, "</td></tr>\n");
	return 0;
}

void console_audit(struct http_ctx *c)
{
	struct sargs_audit_report rep;
	struct sargs_store_audit_filter f;
	unsigned char hash[SARGS_AUDIT_HASH_BYTES];
	int64_t last = 0;
	enum sargs_rc rc;

	html_begin(c, HTML_STAFF, L(c, "Audita žurnāls", "Audit trail"));
	http_outf(c->rs, "<h1>%s</h1>\n", L(c, "Audita žurnāls", "Audit trail"));
	memset(&rep, 0, sizeof(rep));
	rc = sargs_audit_verify(c->reg->audit, &rep);
	if (rc == SARGS_OK) {
		http_outf(c->rs, "<p class=\"note ok audit-status\" role=\"status\">%s %lld %s</p>\n",
			  L(c, "Žurnāls ir neskarts: pārbaudīti", "The trail is intact:"),
			  (long long)rep.entries, L(c, "ieraksti.", "entries checked."));
	} else if (rc == SARGS_E_TAMPERED) {
		/* entries intact, their search index damaged: a person's card
		 * may miss entries until 'sargs audit reindex' */
		int index_only = rep.problem == SARGS_AUDIT_INDEX_BAD;

		http_outf(c->rs, "<p class=\"note error audit-status\" role=\"alert\">%s (%s, #%lld) ",
			  index_only ? L(c, "Žurnāla meklēšanas rādītājs ir bojāts!",
					 "The trail's search index is damaged!")
				     : L(c, "Žurnāls ir mainīts!", "The trail was tampered with!"),
			  sargs_audit_problem_str(rep.problem), (long long)rep.first_bad_seq);
		http_esc(c->rs, rep.message);
		http_out(c->rs, "</p>\n");
	} else {
		html_note(c, "error", L(c, "Žurnālu neizdevās pārbaudīt.", "The trail could not be checked."));
	}
	if (sargs_store_audit_last(c->reg->store, &last, hash) != SARGS_OK)
		last = 0;
	memset(&f, 0, sizeof(f));
	f.since_us = INT64_MIN;
	f.until_us = INT64_MAX;
	f.after_seq = last > AUDIT_SHOW ? last - AUDIT_SHOW : 0;
	http_outf(c->rs, "<h2>%s</h2>\n<table class=\"trail\"><thead><tr><th>#</th><th>%s</th>"
			 "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>"
			 "</thead><tbody>\n",
		  L(c, "Jaunākie ieraksti", "The latest entries"), L(c, "Laiks", "When"),
		  L(c, "Kas", "Who"), L(c, "Darbība", "Action"), L(c, "Klients", "Customer"),
		  L(c, "Nolūks", "Purpose"), L(c, "Lauki", "Fields"), L(c, "Sīkāk", "Detail"));
	if (sargs_store_audit_scan(c->reg->store, &f, audit_row, c) != SARGS_OK)
		html_note(c, "error", L(c, "Žurnālu neizdevās nolasīt.", "Could not read the trail."));
	http_out(c->rs, "</tbody></table>\n");
	html_end(c);
}
