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

static void login_post(struct http_ctx *c)
{
	const char *user = http_form(c->rq, "user");
	const char *pw = http_form(c->rq, "password");
	char secret[SARGS_SECRET_STR];
	struct sargs_err err;
	enum sargs_rc rc;

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
	rc = sargs_staff_login(c->reg, user, pw, secret, &c->rq->who, &err);
	if (rc != SARGS_OK) {
		c->rs->status = rc == SARGS_E_DENIED ? 401 : http_status_for(rc);
		if (rc == SARGS_E_DENIED)
			login_form(c, L(c, "Nepareizs lietotājvārds vai parole, vai konts ir bloķēts.",
					err.msg));
		else
			login_form(c, err.msg);
		return;
	}
	c->rq->authed = 1;
	http_redirect(c->rs, "/console");
	html_session_cookie(c, secret);
	sargs_wipe(secret, sizeof(secret));
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
	{"POST", "/login", login_post, ROUTE_REG | ROUTE_PUBLIC | ROUTE_NO_CSRF, NULL},
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
