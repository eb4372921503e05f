/*
 * console_requests.c — the queue of data subjects' requests with their
 * legal deadlines (overdue ones stand out), one request's page with its
 * history, and the steps: open, verify the person, fulfil (an access
 * request's copy comes back as a download), refuse.
 */
#include "server/console.h"

#include "domain/request.h"
#include "domain/rights.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUE_SOON_DAYS 7

static const char *kind_text(struct http_ctx *c, const char *kind)
{
	static const struct {
		const char *id, *lv, *en;
	} k[] = {
		{"information", "informācija", "information"},
		{"access", "piekļuve (datu kopija)", "access (a copy of the data)"},
		{"rectification", "labošana", "rectification"},
		{"erasure", "dzēšana", "erasure"},
		{"restriction", "ierobežošana", "restriction"},
		{"portability", "pārnesamība", "portability"},
		{"objection", "iebildums", "objection"},
		{"automated_decision_review", "automatizēta lēmuma pārskatīšana",
		 "review of an automated decision"},
		{"consent_withdrawal", "piekrišanas atsaukšana", "consent withdrawal"},
	};
	size_t i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (strcmp(k[i].id, kind) == 0)
			return L(c, k[i].lv, k[i].en);
	return kind;
}

static const char *state_text(struct http_ctx *c, const char *state)
{
	static const struct {
		const char *id, *lv, *en;
	} s[] = {
		{"received", "saņemts", "received"},
		{"verifying", "pārbauda identitāti", "verifying identity"},
		{"verified", "identitāte pārbaudīta", "identity verified"},
		{"extended", "termiņš pagarināts", "deadline extended"},
		{"fee_requested", "prasīta maksa", "fee requested"},
		{"fulfilled", "izpildīts", "fulfilled"},
		{"refused", "atteikts", "refused"},
	};
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (strcmp(s[i].id, state) == 0)
			return L(c, s[i].lv, s[i].en);
	return state;
}

/* "overdue by N days" / "N days left", with its class. */
static void days_left_cell(struct http_ctx *c, int32_t days_left, int closed)
{
	if (closed) {
		http_out(c->rs, "<td class=\"muted\">—</td>");
		return;
	}
	if (days_left < 0)
		http_outf(c->rs, "<td class=\"overdue\">%s %d %s</td>",
			  L(c, "Nokavēts par", "Overdue by"), -days_left, L(c, "d.", "days"));
	else if (days_left <= DUE_SOON_DAYS)
		http_outf(c->rs, "<td class=\"due-soon\">%s %d %s</td>", L(c, "Atlikušas", "Due in"),
			  days_left, L(c, "d.", "days"));
	else
		http_outf(c->rs, "<td>%d %s</td>", days_left, L(c, "d.", "days"));
}

struct list_ctx {
	struct http_ctx *c;
	int32_t today;
	int n;
};

static void list_row(struct list_ctx *lc, const struct sargs_request *r, int32_t days_left)
{
	struct http_ctx *c = lc->c;

	if (lc->n++ == 0)
		http_outf(c->rs, "<table class=\"requests\"><thead><tr><th>#</th><th>%s</th><th>%s</th>"
				 "<th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
			  L(c, "Veids", "Kind"), L(c, "Stāvoklis", "State"), L(c, "Saņemts", "Received"),
			  L(c, "Termiņš", "Due"), L(c, "Atlikušais laiks", "Time left"));
	http_outf(c->rs, "<tr%s><td><a href=\"/console/requests/%lld\">%lld</a></td><td>",
		  !r->closed_us && days_left < 0 ? " class=\"row-overdue\"" : "",
		  (long long)r->id, (long long)r->id);
	http_esc(c->rs, kind_text(c, r->kind));
	http_out(c->rs, "</td><td>");
	http_esc(c->rs, state_text(c, r->state));
	http_out(c->rs, "</td><td>");
	console_day(c, r->received_day);
	http_out(c->rs, "</td><td>");
	console_day(c, r->due_day);
	if (r->extended)
		http_outf(c->rs, " <span class=\"muted\">(%s)</span>", L(c, "pagarināts", "extended"));
	http_out(c->rs, "</td>");
	days_left_cell(c, days_left, r->closed_us != 0);
	http_out(c->rs, "</tr>\n");
}

static int open_cb(void *ctx, const struct sargs_request *r, int32_t days_left)
{
	list_row(ctx, r, days_left);
	return 0;
}

static int all_cb(void *ctx, const struct sargs_request *r)
{
	struct list_ctx *lc = ctx;

	list_row(lc, r, r->due_day - lc->today);
	return 0;
}

void console_requests(struct http_ctx *c)
{
	struct list_ctx lc = {c, 0, 0};
	int all = http_query(c->rq, "all") != NULL;
	struct sargs_err err;
	enum sargs_rc rc;

	lc.today = sargs_request_local_day(sargs_time_now_us());
	html_begin(c, HTML_STAFF, L(c, "Pieprasījumi", "Requests"));
	http_outf(c->rs, "<h1>%s</h1>\n<p class=\"why\">%s</p>\n",
		  L(c, "Klientu pieprasījumi", "Customers' requests"),
		  L(c, "Atbildēt jāpaspēj viena mēneša laikā no saņemšanas (VDAR 12. panta 3. punkts). "
		       "Nokavētie ir sarkanā krāsā un saraksta sākumā.",
		    "Each must be answered within one month of receipt (GDPR Art. 12(3)). "
		    "Overdue ones are red and come first."));
	if (all) {
		http_outf(c->rs, "<p><a href=\"/console/requests\">%s</a></p>\n",
			  L(c, "Rādīt tikai atvērtos", "Show only open ones"));
		rc = sargs_request_list(c->reg, 0, NULL, all_cb, &lc, &err);
	} else {
		http_outf(c->rs, "<p><a href=\"/console/requests?all=1\">%s</a></p>\n",
			  L(c, "Rādīt arī slēgtos", "Show closed ones too"));
		rc = sargs_request_overdue(c->reg, 366, open_cb, &lc, &err);
	}
	if (rc != SARGS_OK) {
		console_message_page(c, 500, "error", L(c, "Kļūda", "Error"), err.msg);
		return;
	}
	if (lc.n > 0)
		http_out(c->rs, "</tbody></table>\n");
	else
		html_note(c, "ok", L(c, "Atvērtu pieprasījumu nav.", "There are no open requests."));
	http_outf(c->rs, "<p class=\"muted\">%s</p>\n",
		  L(c, "Jaunu pieprasījumu reģistrē klienta kartītē.",
		    "Open a new request from the customer's card."));
	html_end(c);
}

static int load_request(struct http_ctx *c, struct sargs_request *r)
{
	struct sargs_err err;
	int64_t id;

	if (!console_parse_id(c->rq->params[0], &id) ||
	    sargs_request_get(c->reg, id, r, &err) != SARGS_OK) {
		console_message_page(c, 404, "error", L(c, "Pieprasījums nav atrasts", "Request not found"),
				     L(c, "Tāda pieprasījuma nav.", "There is no such request."));
		return 0;
	}
	return 1;
}

static int event_cb(void *ctx, int64_t time_us, const char *actor, const char *event,
		    const char *detail)
{
	struct http_ctx *c = ctx;

	http_out(c->rs, "<tr><td>");
	html_time(c, time_us);
	http_out(c->rs, "</td><td>");
	http_esc(c->rs, actor);
	http_out(c->rs, "</td><td>");
	http_esc(c->rs, event);
	http_out(c->rs, "</td><td>");
	http_esc(c->rs, detail ? detail : "");
	http_out(c->rs, "</td></tr>\n");
	return 0;
}

static void action_form(struct http_ctx *c, const struct sargs_request *r, const char *verb)
{
	http_outf(c->rs, "<form method=\"post\" class=\"card stack\" action=\"/console/requests/%lld/%s\"",
		  (long long)r->id, verb);
	if (strcmp(verb, "fulfil") == 0 && strcmp(r->kind, "erasure") == 0)
		http_outf(c->rs, " data-confirm=\"%s\"",
			  L(c, "Dzēst klienta datus? To nevar atsaukt.",
			    "Erase the customer's data? This cannot be undone."));
	http_out(c->rs, ">");
	html_csrf(c);
}

static void verify_form(struct http_ctx *c, const struct sargs_request *r)
{
	static const struct {
		const char *id, *lv, *en;
	} checks[] = {
		{"in_person", "klātienē pēc personu apliecinoša dokumenta", "in person, with an identity document"},
		{"id_document", "personu apliecinoša dokumenta kopija", "a copy of an identity document"},
		{"eparaksts", "e-paraksts", "eParaksts (e-signature)"},
		{"bank_link", "internetbanka", "online bank identification"},
		{"email_confirmation", "apstiprināts no reģistrētā e-pasta (vājš)",
		 "confirmed from the registered e-mail (weak)"},
		{"knowledge_of_account", "zina konta informāciju (vājš)",
		 "knows the account details (weak)"},
	};
	size_t i;

	action_form(c, r, "verify");
	http_outf(c->rs, "<fieldset><legend>%s</legend><p class=\"why\">%s</p>",
		  L(c, "Kā pārliecinājāties, ka tas ir pats klients?",
		    "How did you make sure it is the customer?"),
		  L(c, "Pietiek ar vienu stipru pārbaudi vai divām vājām (VDAR 12. panta 6. punkts).",
		    "One strong check or two weak ones are enough (GDPR Art. 12(6))."));
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		http_outf(c->rs, "<label class=\"check\"><input type=\"checkbox\" name=\"check_%s\" value=\"1\"> ",
			  checks[i].id);
		http_esc(c->rs, L(c, checks[i].lv, checks[i].en));
		http_out(c->rs, "</label>");
	}
	http_outf(c->rs, "</fieldset><button type=\"submit\">%s</button></form>\n",
		  L(c, "Identitāte pārbaudīta", "Identity verified"));
}

static void fulfil_form(struct http_ctx *c, const struct sargs_request *r)
{
	if (strcmp(r->kind, "rectification") == 0) {
		html_note(c, "warn", L(c, "Labošanu izpilda komandrindā: sargs request fulfil ID --set lauks=vērtība.",
				       "Rectification is done on the command line: sargs request fulfil ID --set field=value."));
		return;
	}
	action_form(c, r, "fulfil");
	if (strcmp(r->kind, "access") == 0) {
		http_outf(c->rs, "<label>%s <select name=\"format\"><option value=\"html\">%s</option>"
				 "<option value=\"json\">JSON</option></select></label>"
				 "<label class=\"check\"><input type=\"checkbox\" name=\"disclosures\" value=\"1\"> %s</label>",
			  L(c, "Formāts", "Format"), L(c, "HTML (lasāms pārlūkā)", "HTML (readable in a browser)"),
			  L(c, "Iekļaut pēdējo divu gadu datu izpaušanu", "Include the disclosures of the last two years"));
	} else if (strcmp(r->kind, "objection") == 0 || strcmp(r->kind, "automated_decision_review") == 0) {
		int obj = strcmp(r->kind, "objection") == 0;

		http_outf(c->rs, "<label>%s <select name=\"outcome\">", L(c, "Lēmums", "Outcome"));
		if (obj)
			http_out(c->rs, "<option value=\"upheld\">upheld</option>"
					"<option value=\"overridden_compelling_grounds\">overridden_compelling_grounds</option>"
					"<option value=\"overridden_legal_claims\">overridden_legal_claims</option>");
		else
			http_out(c->rs, "<option value=\"decision_changed\">decision_changed</option>"
					"<option value=\"decision_confirmed\">decision_confirmed</option>");
		http_out(c->rs, "</select></label>");
	}
	http_outf(c->rs, "<button type=\"submit\">%s</button></form>\n",
		  strcmp(r->kind, "access") == 0 || strcmp(r->kind, "portability") == 0
			  ? L(c, "Izpildīt un lejupielādēt kopiju", "Fulfil and download the copy")
			  : L(c, "Izpildīt", "Fulfil"));
}

static void refuse_form(struct http_ctx *c, const struct sargs_request *r)
{
	action_form(c, r, "refuse");
	http_outf(c->rs, "<label>%s <select name=\"reason\">"
			 "<option value=\"identity_not_confirmed\">identity_not_confirmed</option>"
			 "<option value=\"not_the_data_subject\">not_the_data_subject</option>"
			 "<option value=\"manifestly_unfounded\">manifestly_unfounded</option>"
			 "<option value=\"excessive\">excessive</option>"
			 "<option value=\"legal_exception\">legal_exception</option></select></label>"
			 "<button type=\"submit\" class=\"secondary\">%s</button></form>\n",
		  L(c, "Atteikuma iemesls", "Reason to refuse"), L(c, "Atteikt", "Refuse"));
}

void console_request_show(struct http_ctx *c)
{
	struct sargs_request r;
	struct sargs_err err;
	int32_t today = sargs_request_local_day(sargs_time_now_us());
	const char *done = http_query(c->rq, "done");

	if (!load_request(c, &r))
		return;
	html_begin(c, HTML_STAFF, L(c, "Pieprasījums", "Request"));
	http_outf(c->rs, "<h1>%s %lld: ", L(c, "Pieprasījums", "Request"), (long long)r.id);
	http_esc(c->rs, kind_text(c, r.kind));
	http_out(c->rs, "</h1>\n");
	if (done && strcmp(done, "verified") == 0)
		html_note(c, "ok", L(c, "Identitāte atzīmēta kā pārbaudīta.", "The identity is marked as verified."));
	else if (done && strcmp(done, "fulfilled") == 0)
		html_note(c, "ok", L(c, "Pieprasījums izpildīts.", "The request was fulfilled."));
	http_outf(c->rs, "<table class=\"fields\"><tbody><tr><th>%s</th><td>", L(c, "Stāvoklis", "State"));
	http_esc(c->rs, state_text(c, r.state));
	http_outf(c->rs, "</td></tr><tr><th>%s</th><td>", L(c, "Kanāls", "Channel"));
	http_esc(c->rs, r.channel);
	http_outf(c->rs, "</td></tr><tr><th>%s</th><td>", L(c, "Saņemts", "Received"));
	console_day(c, r.received_day);
	http_outf(c->rs, "</td></tr><tr><th>%s</th><td>", L(c, "Termiņš", "Due"));
	console_day(c, r.due_day);
	http_out(c->rs, "</td></tr><tr><th></th>");
	days_left_cell(c, r.due_day - today, r.closed_us != 0);
	http_outf(c->rs, "</tr><tr><th>%s</th><td>", L(c, "Klients", "Customer"));
	if (r.subject_id[0]) {
		http_out(c->rs, "<a href=\"/console/subjects/");
		http_urlenc(c->rs, r.subject_id);
		http_outf(c->rs, "\">%s</a>", L(c, "atvērt kartīti", "open the card"));
	} else {
		http_esc(c->rs, L(c, "vēl nav noteikts", "not identified yet"));
	}
	http_out(c->rs, "</td></tr></tbody></table>\n");
	if (!r.closed_us && http_may(c, SARGS_ACT_REQUEST_WRITE, NULL)) {
		if (strcmp(r.state, "received") == 0 || strcmp(r.state, "verifying") == 0)
			verify_form(c, &r);
		if (strcmp(r.state, "verified") == 0 || strcmp(r.state, "extended") == 0 ||
		    (strcmp(r.kind, "information") == 0 && strcmp(r.state, "received") == 0))
			fulfil_form(c, &r);
		refuse_form(c, &r);
	}
	http_outf(c->rs, "<h2>%s</h2>\n<table class=\"events\"><thead><tr><th>%s</th><th>%s</th>"
			 "<th>%s</th><th>%s</th></tr></thead><tbody>\n",
		  L(c, "Vēsture", "History"), L(c, "Laiks", "When"), L(c, "Kas", "Who"),
		  L(c, "Notikums", "Event"), L(c, "Sīkāk", "Detail"));
	if (sargs_request_events(c->reg, r.id, event_cb, c, &err) != SARGS_OK)
		html_note(c, "error", err.msg);
	http_out(c->rs, "</tbody></table>\n");
	http_outf(c->rs, "<p><a href=\"/console/requests\">%s</a></p>\n",
		  L(c, "Atpakaļ uz pieprasījumiem", "Back to the requests"));
	html_end(c);
}

static void redirect_request(struct http_ctx *c, int64_t id, const char *done)
{
	char loc[96];

	(void)snprintf(loc, sizeof(loc), "/console/requests/%lld%s%s", (long long)id,
		       done ? "?done=" : "", done ? done : "");
	http_redirect(c->rs, loc);
}

static void step_failed(struct http_ctx *c, enum sargs_rc rc, const struct sargs_err *err)
{
	int st = http_status_for(rc);

	/* a rule refused the step (not the role): the form's answer is 422 */
	if (rc == SARGS_E_DENIED)
		st = 422;
	console_message_page(c, st < 400 ? 400 : st, "error", L(c, "Neizdevās", "Not done"), err->msg);
}

void console_request_new(struct http_ctx *c)
{
	struct sargs_request_input in;
	struct sargs_err err;
	int64_t id;
	enum sargs_rc rc;

	memset(&in, 0, sizeof(in));
	in.kind = http_form(c->rq, "kind");
	in.channel = http_form(c->rq, "channel");
	in.subject_id = http_form(c->rq, "subject");
	if (in.subject_id && !*in.subject_id)
		in.subject_id = NULL;
	if (!in.kind || !in.channel) {
		console_message_page(c, 400, "error", L(c, "Neizdevās", "Not done"),
				     L(c, "Norādiet pieprasījuma veidu un kanālu.",
				       "Give the request's kind and channel."));
		return;
	}
	rc = sargs_request_new(c->reg, &in, &id, &err);
	if (rc != SARGS_OK) {
		step_failed(c, rc, &err);
		return;
	}
	redirect_request(c, id, NULL);
}

void console_request_verify(struct http_ctx *c)
{
	static const char *const codes[] = {"in_person", "id_document", "eparaksts", "bank_link",
					    "email_confirmation", "knowledge_of_account"};
	const char *checks[6];
	struct sargs_identity ident;
	struct sargs_request r;
	struct sargs_err err;
	size_t n = 0, i;
	enum sargs_rc rc;

	if (!load_request(c, &r))
		return;
	for (i = 0; i < 6; i++) {
		char name[40];

		(void)snprintf(name, sizeof(name), "check_%s", codes[i]);
		if (http_form(c->rq, name))
			checks[n++] = codes[i];
	}
	memset(&ident, 0, sizeof(ident));
	ident.subject_id = r.subject_id[0] ? r.subject_id : NULL;
	ident.checks = checks;
	ident.n_checks = n;
	rc = sargs_request_verify(c->reg, r.id, &ident, &err);
	if (rc != SARGS_OK) {
		step_failed(c, rc, &err);
		return;
	}
	redirect_request(c, r.id, "verified");
}

void console_request_fulfil(struct http_ctx *c)
{
	struct sargs_request_fulfil_opts o;
	struct sargs_request_result res;
	struct sargs_request r;
	struct sargs_err err;
	const char *fmt = http_form(c->rq, "format");
	enum sargs_rc rc;

	if (!load_request(c, &r))
		return;
	memset(&o, 0, sizeof(o));
	memset(&res, 0, sizeof(res));
	o.format = fmt && strcmp(fmt, "html") == 0 ? SARGS_EXPORT_HTML : SARGS_EXPORT_JSON;
	o.lang = c->rq->lang[0] == 'e' ? "en" : "lv";
	o.with_disclosures = http_form(c->rq, "disclosures") != NULL;
	o.outcome = http_form(c->rq, "outcome");
	if (o.outcome && !*o.outcome)
		o.outcome = NULL;
	rc = sargs_request_fulfil(c->reg, r.id, &o, &res, &err);
	if (rc != SARGS_OK) {
		sargs_request_result_free(&res);
		step_failed(c, rc, &err);
		return;
	}
	if (res.export) {
		char cd[128];
		int html = strcmp(r.kind, "access") == 0 && o.format == SARGS_EXPORT_HTML;

		http_set_status(c->rs, 200, html ? "text/html; charset=utf-8" : "application/json");
		(void)snprintf(cd, sizeof(cd), "attachment; filename=\"sargs-%s-%lld.%s\"", r.kind,
			       (long long)r.id, html ? "html" : "json");
		http_add_header(c->rs, "Content-Disposition", cd);
		http_outn(c->rs, res.export, res.export_len);
		sargs_request_result_free(&res);
		return;
	}
	html_begin(c, HTML_STAFF, L(c, "Pieprasījums izpildīts", "Request fulfilled"));
	http_outf(c->rs, "<h1>%s %lld</h1>\n", L(c, "Izpildīts pieprasījums", "Fulfilled request"),
		  (long long)r.id);
	if (res.answer) {
		http_outf(c->rs, "<h2>%s</h2><pre class=\"answer\">",
			  L(c, "Atbilde klientam", "The answer to the customer"));
		http_esc(c->rs, res.answer);
		http_out(c->rs, "</pre>\n");
	}
	http_outf(c->rs, "<p><a href=\"/console/requests/%lld\">%s</a></p>\n", (long long)r.id,
		  L(c, "Atpakaļ uz pieprasījumu", "Back to the request"));
	html_end(c);
	sargs_request_result_free(&res);
}

void console_request_refuse(struct http_ctx *c)
{
	struct sargs_request r;
	struct sargs_err err;
	char *answer = NULL;
	const char *reason = http_form(c->rq, "reason");
	enum sargs_rc rc;

	if (!load_request(c, &r))
		return;
	rc = sargs_request_refuse(c->reg, r.id, reason ? reason : "", c->rq->lang[0] == 'e' ? "en" : "lv",
				  &answer, &err);
	if (rc != SARGS_OK) {
		step_failed(c, rc, &err);
		return;
	}
	html_begin(c, HTML_STAFF, L(c, "Pieprasījums atteikts", "Request refused"));
	http_outf(c->rs, "<h1>%s %lld</h1>\n<h2>%s</h2><pre class=\"answer\">",
		  L(c, "Atteikts pieprasījums", "Refused request"), (long long)r.id,
		  L(c, "Atbilde klientam", "The answer to the customer"));
	http_esc(c->rs, answer ? answer : "");
	http_outf(c->rs, "</pre>\n<p><a href=\"/console/requests/%lld\">%s</a></p>\n", (long long)r.id,
		  L(c, "Atpakaļ uz pieprasījumu", "Back to the request"));
	html_end(c);
	free(answer);
}
