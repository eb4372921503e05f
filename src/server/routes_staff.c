/*
 * routes_staff.c — the staff console: sign-in and sign-out, the start page,
 * and the route table of every console page (the pages: console_*.c).
 */
#include "server/console.h"
#include "server/html.h"
#include "server/server.h"

#include "domain/request.h"

#include "crypto/keys.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static void login_form(struct http_ctx *c, const char *error)
{
	html_begin(c, HTML_PUBLIC, L(c, "Pieteikties", "Sign in"));
	http_outf(c->rs, "<h1>%s</h1>\n", L(c, "Pieteikties", "Sign in"));
	if (error)
		html_note(c, "error", error);
	http_outf(c->rs,
		  "<form method=\"post\" action=\"/login\" class=\"stack narrow\">"
		  "<label>%s <input name=\"user\" autocomplete=\"username\" required"
		  " maxlength=\"64\" autofocus></label>"
		  "<label>%s <input name=\"password\" type=\"password\""
		  " autocomplete=\"current-password\" required maxlength=\"256\"></label>"
		  "<button type=\"submit\">%s</button></form>\n",
		  L(c, "Lietotājvārds", "User name"), L(c, "Parole", "Password"),
		  L(c, "Pieteikties", "Sign in"));
	html_end(c);
}

static void login_get(struct http_ctx *c)
{
	if (c->rq->authed) {
		http_redirect(c->rs, "/console");
		return;
	}
	login_form(c, NULL);
}

/* The sign-in runs in three steps (staff.h): the stored hash is fetched on
 * the register worker, the slow Argon2id check runs here on the
 * connection's own thread (the worker and the register are not held
 * meanwhile), and the outcome is recorded on the worker again. */
struct login_job {
	const char *user;
	struct sargs_login_check chk;
	char secret[SARGS_SECRET_STR];
	struct sargs_principal who;
	struct sargs_err err;
	enum sargs_rc rc;
	int lost;
};

static void login_fetch_run(void *arg, struct sargs_reg *reg, int *failed)
{
	struct login_job *lj = arg;

	(void)failed;
	sargs_staff_login_fetch(reg, lj->user, &lj->chk);
}

static void login_finish_run(void *arg, struct sargs_reg *reg, int *failed)
{
	struct login_job *lj = arg;

	lj->lost = 0;
	lj->rc = sargs_staff_login_finish(reg, lj->user, &lj->chk, lj->secret, &lj->who, &lj->err);
	if (lj->rc != SARGS_OK && lj->rc != SARGS_E_DENIED)
		*failed = 1;
}

static void login_lost(void *arg, const struct sargs_err *err)
{
	struct login_job *lj = arg;

	lj->lost = 1;
	lj->err = *err;
	sargs_wipe(lj->secret, sizeof(lj->secret));
}

/* 1 when a browser says the sign-in form was posted from another site (a
 * login CSRF: someone else's page signing this browser in to an account of
 * their choosing). Browsers name the origin of a request in Sec-Fetch-Site
 * (and Origin): only a post from our own pages, or typed in, is taken. */
static int cross_site(const struct http_ctx *c)
{
	const char *sfs = http_header(c->rq, "Sec-Fetch-Site");
	const char *origin = http_header(c->rq, "Origin");
	const char *host = http_header(c->rq, "Host");
	const char *o;

	if (sfs)
		return strcmp(sfs, "same-origin") != 0 && strcmp(sfs, "none") != 0;
	if (!origin || !host)
		return 0; /* not a browser that tells, or not cross-origin */
	if (strcmp(origin, "null") == 0)
		return 1;
	o = strstr(origin, "://");
	return !o || strcasecmp(o + 3, host) != 0;
}

static void login_post(struct http_ctx *c)
{
	const char *user = http_form(c->rq, "user");
	const char *pw = http_form(c->rq, "password");
	struct login_job lj;
	struct worker_job job;

	if (cross_site(c)) {
		c->rs->status = 403;
		login_form(c, L(c, "Pieteikšanās no citas vietnes nav pieņemta; atveriet šo lapu"
				   " un piesakieties šeit.",
				"A sign-in from another site is not accepted; open this page and"
				" sign in here."));
		srv_log(c->srv, "warn", "login_cross_site", NULL);
		return;
	}
	if (!user || !pw || !*user || !*pw) {
		c->rs->status = 400;
		login_form(c, L(c, "Ievadiet lietotājvārdu un paroli.",
				"Enter your user name and password."));
		return;
	}
	if (!srv_login_allowed(c->srv, c->rq->ip)) {
		c->rs->status = 429;
		http_add_header(c->rs, "Retry-After", "60");
		login_form(c, L(c, "Pārāk daudz mēģinājumu no šīs adreses. Mēģiniet pēc minūtes.",
				"Too many attempts from this address. Try again in a minute."));
		srv_log(c->srv, "warn", "login_rate_limited", NULL);
		return;
	}
	memset(&lj, 0, sizeof(lj));
	lj.user = user;
	job = (struct worker_job){.run = login_fetch_run, .lost = login_lost, .arg = &lj};
	worker_run(c->srv->worker, &job);
	if (!lj.lost) {
		sargs_staff_login_verify(&lj.chk, pw);
		job = (struct worker_job){.run = login_finish_run, .lost = login_lost, .arg = &lj};
		worker_run(c->srv->worker, &job);
	}
	sargs_wipe(&lj.chk, sizeof(lj.chk));
	if (lj.lost || lj.rc != SARGS_OK) {
		if (lj.lost || lj.rc != SARGS_E_DENIED) {
			c->rs->status = 503;
			login_form(c, L(c, "Pieteikšanās neizdevās tehnisku iemeslu dēļ; mēģiniet vēlreiz.",
					"Signing in failed for a technical reason; try again."));
			srv_log(c->srv, "error", "login_failed", "msg=\"%s\"", lj.err.msg);
		} else {
			/* one message for every refusal: it must not tell which
			 * names exist, nor that a password was right */
			c->rs->status = 401;
			login_form(c, L(c, "Nepareizs lietotājvārds vai parole, vai konts ir bloķēts.",
					"Wrong user name or password, or the account is locked."));
		}
		sargs_wipe(&lj, sizeof(lj));
		return;
	}
	c->rq->who = lj.who;
	c->rq->authed = 1;
	http_redirect(c->rs, "/console");
	html_session_cookie(c, lj.secret);
	sargs_wipe(&lj, sizeof(lj));
}

static void logout(struct http_ctx *c)
{
	struct sargs_err err;

	if (c->rq->session[0] && sargs_session_end(c->reg, c->rq->session, &err) != SARGS_OK) {
		http_set_status(c->rs, 500, "text/plain; charset=utf-8");
		http_out(c->rs, "could not end the session\n");
		return;
	}
	http_redirect(c->rs, "/login");
	html_session_cookie(c, "");
}

static void root(struct http_ctx *c)
{
	http_redirect(c->rs, c->rq->authed ? "/console" : "/login");
}

static int overdue_cb(void *ctx, const struct sargs_request *r, int32_t days_left)
{
	int *counts = ctx;

	(void)r;
	if (days_left < 0)
		counts[0]++;
	else
		counts[1]++;
	return 0;
}

void console_home(struct http_ctx *c)
{
	const struct sargs_registry *r = NULL;
	struct sargs_err err;

	html_begin(c, HTML_STAFF, L(c, "Sākums", "Start"));
	http_outf(c->rs, "<h1>%s</h1>\n", L(c, "Labdien!", "Hello!"));
	if (http_may(c, SARGS_ACT_SUBJECT_READ, NULL) &&
	    sargs_reg_registry(c->reg, &r, &err) == SARGS_OK) {
		const struct sargs_purpose *p = console_purpose(c, r, NULL, SARGS_ACT_SUBJECT_READ, NULL);

		if (p) {
			http_outf(c->rs, "<form method=\"get\" action=\"/console/search\" class=\"card search\">"
					 "<label>%s <input name=\"q\" required maxlength=\"200\" autofocus"
					 " placeholder=\"%s\"></label><label>%s ",
				  L(c, "Atrast klientu", "Find a customer"),
				  L(c, "vārds, e-pasts, tālrunis vai personas kods",
				    "name, e-mail, phone or personal code"),
				  L(c, "Nolūks", "Purpose"));
			console_purpose_select(c, r, p->id, SARGS_ACT_SUBJECT_READ);
			http_outf(c->rs, "</label><button type=\"submit\">%s</button></form>\n",
				  L(c, "Meklēt", "Search"));
		}
	}
	if (http_may(c, SARGS_ACT_REQUEST_READ, NULL)) {
		int counts[2] = {0, 0};

		if (sargs_request_overdue(c->reg, 7, overdue_cb, counts, &err) == SARGS_OK) {
			if (counts[0] > 0) {
				http_outf(c->rs, "<p class=\"note error overdue\"><a href=\"/console/requests\">"
						 "%s: %d</a></p>\n",
					  L(c, "Nokavēti pieprasījumi", "Overdue requests"), counts[0]);
			}
			http_outf(c->rs, "<p><a href=\"/console/requests\">%s: %d</a></p>\n",
				  L(c, "Pieprasījumi ar termiņu 7 dienās",
				    "Requests due within 7 days"), counts[1]);
		}
	}
	http_outf(c->rs, "<p>%s</p>\n",
		  L(c, "Izvēlieties darbu augšējā izvēlnē.", "Choose a task in the menu above."));
	console_notice_box(c);
	html_end(c);
}

const struct http_route http_routes_staff[] = {
	{"GET", "/", root, ROUTE_REG | ROUTE_PUBLIC, NULL},
	{"GET", "/login", login_get, ROUTE_REG | ROUTE_PUBLIC, NULL},
	{"POST", "/login", login_post, ROUTE_PUBLIC | ROUTE_NO_CSRF | ROUTE_BLOCKS, NULL},
	{"POST", "/logout", logout, ROUTE_REG, NULL},
	{"GET", "/console", console_home, ROUTE_REG, NULL},
	{"GET", "/console/search", console_search, ROUTE_REG, SARGS_ACT_SUBJECT_READ},
	{"GET", "/console/subjects/new", console_subject_new, ROUTE_REG, SARGS_ACT_SUBJECT_WRITE},
	{"POST", "/console/subjects", console_subject_add, ROUTE_REG, SARGS_ACT_SUBJECT_WRITE},
	{"GET", "/console/subjects/{id}", console_subject_card, ROUTE_REG, SARGS_ACT_SUBJECT_READ},
	{"POST", "/console/subjects/{id}/withdraw", console_consent_withdraw, ROUTE_REG,
	 SARGS_ACT_CONSENT_WRITE},
	{"GET", "/console/requests", console_requests, ROUTE_REG, SARGS_ACT_REQUEST_READ},
	{"POST", "/console/requests", console_request_new, ROUTE_REG, SARGS_ACT_REQUEST_WRITE},
	{"GET", "/console/requests/{id}", console_request_show, ROUTE_REG, SARGS_ACT_REQUEST_READ},
	{"POST", "/console/requests/{id}/verify", console_request_verify, ROUTE_REG,
	 SARGS_ACT_REQUEST_WRITE},
	{"POST", "/console/requests/{id}/fulfil", console_request_fulfil, ROUTE_REG,
	 SARGS_ACT_REQUEST_WRITE},
	{"POST", "/console/requests/{id}/refuse", console_request_refuse, ROUTE_REG,
	 SARGS_ACT_REQUEST_WRITE},
	{"GET", "/console/campaigns", console_campaigns, ROUTE_REG, SARGS_ACT_CAMPAIGN_READ},
	{"GET", "/console/zones", console_zones, ROUTE_REG, SARGS_ACT_IMPORT},
	{"GET", "/console/audit", console_audit, ROUTE_REG, SARGS_ACT_AUDIT_READ},
	{NULL, NULL, NULL, 0, NULL},
};
