/*
 * self_common.c — what the customers' pages share (self.h): preference
 * links, the signed form token, the privacy notice's version line, and
 * opening a request that waits for identification.
 */
#include "server/self.h"

#include "domain/registry.h"
#include "domain/request.h"
#include "server/html.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

#define DAY_US 86400000000LL
#define HOUR_US 3600000000LL
#define FORM_PAYLOAD 9 /* form letter + notice version (8 bytes big-endian) */

enum sargs_rc self_prefs_token(struct sargs_reg *reg, const char *subject_id, int days,
			       char out[SARGS_TOKEN_MAX])
{
	unsigned char id[SARGS_UUID_BYTES];
	enum sargs_rc rc;

	out[0] = '\0';
	if (days <= 0 || !sargs_uuid_valid(subject_id))
		return SARGS_E_INVALID;
	if ((rc = sargs_uuid_to_bytes(subject_id, id)) != SARGS_OK)
		return rc;
	return sargs_token_make(reg->keys, SELF_PREFS_KIND, id, sizeof(id),
				sargs_time_now_us() + (int64_t)days * DAY_US, out);
}

enum sargs_rc self_prefs_link(struct sargs_reg *reg, const struct srv_config *cfg,
			      const char *subject_id, char *out, size_t out_size)
{
	char tok[SARGS_TOKEN_MAX];
	const char *base = cfg->public_url;
	size_t bl = strlen(base);
	enum sargs_rc rc;
	int n;

	if (out_size == 0)
		return SARGS_E_INVALID;
	out[0] = '\0';
	rc = self_prefs_token(reg, subject_id, cfg->link_days > 0 ? cfg->link_days : 30, tok);
	if (rc != SARGS_OK)
		return rc;
	while (bl > 0 && base[bl - 1] == '/')
		bl--;
	n = snprintf(out, out_size, "%.*s/p/%s", (int)bl, base, tok);
	if (n < 0 || (size_t)n >= out_size) {
		out[0] = '\0';
		return SARGS_E_INVALID;
	}
	return SARGS_OK;
}

static void link_refused(struct http_ctx *c, const struct sargs_err *err)
{
	c->rs->status = http_status_for(err->rc);
	self_begin(c, L(c, "Saite nav derīga", "The link is not valid"));
	http_outf(c->rs, "<h1>%s</h1>\n", L(c, "Saite nav derīga", "The link is not valid"));
	html_note(c, "error",
		  err->rc == SARGS_E_DENIED
			  ? L(c, "Saites derīguma termiņš ir beidzies. Nekas netika mainīts.",
			      "The link has expired. Nothing was changed.")
			  : L(c, "Saite ir bojāta, viltota vai nav izvēļu saite. Nekas netika mainīts.",
			      "The link is damaged, forged or not a preferences link. Nothing was "
			      "changed."));
	http_outf(c->rs, "<p>%s</p>\n",
		  L(c, "Jaunu saiti atradīsiet jebkurā mūsu ziņā: atsakoties no tās, jūs saņemsiet "
		       "saiti uz savām izvēlēm.",
		    "A new link is in any of our messages: unsubscribing from it gives you a link "
		    "to your choices."));
	html_end(c);
}

enum sargs_rc self_prefs_open(struct http_ctx *c, const char *token,
			      char subject_id[SARGS_UUID_STR])
{
	unsigned char payload[SARGS_TOKEN_PAYLOAD_MAX];
	size_t len = 0;
	int64_t exp = 0;
	struct sargs_err err;
	enum sargs_rc rc;

	subject_id[0] = '\0';
	rc = sargs_token_open(c->reg->keys, SELF_PREFS_KIND, token, sargs_time_now_us(), payload,
			      &len, &exp, &err);
	if (rc == SARGS_OK && len != SARGS_UUID_BYTES)
		rc = sargs_err_set(&err, SARGS_E_INVALID, "the link is not valid");
	if (rc != SARGS_OK) {
		link_refused(c, &err);
		return rc;
	}
	sargs_uuid_from_bytes(payload, subject_id);
	return SARGS_OK;
}

enum sargs_rc self_notice_current(struct http_ctx *c, struct sargs_notice_version *v,
				  struct sargs_err *err)
{
	int created = 0;

	return sargs_notice_publish(c->reg, v, &created, err);
}

void self_notice_line(struct http_ctx *c, const struct sargs_notice_version *v)
{
	char date[SARGS_DATE_STR];

	if (v->version <= 0)
		return;
	sargs_time_format_date(v->published_us, date, sizeof(date));
	http_outf(c->rs,
		  "<aside class=\"notice-version\"><p>%s <a href=\"/privacy\">%s</a>, "
		  "%s <span class=\"version\">%lld</span>, %s <time datetime=\"%s\">%s</time>.</p>\n",
		  L(c, "Mūsu", "Our"), L(c, "privātuma paziņojums", "privacy notice"),
		  L(c, "versija", "version"), (long long)v->version,
		  L(c, "spēkā kopš", "in effect since"), date, date);
	if (v->version > 1 && v->changes[0]) {
		http_outf(c->rs, "<p>%s</p>\n",
			  L(c, "Kas mainījies kopš iepriekšējās versijas:",
			    "What changed since the version before:"));
		html_notice_changes(c, v->changes);
	}
	http_out(c->rs, "</aside>\n");
}

void self_form_token_field(struct http_ctx *c, char form, int64_t notice_version)
{
	unsigned char payload[FORM_PAYLOAD];
	char tok[SARGS_TOKEN_MAX];
	uint64_t v = (uint64_t)(notice_version > 0 ? notice_version : 0);
	int i;

	payload[0] = (unsigned char)form;
	for (i = 0; i < 8; i++)
		payload[1 + i] = (unsigned char)(v >> (56 - 8 * i));
	if (sargs_token_make(c->reg->keys, SELF_FORM_KIND, payload, sizeof(payload),
			     sargs_time_now_us() + SELF_FORM_HOURS * HOUR_US, tok) != SARGS_OK) {
		c->rs->status = 500;
		return;
	}
	http_out(c->rs, "<input type=\"hidden\" name=\"ft\" value=\"");
	http_esc(c->rs, tok);
	http_out(c->rs, "\">");
}

enum sargs_rc self_form_token_check(struct http_ctx *c, char form, int64_t *notice_version,
				    struct sargs_err *err)
{
	unsigned char payload[SARGS_TOKEN_PAYLOAD_MAX];
	const char *ft = http_form(c->rq, "ft");
	size_t len = 0;
	int64_t exp = 0;
	uint64_t v = 0;
	enum sargs_rc rc;
	int i;

	*notice_version = 0;
	if (!ft)
		return sargs_err_set(err, SARGS_E_INVALID, "the form token is missing");
	rc = sargs_token_open(c->reg->keys, SELF_FORM_KIND, ft, sargs_time_now_us(), payload, &len,
			      &exp, err);
	if (rc != SARGS_OK)
		return rc;
	if (len != FORM_PAYLOAD || payload[0] != (unsigned char)form)
		return sargs_err_set(err, SARGS_E_INVALID, "the form token is of another form");
	for (i = 0; i < 8; i++)
		v = (v << 8) | payload[1 + i];
	if (v > (uint64_t)INT64_MAX)
		return sargs_err_set(err, SARGS_E_INVALID, "the form token is not valid");
	*notice_version = (int64_t)v;
	return SARGS_OK;
}

void self_begin(struct http_ctx *c, const char *title)
{
	html_begin(c, HTML_PUBLIC, title);
	http_out(c->rs, "<link rel=\"stylesheet\" href=\"/static/self.css\">\n");
}

enum sargs_rc self_request_open(struct http_ctx *c, const char *kind, const char *channel,
				const char *subject_id, const char *name, const char *contact,
				int64_t *id, struct sargs_err *err)
{
	/* GDPR Art. 12(6); 004 §15.4, §16.9: nothing is released before the
	 * person is identified; a request from the web waits for that. */
	static const char *const needs[] = {"email_confirmation", "knowledge_of_account"};
	struct sargs_request_input in;
	enum sargs_rc rc;

	memset(&in, 0, sizeof(in));
	in.kind = kind;
	in.channel = channel;
	in.subject_id = subject_id;
	in.requester_name = name;
	in.requester_contact = contact;
	*id = 0;
	if ((rc = sargs_reg_begin(c->reg, err)) != SARGS_OK)
		return rc;
	rc = sargs_request_new(c->reg, &in, id, err);
	if (rc == SARGS_OK)
		rc = sargs_request_ask(c->reg, *id, needs, sizeof(needs) / sizeof(needs[0]), err);
	return sargs_reg_end(c->reg, rc, err);
}
