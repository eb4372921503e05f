/*
 * routes_self.c — customers' own pages, reached without an account:
 * the one-click unsubscribe link of RFC 8058 (/u/{token}), and the route
 * table of them all. (Preferences, requests, the collection form and the
 * privacy notice: self_*.c; self.h.)
 */
#include "server/html.h"
#include "server/self.h"
#include "server/server.h"

#include "domain/campaign.h"

#include <string.h>

/* GET /u/{token}: a page with one button; nothing changes on a GET (mail
 * scanners follow links). */
static void unsub_page(struct http_ctx *c)
{
	html_begin(c, HTML_PUBLIC, L(c, "Atteikties no ziņām", "Unsubscribe"));
	http_outf(c->rs, "<h1>%s</h1>\n<p>%s</p>\n",
		  L(c, "Atteikties no ziņām", "Unsubscribe"),
		  L(c, "Nospiediet pogu, un mēs jums vairs nesūtīsim šīs ziņas.",
		    "Press the button and we will no longer send you these messages."));
	http_out(c->rs, "<form method=\"post\" action=\"/u/");
	http_urlenc(c->rs, c->rq->params[0]);
	http_outf(c->rs, "\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
			 "<button type=\"submit\">%s</button></form>\n",
		  L(c, "Atteikties", "Unsubscribe"));
	html_end(c);
}

/* POST /u/{token}: RFC 8058 one-click (List-Unsubscribe=One-Click in the
 * body), or the page's button. No login, no cookie, no redirect. */
static void unsub_post(struct http_ctx *c)
{
	struct sargs_unsub_result res;
	struct sargs_err err;
	const char *v = http_form(c->rq, "List-Unsubscribe");

	if (!v || strcmp(v, "One-Click") != 0) {
		c->rs->status = 400;
		html_begin(c, HTML_PUBLIC, L(c, "Kļūda", "Error"));
		html_note(c, "error", L(c, "Pieprasījumā trūkst List-Unsubscribe=One-Click.",
					"The request lacks List-Unsubscribe=One-Click."));
		html_end(c);
		return;
	}
	if (sargs_unsubscribe(c->reg, c->rq->params[0], &res, &err) != SARGS_OK) {
		c->rs->status = http_status_for(err.rc);
		html_begin(c, HTML_PUBLIC, L(c, "Saite nav derīga", "The link is not valid"));
		http_outf(c->rs, "<h1>%s</h1>\n",
			  L(c, "Saite nav derīga", "The link is not valid"));
		html_note(c, "error",
			  err.rc == SARGS_E_DENIED
				  ? L(c, "Saites derīguma termiņš ir beidzies. Nekas netika mainīts.",
				      "The link has expired. Nothing was changed.")
				  : L(c, "Saite ir bojāta vai viltota. Nekas netika mainīts.",
				      "The link is damaged or forged. Nothing was changed."));
		html_end(c);
		return;
	}
	html_begin(c, HTML_PUBLIC, L(c, "Jūs esat atteicies", "You are unsubscribed"));
	http_outf(c->rs, "<h1>%s</h1>\n<p>%s</p>\n",
		  L(c, "Jūs esat atteicies", "You are unsubscribed"),
		  res.changed ? L(c, "Mēs jums vairs nesūtīsim šīs ziņas.",
				  "We will no longer send you these messages.")
			      : L(c, "Tas jau bija izdarīts; nekas vairs nav jādara.",
				  "This had already been done; nothing more to do."));
	{
		/* the way to the rest of one's choices: a preferences link for
		 * the same person (self.h) */
		char tok[SARGS_TOKEN_MAX];

		if (self_prefs_token(c->reg, res.subject_id,
				     c->srv->cfg.link_days > 0 ? c->srv->cfg.link_days : 30,
				     tok) == SARGS_OK) {
			http_outf(c->rs, "<p>%s <a id=\"prefs-link\" href=\"/p/",
				  L(c, "Citas savas izvēles varat redzēt un mainīt šeit:",
				    "You can see and change your other choices here:"));
			http_urlenc(c->rs, tok);
			http_outf(c->rs, "\">%s</a></p>\n", L(c, "jūsu izvēles", "your choices"));
		}
	}
	html_end(c);
}

const struct http_route http_routes_self[] = {
	{"GET", "/u/{token}", unsub_page, ROUTE_REG | ROUTE_PUBLIC, NULL},
	{"POST", "/u/{token}", unsub_post, ROUTE_REG | ROUTE_PUBLIC | ROUTE_NO_CSRF, NULL},
	/* the signed link is the key: no session, so no CSRF token */
	{"GET", "/p/{token}", self_prefs_get, ROUTE_REG | ROUTE_PUBLIC, NULL},
	{"POST", "/p/{token}", self_prefs_post, ROUTE_REG | ROUTE_PUBLIC | ROUTE_NO_CSRF, NULL},
	/* public forms: a signed form token instead of a session's CSRF token */
	{"GET", "/request", self_request_get, ROUTE_REG | ROUTE_PUBLIC, NULL},
	{"POST", "/request", self_request_post,
	 ROUTE_REG | ROUTE_PUBLIC | ROUTE_NO_CSRF | ROUTE_LIMITED, NULL},
	{"GET", "/form", self_form_get, ROUTE_REG | ROUTE_PUBLIC, NULL},
	{"POST", "/form", self_form_post, ROUTE_REG | ROUTE_PUBLIC | ROUTE_NO_CSRF | ROUTE_LIMITED,
	 NULL},
	{"GET", "/privacy", self_privacy_get, ROUTE_REG | ROUTE_PUBLIC, NULL},
	{NULL, NULL, NULL, 0, NULL},
};
