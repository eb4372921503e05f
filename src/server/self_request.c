/*
 * self_request.c — /request: a person asks for a copy of their data
 * (GDPR Art. 15) or for its erasure (Art. 17) without an account. The
 * request is recorded with its legal deadline and waits for the person to
 * be identified (state "verifying"): nothing is released or erased before
 * that (Art. 12(6); 004 §15.4, §16.9). What the person typed (name,
 * address) is sealed in the request (request.h).
 */
#include "server/self.h"

#include "domain/request.h"
#include "domain/subject.h"
#include "server/html.h"
#include "util/timeutil.h"
#include "util/validate.h"

#include <stdio.h>
#include <string.h>

#define REQUEST_FORM 'r'
#define NAME_MAX_BYTES 200

static void radio(struct http_ctx *c, const char *kind, const char *chosen, const char *label,
		  const char *hint)
{
	http_outf(c->rs, "<label class=\"check\"><input type=\"radio\" name=\"kind\" value=\"%s\"%s> "
			 "<span>",
		  kind, chosen && strcmp(chosen, kind) == 0 ? " checked" : "");
	http_esc(c->rs, label);
	http_out(c->rs, "<br><span class=\"why\">");
	http_esc(c->rs, hint);
	http_out(c->rs, "</span></span></label>\n");
}

static void page(struct http_ctx *c, const char *note_kind, const char *note)
{
	struct sargs_notice_version nv;
	struct sargs_err err;
	const char *kind = http_form(c->rq, "kind");
	const char *name = http_form(c->rq, "name");
	const char *email = http_form(c->rq, "email");

	if (!kind)
		kind = http_query(c->rq, "kind");
	if (self_notice_current(c, &nv, &err) != SARGS_OK)
		memset(&nv, 0, sizeof(nv));
	self_begin(c, L(c, "Jūsu datu pieprasījums", "Ask about your data"));
	http_outf(c->rs, "<h1>%s</h1>\n", L(c, "Jūsu datu pieprasījums", "Ask about your data"));
	if (note)
		html_note(c, note_kind, note);
	http_outf(c->rs, "<p>%s</p>\n",
		  L(c, "Jūs varat bez maksas prasīt savu datu kopiju vai to dzēšanu. Mēs atbildam "
		       "bez liekas kavēšanās, ne vēlāk kā mēneša laikā. Pirms atbildam, mēs "
		       "pārliecināmies, ka tiešām esat jūs: mēs jums rakstīsim uz norādīto adresi.",
		    "You may ask, free of charge, for a copy of your data or for its erasure. We "
		    "answer without undue delay, within a month at most. Before we answer we make "
		    "sure it is really you: we will write to the address you give."));
	self_notice_line(c, &nv);
	http_out(c->rs, "<form method=\"post\" action=\"/request\" class=\"stack narrow\">\n");
	self_form_token_field(c, REQUEST_FORM, nv.version);
	http_outf(c->rs, "<fieldset><legend>%s</legend>\n", L(c, "Ko jūs vēlaties?", "What do you want?"));
	radio(c, "access", kind, L(c, "Savu datu kopiju", "A copy of my data"),
	      L(c, "Kādi dati, kāpēc, kam tie nodoti, cik ilgi tos glabājam (VDAR 15. pants).",
		"Which data, why, to whom it went, how long we keep it (GDPR Art. 15)."));
	radio(c, "erasure", kind, L(c, "Dzēst manus datus", "Erase my data"),
	      L(c, "Ko likums liek glabāt (piemēram, grāmatvedību), to paskaidrosim (VDAR 17. pants).",
		"What the law makes us keep (e.g. accounting) we will explain (GDPR Art. 17)."));
	http_out(c->rs, "</fieldset>\n");
	http_outf(c->rs, "<label>%s <input type=\"text\" name=\"name\" maxlength=\"%d\" "
			 "autocomplete=\"name\" value=\"",
		  L(c, "Vārds, uzvārds", "Your name"), NAME_MAX_BYTES);
	http_esc(c->rs, name ? name : "");
	http_outf(c->rs, "\"></label>\n<label>%s <input type=\"email\" name=\"email\" "
			 "autocomplete=\"email\" value=\"",
		  L(c, "E-pasts, uz kuru atbildēt", "E-mail to answer to"));
	http_esc(c->rs, email ? email : "");
	http_outf(c->rs, "\"></label>\n<button type=\"submit\">%s</button>\n</form>\n",
		  L(c, "Nosūtīt pieprasījumu", "Send the request"));
	html_end(c);
}

void self_request_get(struct http_ctx *c)
{
	page(c, NULL, NULL);
}

static void refuse(struct http_ctx *c, const char *lv, const char *en)
{
	c->rs->status = 400;
	page(c, "error", L(c, lv, en));
}

void self_request_post(struct http_ctx *c)
{
	const char *kind = http_form(c->rq, "kind");
	const char *name = http_form(c->rq, "name");
	const char *email = http_form(c->rq, "email");
	char norm[SARGS_EMAIL_MAX], seems[SARGS_UUID_STR], due[SARGS_DATE_STR];
	char msg[512];
	struct sargs_request req;
	struct sargs_err err;
	int64_t version = 0, no = 0;
	int found = 0;
	enum sargs_rc rc;

	if (self_form_token_check(c, REQUEST_FORM, &version, &err) != SARGS_OK) {
		refuse(c, "Veidlapa ir novecojusi vai bojāta. Nekas netika nosūtīts; mēģiniet vēlreiz.",
		       "The form is too old or damaged. Nothing was sent; please try again.");
		return;
	}
	if (!kind || (strcmp(kind, "access") != 0 && strcmp(kind, "erasure") != 0)) {
		refuse(c, "Izvēlieties, ko vēlaties: datu kopiju vai dzēšanu. Nekas netika nosūtīts.",
		       "Choose what you want: a copy or erasure. Nothing was sent.");
		return;
	}
	if (!name || !name[0] || strlen(name) > NAME_MAX_BYTES) {
		refuse(c, "Norādiet savu vārdu un uzvārdu. Nekas netika nosūtīts.",
		       "Give your name. Nothing was sent.");
		return;
	}
	if (!email || sargs_validate_email(email, norm, sizeof(norm), &err) != SARGS_OK) {
		refuse(c, "Norādiet derīgu e-pasta adresi, uz kuru atbildēt. Nekas netika nosūtīts.",
		       "Give a valid e-mail address to answer to. Nothing was sent.");
		return;
	}
	/* who it seems to be (the blind index only: nothing decrypted, nothing
	 * told to the person); staff confirm it when verifying */
	if (sargs_subject_exists_by(c->reg, "email", norm, seems, &found, &err) != SARGS_OK)
		found = 0;
	rc = self_request_open(c, kind, "web_form", found ? seems : NULL, name, norm, &no, &err);
	if (rc != SARGS_OK) {
		c->rs->status = http_status_for(err.rc);
		if (c->rs->status < 500) {
			page(c, "error", err.msg);
			return;
		}
		self_begin(c, L(c, "Kļūda", "Error"));
		html_note(c, "error", L(c, "Neizdevās saglabāt; nekas netika nosūtīts.",
					"It could not be saved; nothing was sent."));
		html_end(c);
		return;
	}
	due[0] = '\0';
	if (sargs_request_get(c->reg, no, &req, &err) == SARGS_OK)
		sargs_request_day_str(req.due_day, due, sizeof(due));
	self_begin(c, L(c, "Pieprasījums saņemts", "Request received"));
	http_outf(c->rs, "<h1>%s</h1>\n", L(c, "Pieprasījums saņemts", "Request received"));
	(void)snprintf(msg, sizeof(msg),
		       L(c, "Jūsu pieprasījums Nr. %lld ir saņemts. Mēs atbildēsim līdz %s.",
			 "Your request no. %lld is received. We will answer by %s."),
		       (long long)no, due);
	html_note(c, "ok", msg);
	http_outf(c->rs, "<p>%s</p>\n",
		  L(c, "Vispirms mēs jums rakstīsim, lai pārliecinātos, ka tas tiešām esat jūs. Līdz "
		       "tam nekas netiek izsniegts vai dzēsts.",
		    "First we will write to you to make sure it is really you. Until then nothing "
		    "is released or erased."));
	html_end(c);
}
