/*
 * self_prefs.c — the preferences page /p/{token}: a customer sees the
 * consents and objections the register holds and changes them, with no
 * account; the signed, expiring link is the key (self.h).
 *
 * Withdrawing is one button, exactly like giving (GDPR Art. 7(3); 004
 * §5.1a); an objection to direct marketing is one button and absolute
 * (Art. 21(3)). Consent given here records the channel "self_service",
 * the form "sargs-preferences" and the privacy notice version the page
 * showed (carried by the signed form token). A copy of the data or its
 * erasure can be asked from here: the request waits for identification.
 */
#include "server/self.h"

#include "domain/consent.h"
#include "domain/notice.h"
#include "domain/policy.h"
#include "domain/registry.h"
#include "domain/relation.h"
#include "domain/subject.h"
#include "server/html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFS_FORM 'p'
#define PREFS_FORM_ID "sargs-preferences"

/* A form of one button posting action (and purpose) to this page. */
static void button(struct http_ctx *c, const char *action, const char *purpose, const char *kind,
		   const char *label, int secondary, int64_t notice_version)
{
	http_out(c->rs, "<form method=\"post\" class=\"inline\" action=\"/p/");
	http_urlenc(c->rs, c->rq->params[0]);
	http_out(c->rs, "\"><input type=\"hidden\" name=\"action\" value=\"");
	http_esc(c->rs, action);
	http_out(c->rs, "\">");
	if (purpose) {
		http_out(c->rs, "<input type=\"hidden\" name=\"purpose\" value=\"");
		http_esc(c->rs, purpose);
		http_out(c->rs, "\">");
	}
	if (kind) {
		http_out(c->rs, "<input type=\"hidden\" name=\"kind\" value=\"");
		http_esc(c->rs, kind);
		http_out(c->rs, "\">");
	}
	if (strcmp(action, "give") == 0)
		self_form_token_field(c, PREFS_FORM, notice_version);
	http_outf(c->rs, "<button type=\"submit\"%s data-action=\"%s\"", secondary ? " class=\"secondary\"" : "",
		  action);
	if (purpose) {
		http_out(c->rs, " data-purpose=\"");
		http_esc(c->rs, purpose);
		http_out(c->rs, "\"");
	}
	http_out(c->rs, ">");
	http_esc(c->rs, label);
	http_out(c->rs, "</button></form>\n");
}

static void short_notice(struct http_ctx *c, const char *purpose)
{
	struct sargs_err err;
	char *text = NULL;

	if (sargs_notice_short(c->reg, purpose, c->rq->lang[0] == 'e' ? "en" : "lv",
			       SARGS_NOTICE_HTML, &text, &err) != SARGS_OK)
		return;
	http_outf(c->rs, "<details class=\"short-notice\"><summary>%s</summary>\n",
		  L(c, "Kas, kāpēc, cik ilgi, jūsu tiesības", "Who, why, how long, your rights"));
	http_out(c->rs, text); /* cmark output: the business's text escaped, no raw HTML */
	http_out(c->rs, "</details>\n");
	free(text);
}

static void purpose_head(struct http_ctx *c, const struct sargs_purpose *p)
{
	http_out(c->rs, "<section class=\"card purpose\" id=\"purpose-");
	http_esc(c->rs, p->id);
	http_out(c->rs, "\"><h2>");
	http_esc(c->rs, p->name);
	http_out(c->rs, "</h2>\n");
	if (p->description) {
		http_out(c->rs, "<p class=\"muted\">");
		http_esc(c->rs, p->description);
		http_out(c->rs, "</p>\n");
	}
}

static void state_line(struct http_ctx *c, const char *state, const char *text)
{
	http_outf(c->rs, "<p class=\"state\" data-state=\"%s\">", state);
	http_esc(c->rs, text);
	http_out(c->rs, "</p>\n");
}

/* The page for subject id, after an action's note (kind and text) if any. */
static void render(struct http_ctx *c, const char *id, const char *note_kind, const char *note)
{
	const struct sargs_registry *r = NULL;
	struct sargs_notice_version nv;
	struct sargs_err err;
	struct sargs_policy_facts f;
	size_t i;
	int dm_objected = 0, any_marketing = 0, others = 0;

	memset(&nv, 0, sizeof(nv));
	if (sargs_reg_registry(c->reg, &r, &err) != SARGS_OK ||
	    sargs_subject_must_exist(c->reg, id, &err) != SARGS_OK) {
		if (c->rs->status < 400)
			c->rs->status = 404;
		self_begin(c, L(c, "Jūsu izvēles", "Your choices"));
		http_outf(c->rs, "<h1>%s</h1>\n", L(c, "Jūsu izvēles", "Your choices"));
		html_note(c, "warn", L(c, "Par jums mums nav datu (tie ir dzēsti vai nekad nav bijuši).",
				       "We hold no data about you (it was erased, or never held)."));
		html_end(c);
		return;
	}
	if (self_notice_current(c, &nv, &err) != SARGS_OK)
		memset(&nv, 0, sizeof(nv));

	self_begin(c, L(c, "Jūsu izvēles", "Your choices"));
	http_outf(c->rs, "<h1>%s</h1>\n", L(c, "Jūsu izvēles", "Your choices"));
	if (note)
		html_note(c, note_kind, note);
	http_outf(c->rs, "<p>%s</p>\n",
		  L(c, "Šeit redzat, kam esat piekritis, un varat to mainīt. Atsaukt piekrišanu ir "
		       "tikpat vienkārši kā to dot, un tas neietekmē jūsu pirkumus un līgumus.",
		    "Here you see what you agreed to and can change it. Withdrawing consent is as "
		    "easy as giving it, and it does not affect your purchases or contracts."));
	self_notice_line(c, &nv);

	for (i = 0; i < r->n_purposes; i++) {
		const struct sargs_purpose *p = &r->purposes[i];

		if (p->basis != SARGS_BASIS_CONSENT && !p->marketing.enabled)
			continue;
		if (sargs_policy_facts_load(c->reg, id, p, &f, &err) != SARGS_OK)
			continue;
		if (f.dm_objected)
			dm_objected = 1;
		if (p->basis == SARGS_BASIS_CONSENT) {
			purpose_head(c, p);
			if (f.consent == SARGS_CONSENT_GIVEN) {
				state_line(c, "given", L(c, "Jūs esat piekritis.", "You have agreed."));
				button(c, "withdraw", p->id, NULL,
				       L(c, "Atsaukt piekrišanu", "Withdraw consent"), 0, nv.version);
			} else {
				state_line(c, f.consent == SARGS_CONSENT_WITHDRAWN ? "withdrawn" : "none",
					   f.consent == SARGS_CONSENT_WITHDRAWN
						   ? L(c, "Jūs esat atsaucis piekrišanu.",
						       "You have withdrawn your consent.")
						   : L(c, "Jūs neesat piekritis.", "You have not agreed."));
				short_notice(c, p->id);
				button(c, "give", p->id, NULL, L(c, "Piekrist", "Give consent"), 0,
				       nv.version);
			}
			if (p->marketing.enabled && f.dm_objected && f.consent == SARGS_CONSENT_GIVEN)
				http_outf(c->rs, "<p class=\"why\">%s</p>\n",
					  L(c, "Jūs esat iebildis pret tiešo mārketingu, tāpēc šīs ziņas "
					       "nesūtām.",
					    "You objected to direct marketing, so we do not send these."));
			http_out(c->rs, "</section>\n");
			any_marketing |= p->marketing.enabled;
		} else if (f.linked) {
			/* legitimate-interest marketing (soft opt-in): the right to
			 * object, GDPR Art. 21(2)-(3) */
			any_marketing = 1;
			purpose_head(c, p);
			if (f.objected || f.dm_objected) {
				state_line(c, "objected",
					   L(c, "Jūs esat iebildis: šīs ziņas vairs nesūtām.",
					     "You objected: we no longer send these."));
			} else {
				state_line(c, "allowed",
					   L(c, "Kā mūsu klientam mēs jums varam sūtīt šīs ziņas "
						"(leģitīmās intereses). Jūs varat iebilst jebkurā "
						"brīdī.",
					     "As our customer you may get these messages (legitimate "
					     "interests). You may object at any time."));
				button(c, "object", p->id, NULL,
				       L(c, "Iebilst, nesūtīt vairs", "Object: stop sending these"), 0,
				       nv.version);
			}
			http_out(c->rs, "</section>\n");
		}
	}
	if (any_marketing) {
		http_outf(c->rs, "<section class=\"card\" id=\"direct-marketing\"><h2>%s</h2>\n",
			  L(c, "Tiešais mārketings", "Direct marketing"));
		if (dm_objected) {
			state_line(c, "objected",
				   L(c, "Jūs esat iebildis pret jebkuru tiešo mārketingu: mēs jums "
					"nesūtām nekādus piedāvājumus.",
				     "You objected to all direct marketing: we send you no offers at "
				     "all."));
		} else {
			http_outf(c->rs, "<p>%s</p>\n",
				  L(c, "Viena poga aptur visus piedāvājumus uzreiz un uz visiem laikiem.",
				    "One button stops every offer, at once and for good."));
			button(c, "object_all", NULL, NULL,
			       L(c, "Iebilst pret jebkuru tiešo mārketingu",
				 "Object to all direct marketing"),
			       1, nv.version);
		}
		http_out(c->rs, "</section>\n");
	}

	/* the purposes that need no consent: shown, not changeable here */
	for (i = 0; i < r->n_purposes; i++) {
		const struct sargs_purpose *p = &r->purposes[i];

		if (p->basis == SARGS_BASIS_CONSENT || p->marketing.enabled)
			continue;
		if (sargs_policy_facts_load(c->reg, id, p, &f, &err) != SARGS_OK || !f.linked)
			continue;
		if (!others++)
			http_outf(c->rs, "<section class=\"card\"><h2>%s</h2>\n<p>%s</p>\n<ul>\n",
				  L(c, "Ko vēl mēs glabājam un kāpēc", "What else we keep, and why"),
				  L(c, "Šiem nolūkiem jūsu piekrišana nav vajadzīga (līgums, likums "
				       "vai leģitīmās intereses); sīkāk privātuma paziņojumā.",
				    "These purposes do not need your consent (a contract, the law or "
				    "legitimate interests); see the privacy notice."));
		http_out(c->rs, "<li>");
		http_esc(c->rs, p->name);
		http_out(c->rs, " <span class=\"muted\">(");
		http_esc(c->rs, sargs_basis_article(p->basis));
		http_out(c->rs, ")</span></li>\n");
	}
	if (others)
		http_out(c->rs, "</ul></section>\n");

	http_outf(c->rs, "<section class=\"card\" id=\"rights\"><h2>%s</h2>\n<p>%s</p>\n",
		  L(c, "Jūsu dati", "Your data"),
		  L(c, "Jūs varat prasīt savu datu kopiju vai to dzēšanu. Pirms atbildam, mēs "
		       "pārliecināsimies, ka tiešām esat jūs; atbilde mēneša laikā.",
		    "You may ask for a copy of your data or for its erasure. Before we answer we "
		    "make sure it is really you; we answer within a month."));
	button(c, "request", NULL, "access", L(c, "Prasīt datu kopiju", "Ask for a copy of my data"),
	       1, nv.version);
	button(c, "request", NULL, "erasure", L(c, "Prasīt dzēst manus datus", "Ask to erase my data"),
	       1, nv.version);
	http_out(c->rs, "</section>\n");
	html_end(c);
}

void self_prefs_get(struct http_ctx *c)
{
	char id[SARGS_UUID_STR];

	if (self_prefs_open(c, c->rq->params[0], id) != SARGS_OK)
		return;
	render(c, id, NULL, NULL);
}

void self_prefs_post(struct http_ctx *c)
{
	char id[SARGS_UUID_STR], msg[SARGS_ERR_BYTES + 160];
	const char *action = http_form(c->rq, "action");
	const char *purpose = http_form(c->rq, "purpose");
	const struct sargs_registry *r = NULL;
	const struct sargs_purpose *p = NULL;
	struct sargs_consent_proof proof;
	struct sargs_err err;
	enum sargs_rc rc;
	char *receipt = NULL;
	const char *ok = NULL;

	if (self_prefs_open(c, c->rq->params[0], id) != SARGS_OK)
		return;
	memset(&proof, 0, sizeof(proof));
	proof.channel = "self_service";
	proof.form = PREFS_FORM_ID;
	if (!action)
		action = "";
	if (sargs_reg_registry(c->reg, &r, &err) == SARGS_OK && purpose)
		p = sargs_registry_purpose(r, purpose);

	if (strcmp(action, "request") == 0) {
		const char *kind = http_form(c->rq, "kind");
		int64_t no = 0;

		if (!kind || (strcmp(kind, "access") != 0 && strcmp(kind, "erasure") != 0)) {
			c->rs->status = 400;
			render(c, id, "error", L(c, "Nezināms pieprasījuma veids; nekas netika mainīts.",
						 "Unknown kind of request; nothing was changed."));
			return;
		}
		rc = self_request_open(c, kind, "self_service", id, NULL, NULL, &no, &err);
		if (rc != SARGS_OK)
			goto failed;
		(void)snprintf(msg, sizeof(msg),
			       L(c, "Jūsu pieprasījums Nr. %lld ir saņemts. Pirms atbildam, mēs "
				    "sazināsimies ar jums, lai pārliecinātos, ka tas esat jūs.",
				 "Your request no. %lld is received. Before we answer, we will contact "
				 "you to make sure it is you."),
			       (long long)no);
		render(c, id, "ok", msg);
		return;
	}
	if (strcmp(action, "object_all") == 0) {
		rc = sargs_consent_object(c->reg, id, NULL, &proof, &receipt, &err);
		ok = L(c, "Jūsu iebildums ir reģistrēts: mēs jums vairs nesūtīsim piedāvājumus.",
		       "Your objection is recorded: we will send you no more offers.");
	} else if (!p || (p->basis != SARGS_BASIS_CONSENT && !p->marketing.enabled)) {
		c->rs->status = 400;
		render(c, id, "error",
		       L(c, "Nezināma darbība vai nolūks; nekas netika mainīts.",
			 "Unknown action or purpose; nothing was changed."));
		return;
	} else if (strcmp(action, "withdraw") == 0) {
		rc = sargs_consent_withdraw(c->reg, id, p->id, &proof, &receipt, &err);
		ok = L(c, "Piekrišana atsaukta. Tas stājas spēkā uzreiz.",
		       "Consent withdrawn. This takes effect at once.");
	} else if (strcmp(action, "object") == 0) {
		rc = sargs_consent_object(c->reg, id, p->id, &proof, &receipt, &err);
		ok = L(c, "Jūsu iebildums ir reģistrēts. Tas stājas spēkā uzreiz.",
		       "Your objection is recorded. It takes effect at once.");
	} else if (strcmp(action, "give") == 0 && p->basis == SARGS_BASIS_CONSENT) {
		rc = self_form_token_check(c, PREFS_FORM, &proof.notice_version, &err);
		if (rc != SARGS_OK) {
			c->rs->status = 400;
			render(c, id, "error",
			       L(c, "Lapa ir novecojusi. Nekas netika mainīts; mēģiniet vēlreiz.",
				 "The page was too old. Nothing was changed; please try again."));
			return;
		}
		rc = sargs_consent_give(c->reg, id, p->id, &proof, &receipt, &err);
		ok = L(c, "Paldies, jūsu piekrišana ir reģistrēta. To var atsaukt jebkurā brīdī.",
		       "Thank you, your consent is recorded. You may withdraw it at any time.");
	} else {
		c->rs->status = 400;
		render(c, id, "error",
		       L(c, "Nezināma darbība; nekas netika mainīts.",
			 "Unknown action; nothing was changed."));
		return;
	}
	free(receipt);
	if (rc != SARGS_OK)
		goto failed;
	render(c, id, "ok", ok);
	return;
failed:
	c->rs->status = http_status_for(err.rc);
	if (c->rs->status >= 500) {
		/* the group's transaction is rolled back; say nothing changed */
		self_begin(c, L(c, "Kļūda", "Error"));
		html_note(c, "error", L(c, "Neizdevās saglabāt; nekas netika mainīts.",
					"It could not be saved; nothing was changed."));
		html_end(c);
		return;
	}
	(void)snprintf(msg, sizeof(msg), "%s %s",
		       L(c, "Nekas netika mainīts:", "Nothing was changed:"), err.msg);
	render(c, id, "error", msg);
}
