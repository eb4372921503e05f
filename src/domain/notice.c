/*
 * notice.c — the privacy notice generated from the controller profile and
 * the purpose registry (see notice.h).
 */
#include "domain/notice.h"

#include "crypto/field.h"
#include "domain/controller.h"
#include "domain/registry.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#include <cmark.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_LIMIT (4u << 20)

struct lang {
	const char *code;
	const char *title, *updated, *in_short, *who, *why_short, *how_long_short,
		*rights_short, *controller_h, *reg_no, *address, *contact, *dpo_h, *no_dpo,
		*purposes_h, *basis, *our_interest, *data, *how_long, *required_h,
		*req_consent, *req_other, *optional,
		*recipients_h, *no_recipients, *when, *transfers_h, *no_transfers, *safeguard,
		*rights_h, *rights_list, *withdraw_h, *withdraw, *complaint_h, *complaint,
		*automated_h, *no_automated, *profiling, *short_title, *short_for, *short_keep,
		*short_rights, *more;
	const char *basis_names[7];
};

static const struct lang en = {
	"en", "Privacy notice of", "Last updated", "In short", "Who we are",
	"Why we keep your data", "How long",
	"See a copy of your data, correct it, have it erased or its use restricted, object to"
	" its use, take it with you, withdraw a consent at any time, and complain to the Data"
	" State Inspectorate.",
	"Who is responsible for your data", "registration number", "legal address", "Contact",
	"Data protection contact",
	"We have not appointed a data protection officer; write to us at the contact above.",
	"Why we use your data and on what basis", "Legal basis", "our legitimate interest",
	"Data", "How long we keep it", "Must you give these data?",
	"Giving these data is your free choice; without them you will not get this.",
	"We use these data without asking, for the reason above; you may object.",
	"is optional", "Who receives your data",
	"We do not pass your data to anyone else.", "when",
	"Transfers outside the European Union",
	"We do not transfer your data outside the European Union and the European Economic Area.",
	"safeguard", "Your rights",
	"- **access**: see a copy of your data and how we use it (GDPR Art. 15);\n"
	"- **rectification**: have wrong data corrected (Art. 16);\n"
	"- **erasure**: have your data erased when we no longer need it or have no basis for"
	" it (Art. 17);\n"
	"- **restriction**: have its use stopped while a question is settled (Art. 18);\n"
	"- **portability**: receive the data you gave us in a machine-readable form"
	" (Art. 20);\n"
	"- **objection**: object to use based on our legitimate interest, and to direct"
	" marketing at any time (Art. 21);\n"
	"- **a person's review** of any decision made by automated means alone (Art. 22).\n"
	"\nWe answer within one month (three for complex requests, when we tell you why"
	" within the first month), free of charge.\n",
	"Withdrawing consent",
	"Where we rely on your consent, you may withdraw it at any time, as easily as you gave"
	" it: with the unsubscribe link in every message, by e-mail, in person or in your"
	" profile. Withdrawing does not affect the lawfulness of what we did before.",
	"Complaints",
	"You may complain to the Data State Inspectorate (Datu valsts inspekcija), Elijas iela"
	" 17, Rīga, LV-1050, www.dvi.gov.lv.",
	"Automated decisions and profiling",
	"We do not make decisions about you by automated means alone, and we do not profile"
	" you.",
	"These purposes involve profiling; you may ask for a person to review any decision"
	" based on it:",
	"Before you give us your data", "We ask for these data for", "We keep them",
	"You may see, correct or erase your data, object, and withdraw consent at any time.",
	"The full privacy notice",
	{NULL, "your consent (GDPR Art. 6(1)(a))", "a contract with you (GDPR Art. 6(1)(b))",
	 "a legal obligation (GDPR Art. 6(1)(c))", "vital interests (GDPR Art. 6(1)(d))",
	 "a task in the public interest (GDPR Art. 6(1)(e))",
	 "legitimate interests (GDPR Art. 6(1)(f))"}};

static const struct lang lv = {
	"lv", "Privātuma politika:", "Pēdējoreiz atjaunota", "Īsumā", "Kas mēs esam",
	"Kāpēc glabājam jūsu datus", "Cik ilgi",
	"Jūs varat saņemt savu datu kopiju, tos labot, dzēst vai ierobežot to apstrādi, iebilst"
	" pret apstrādi, saņemt savus datus, jebkurā laikā atsaukt piekrišanu un iesniegt"
	" sūdzību Datu valsts inspekcijai.",
	"Kas atbild par jūsu datiem", "reģistrācijas numurs", "juridiskā adrese", "Kontakti",
	"Datu aizsardzības kontaktpersona",
	"Datu aizsardzības speciālists nav iecelts; rakstiet mums uz iepriekš norādīto"
	" kontaktu.",
	"Kāpēc un uz kāda pamata izmantojam jūsu datus", "Tiesiskais pamats",
	"mūsu leģitīmās intereses", "Dati", "Cik ilgi glabājam",
	"Vai jums šie dati jāsniedz?",
	"Šo datu sniegšana ir jūsu brīva izvēle; bez tiem jūs to nesaņemsiet.",
	"Šos datus izmantojam iepriekš minētā iemesla dēļ; jūs varat iebilst.",
	"nav obligāts", "Kas saņem jūsu datus", "Jūsu datus citiem nenododam.", "kad",
	"Nodošana ārpus Eiropas Savienības",
	"Jūsu datus ārpus Eiropas Savienības un Eiropas Ekonomikas zonas nenododam.",
	"aizsardzības pasākums", "Jūsu tiesības",
	"- **piekļuve**: saņemt savu datu kopiju un ziņas par to izmantošanu (VDAR 15. pants);\n"
	"- **labošana**: panākt nepareizu datu labošanu (16. pants);\n"
	"- **dzēšana**: panākt datu dzēšanu, ja tie vairs nav vajadzīgi vai tiem nav pamata"
	" (17. pants);\n"
	"- **ierobežošana**: apturēt datu izmantošanu, kamēr jautājums tiek noskaidrots"
	" (18. pants);\n"
	"- **pārnesamība**: saņemt mums sniegtos datus mašīnlasāmā formā (20. pants);\n"
	"- **iebildumi**: iebilst pret izmantošanu mūsu leģitīmajās interesēs un jebkurā laikā"
	" pret tiešo tirgvedību (21. pants);\n"
	"- **cilvēka pārskatīšana** lēmumam, kas pieņemts tikai automatizēti (22. pants).\n"
	"\nAtbildam viena mēneša laikā (sarežģītos gadījumos trīs mēnešu laikā, pirmajā mēnesī"
	" paskaidrojot iemeslu), bez maksas.\n",
	"Piekrišanas atsaukšana",
	"Ja izmantojam jūsu piekrišanu, jūs to varat jebkurā laikā atsaukt tikpat viegli, kā"
	" devāt: ar atrakstīšanās saiti katrā vēstulē, pa e-pastu, klātienē vai savā profilā."
	" Atsaukšana neietekmē iepriekšējās apstrādes likumību.",
	"Sūdzības",
	"Jūs varat iesniegt sūdzību Datu valsts inspekcijai, Elijas ielā 17, Rīgā, LV-1050,"
	" www.dvi.gov.lv.",
	"Automatizēti lēmumi un profilēšana",
	"Mēs nepieņemam lēmumus par jums tikai automatizēti un jūs neprofilējam.",
	"Šie nolūki ietver profilēšanu; jūs varat lūgt, lai jebkuru uz to balstītu lēmumu"
	" pārskata cilvēks:",
	"Pirms sniedzat mums savus datus", "Šos datus prasām nolūkam", "Tos glabājam",
	"Jūs varat savus datus apskatīt, labot vai dzēst, iebilst un jebkurā laikā atsaukt"
	" piekrišanu.",
	"Pilna privātuma politika",
	{NULL, "jūsu piekrišana (VDAR 6. panta 1. punkta a) apakšpunkts)",
	 "līgums ar jums (VDAR 6. panta 1. punkta b) apakšpunkts)",
	 "juridisks pienākums (VDAR 6. panta 1. punkta c) apakšpunkts)",
	 "vitāli svarīgas intereses (VDAR 6. panta 1. punkta d) apakšpunkts)",
	 "sabiedrības interesēs veicams uzdevums (VDAR 6. panta 1. punkta e) apakšpunkts)",
	 "leģitīmās intereses (VDAR 6. panta 1. punkta f) apakšpunkts)"}};

static const struct lang *lang_of(const char *code)
{
	if (code == NULL || strcmp(code, "lv") == 0)
		return &lv;
	if (strcmp(code, "en") == 0)
		return &en;
	return NULL;
}

struct out {
	struct sargs_strbuf sb;
	int bad;
};

static void add(struct out *o, const char *s)
{
	if (s != NULL && sargs_strbuf_adds(&o->sb, s) != SARGS_OK)
		o->bad = 1;
}

/* Adds business text with the characters Markdown would act on escaped. */
static void text(struct out *o, const char *s)
{
	for (; s != NULL && *s; s++) {
		char c[3] = {'\\', *s, '\0'};

		if (strchr("\\`*_{}[]<>#|!", *s) != NULL)
			add(o, c);
		else
			add(o, c + 1);
	}
}

static const char *field_label(const struct sargs_registry *r, const char *name)
{
	const struct sargs_field_def *f = sargs_registry_field(r, name);

	return f ? f->label : name;
}

static void purpose_section(struct out *o, const struct sargs_registry *r,
			    const struct sargs_purpose *p, const struct lang *L)
{
	char ret[200], req[1024] = "", line[1400];
	size_t off = 0;

	add(o, "\n### ");
	text(o, p->name);
	add(o, "\n\n");
	text(o, p->description);
	add(o, "\n\n- **");
	add(o, L->basis);
	add(o, "**: ");
	add(o, L->basis_names[p->basis]);
	if (p->basis_detail != NULL) {
		add(o, " — ");
		text(o, p->basis_detail);
	}
	if (p->basis == SARGS_BASIS_LEGITIMATE_INTERESTS && p->balancing_test != NULL) {
		add(o, "; ");
		add(o, L->our_interest);
		add(o, ": ");
		text(o, p->balancing_test);
	}
	add(o, "\n- **");
	add(o, L->data);
	add(o, "**: ");
	for (size_t i = 0; i < p->n_fields; i++) {
		add(o, i ? ", " : "");
		text(o, field_label(r, p->fields[i].field));
	}
	if (p->n_fields == 0) {
		for (size_t i = 0; i < p->n_categories; i++) {
			const struct sargs_category *c = sargs_registry_category(r, p->categories[i]);

			add(o, i ? ", " : "");
			text(o, c ? c->name : p->categories[i]);
		}
	}
	sargs_retention_describe(&p->retention, ret, sizeof(ret));
	add(o, "\n- **");
	add(o, L->how_long);
	add(o, "**: ");
	text(o, ret);
	if (p->retention.note != NULL) {
		add(o, " (");
		text(o, p->retention.note);
		add(o, ")");
	}
	/* 004 §13.1 j): is giving the data required, and what if not */
	for (size_t i = 0; i < p->n_fields && off < sizeof(req); i++)
		if (p->fields[i].required)
			off += (size_t)snprintf(req + off, sizeof(req) - off, "%s%s", off ? ", " : "",
						field_label(r, p->fields[i].field));
	add(o, "\n- **");
	add(o, L->required_h);
	add(o, "** ");
	if (p->basis == SARGS_BASIS_CONTRACT) {
		(void)snprintf(line, sizeof(line), strcmp(L->code, "en") == 0
							  ? "You need to give %s to conclude and perform the"
							    " contract; without them we cannot serve you."
							  : "Lai noslēgtu un izpildītu līgumu, jums jāsniedz: %s;"
							    " bez tiem mēs nevaram jūs apkalpot.",
			       req[0] ? req : "—");
		text(o, line);
	} else if (p->basis == SARGS_BASIS_LEGAL_OBLIGATION) {
		(void)snprintf(line, sizeof(line), strcmp(L->code, "en") == 0
							  ? "The law requires these data (%s); without them"
							    " we cannot do what the law asks of us."
							  : "Šos datus prasa likums (%s); bez tiem mēs nevaram"
							    " izpildīt likuma prasības.",
			       p->basis_detail ? p->basis_detail : L->basis_names[p->basis]);
		text(o, line);
	} else if (p->basis == SARGS_BASIS_CONSENT) {
		add(o, L->req_consent);
	} else {
		add(o, L->req_other);
	}
	for (size_t i = 0; i < p->n_fields; i++) {
		if (p->fields[i].required || p->fields[i].why == NULL)
			continue;
		add(o, "\n  - ");
		text(o, field_label(r, p->fields[i].field));
		add(o, " ");
		add(o, L->optional);
		add(o, ": ");
		text(o, p->fields[i].why);
	}
	add(o, "\n");
}

/* Builds the Markdown of the full notice. */
static enum sargs_rc build_md(struct sargs_reg *reg, const struct lang *L, const char *date,
			      char **out, struct sargs_err *err)
{
	const struct sargs_registry *r;
	struct sargs_controller c;
	struct out o;
	int have_c, any_transfer = 0, any_recipient = 0, any_profiling = 0;
	enum sargs_rc rc;

	*out = NULL;
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	have_c = sargs_controller_get(reg, &c, NULL) == SARGS_OK;
	if (!have_c)
		return sargs_err_set(err, SARGS_E_NOTFOUND,
				     "set the controller profile first ('sargs controller set'): the"
				     " notice must say who is responsible (004 §13.1 a)");
	sargs_strbuf_init(&o.sb, TEXT_LIMIT);
	o.bad = 0;
	add(&o, "# ");
	add(&o, L->title);
	add(&o, " ");
	text(&o, c.name);
	add(&o, "\n\n*");
	add(&o, L->updated);
	add(&o, ": ");
	add(&o, date);
	add(&o, "*\n\n## ");
	add(&o, L->in_short);
	add(&o, "\n\n- **");
	add(&o, L->who);
	add(&o, "**: ");
	text(&o, c.name);
	if (c.email != NULL) {
		add(&o, ", ");
		text(&o, c.email);
	}
	add(&o, "\n- **");
	add(&o, L->why_short);
	add(&o, "**: ");
	for (size_t i = 0; i < r->n_purposes; i++) {
		add(&o, i ? "; " : "");
		text(&o, r->purposes[i].name);
	}
	add(&o, "\n- **");
	add(&o, L->how_long_short);
	add(&o, "**: ");
	add(&o, strcmp(L->code, "en") == 0
			? "only as long as each purpose needs them (below); then they are erased."
			: "tikai tik ilgi, cik katram nolūkam vajadzīgs (skatīt zemāk); pēc tam tos"
			  " dzēšam.");
	add(&o, "\n- ");
	add(&o, L->rights_short);
	/* a) the controller */
	add(&o, "\n\n## ");
	add(&o, L->controller_h);
	add(&o, "\n\n");
	text(&o, c.name);
	if (c.registration_number != NULL) {
		add(&o, ", ");
		add(&o, L->reg_no);
		add(&o, " ");
		text(&o, c.registration_number);
	}
	if (c.address != NULL) {
		add(&o, ", ");
		add(&o, L->address);
		add(&o, " ");
		text(&o, c.address);
	}
	add(&o, ".");
	if (c.email != NULL || c.phone != NULL) {
		add(&o, " ");
		add(&o, L->contact);
		add(&o, ": ");
		text(&o, c.email);
		add(&o, c.email && c.phone ? ", " : "");
		text(&o, c.phone);
		add(&o, ".");
	}
	/* b) the DPO */
	add(&o, "\n\n## ");
	add(&o, L->dpo_h);
	add(&o, "\n\n");
	if (c.dpo_name == NULL && c.dpo_email == NULL && c.dpo_phone == NULL) {
		add(&o, L->no_dpo);
	} else {
		text(&o, c.dpo_name);
		add(&o, c.dpo_name ? " " : "");
		text(&o, c.dpo_email);
		add(&o, c.dpo_email && c.dpo_phone ? ", " : "");
		text(&o, c.dpo_phone);
	}
	/* c), f), j) the purposes */
	add(&o, "\n\n## ");
	add(&o, L->purposes_h);
	add(&o, "\n");
	for (size_t i = 0; i < r->n_purposes; i++) {
		const struct sargs_purpose *p = &r->purposes[i];

		purpose_section(&o, r, p, L);
		any_transfer |= p->n_transfers > 0;
		any_recipient |= p->n_recipients > 0;
		any_profiling |= p->profiling;
	}
	/* d) recipients */
	add(&o, "\n## ");
	add(&o, L->recipients_h);
	add(&o, "\n\n");
	if (!any_recipient)
		add(&o, L->no_recipients);
	for (size_t i = 0; i < r->n_purposes; i++) {
		const struct sargs_purpose *p = &r->purposes[i];

		for (size_t k = 0; k < p->n_recipients; k++) {
			add(&o, "- ");
			text(&o, p->recipients[k].name);
			add(&o, " (");
			text(&o, p->name);
			if (p->recipients[k].condition != NULL) {
				add(&o, "; ");
				add(&o, L->when);
				add(&o, " ");
				text(&o, p->recipients[k].condition);
			}
			add(&o, ")\n");
		}
	}
	/* e) transfers */
	add(&o, "\n## ");
	add(&o, L->transfers_h);
	add(&o, "\n\n");
	if (!any_transfer)
		add(&o, L->no_transfers);
	for (size_t i = 0; i < r->n_purposes; i++) {
		const struct sargs_purpose *p = &r->purposes[i];

		for (size_t k = 0; k < p->n_transfers; k++) {
			add(&o, "- ");
			text(&o, p->transfers[k].country);
			add(&o, ": ");
			text(&o, p->transfers[k].recipient);
			add(&o, " (");
			add(&o, L->safeguard);
			add(&o, ": ");
			text(&o, p->transfers[k].safeguard);
			add(&o, ")\n");
		}
	}
	/* g) rights, h) withdrawal, i) complaint, k) automated decisions */
	add(&o, "\n\n## ");
	add(&o, L->rights_h);
	add(&o, "\n\n");
	add(&o, L->rights_list);
	add(&o, "\n## ");
	add(&o, L->withdraw_h);
	add(&o, "\n\n");
	add(&o, L->withdraw);
	add(&o, "\n\n## ");
	add(&o, L->complaint_h);
	add(&o, "\n\n");
	add(&o, L->complaint);
	add(&o, "\n\n## ");
	add(&o, L->automated_h);
	add(&o, "\n\n");
	if (!any_profiling) {
		add(&o, L->no_automated);
	} else {
		add(&o, L->profiling);
		add(&o, "\n");
		for (size_t i = 0; i < r->n_purposes; i++) {
			if (!r->purposes[i].profiling)
				continue;
			add(&o, "\n- ");
			text(&o, r->purposes[i].name);
		}
	}
	add(&o, "\n");
	sargs_controller_release(&c);
	if (o.bad) {
		sargs_strbuf_free(&o.sb);
		return sargs_err_set(err, SARGS_E_NOMEM, "the notice is too large");
	}
	*out = sargs_strbuf_take(&o.sb);
	return *out ? SARGS_OK : sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
}

/* Renders Markdown to a whole HTML page (cmark; raw HTML is never passed). */
static enum sargs_rc to_html(const char *md, const char *lang, const char *title, char **out,
			     struct sargs_err *err)
{
	char *body;
	struct out o;

	*out = NULL;
	if (md == NULL)
		return sargs_err_set(err, SARGS_E_INVALID, "no notice text");
	body = cmark_markdown_to_html(md, strlen(md), CMARK_OPT_DEFAULT | CMARK_OPT_SMART);
	if (body == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	sargs_strbuf_init(&o.sb, TEXT_LIMIT);
	o.bad = 0;
	add(&o, "<!DOCTYPE html>\n<html lang=\"");
	add(&o, lang);
	add(&o, "\">\n<head><meta charset=\"utf-8\"><title>");
	add(&o, title);
	add(&o, "</title>\n<style>body{font-family:sans-serif;max-width:48em;margin:2em auto;"
		"line-height:1.5;padding:0 1em}</style></head>\n<body>\n");
	add(&o, body);
	add(&o, "</body>\n</html>\n");
	free(body);
	if (o.bad) {
		sargs_strbuf_free(&o.sb);
		return sargs_err_set(err, SARGS_E_NOMEM, "the notice is too large");
	}
	*out = sargs_strbuf_take(&o.sb);
	return *out ? SARGS_OK : sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
}

static void today_str(char out[SARGS_DATE_STR])
{
	sargs_time_format_date(sargs_time_now_us(), out, SARGS_DATE_STR);
}

static int64_t version_count(struct sargs_reg *reg);
static json_t *version_doc(struct sargs_reg *reg, int64_t version);
static const char *str_or_empty(json_t *v);
static enum sargs_rc current_hash(struct sargs_reg *reg, char hex[2 * SARGS_HASH_BYTES + 1],
				  struct sargs_err *err);

enum sargs_rc sargs_notice_render(struct sargs_reg *reg, const char *lang,
				  enum sargs_notice_format format, char **out,
				  struct sargs_err *err)
{
	const struct lang *L = lang_of(lang);
	char date[SARGS_DATE_STR], *md = NULL;
	enum sargs_rc rc;

	*out = NULL;
	if (L == NULL)
		return sargs_err_set(err, SARGS_E_INVALID, "the language is lv or en");
	/* 004 §13.2: the date it last changed: the published version's, when
	 * the text is the one published; else today's (not published yet) */
	today_str(date);
	{
		char hex[2 * SARGS_HASH_BYTES + 1];
		int64_t n = version_count(reg);
		json_t *last = n > 0 ? version_doc(reg, n) : NULL;

		if (last != NULL && current_hash(reg, hex, NULL) == SARGS_OK &&
		    strcmp(str_or_empty(json_object_get(last, "hash")), hex) == 0)
			sargs_time_format_date(
				(int64_t)json_integer_value(json_object_get(last, "published_us")),
				date, sizeof(date));
		json_decref(last);
	}
	if ((rc = build_md(reg, L, date, &md, err)) != SARGS_OK)
		return rc;
	if (format != SARGS_NOTICE_HTML) {
		*out = md;
		return SARGS_OK;
	}
	rc = to_html(md, L->code, strcmp(L->code, "en") == 0 ? "Privacy notice" : "Privātuma politika",
		     out, err);
	free(md);
	return rc;
}

enum sargs_rc sargs_notice_short(struct sargs_reg *reg, const char *purpose, const char *lang,
				 enum sargs_notice_format format, char **out,
				 struct sargs_err *err)
{
	const struct lang *L = lang_of(lang);
	const struct sargs_registry *r;
	const struct sargs_purpose *p;
	struct sargs_controller c;
	struct out o;
	char ret[200];
	char *md;
	enum sargs_rc rc;

	*out = NULL;
	if (L == NULL)
		return sargs_err_set(err, SARGS_E_INVALID, "the language is lv or en");
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	p = purpose ? sargs_registry_purpose(r, purpose) : NULL;
	if (p == NULL)
		return sargs_err_set(err, SARGS_E_NOTFOUND, "no purpose \"%.64s\" in the registry",
				     purpose && sargs_ident_valid(purpose) ? purpose : "?");
	if (sargs_controller_get(reg, &c, NULL) != SARGS_OK)
		return sargs_err_set(err, SARGS_E_NOTFOUND,
				     "set the controller profile first ('sargs controller set')");
	sargs_strbuf_init(&o.sb, TEXT_LIMIT);
	o.bad = 0;
	add(&o, "**");
	add(&o, L->short_title);
	add(&o, "**\n\n");
	add(&o, L->short_for);
	add(&o, " *");
	text(&o, p->name);
	add(&o, "* (");
	add(&o, L->basis_names[p->basis]);
	add(&o, "). ");
	text(&o, c.name);
	if (c.address != NULL) {
		add(&o, ", ");
		text(&o, c.address);
	}
	add(&o, ". ");
	sargs_retention_describe(&p->retention, ret, sizeof(ret));
	add(&o, L->short_keep);
	add(&o, ": ");
	text(&o, ret);
	add(&o, ". ");
	add(&o, L->short_rights);
	/* where the full notice is: on the command line, the command; in
	 * HTML the page that embeds the short notice links its own place */
	if (format != SARGS_NOTICE_HTML) {
		add(&o, " ");
		add(&o, L->more);
		add(&o, ": `sargs notice`.");
	}
	add(&o, "\n");
	sargs_controller_release(&c);
	if (o.bad) {
		sargs_strbuf_free(&o.sb);
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	}
	md = sargs_strbuf_take(&o.sb);
	if (md == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	if (format != SARGS_NOTICE_HTML) {
		*out = md;
		return SARGS_OK;
	}
	{
		char *body = cmark_markdown_to_html(md, strlen(md), CMARK_OPT_DEFAULT);

		free(md);
		*out = body;
	}
	return *out ? SARGS_OK : sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
}

/* ---- versions, kept in the register's meta table as "notice.N" */

static int64_t version_count(struct sargs_reg *reg)
{
	unsigned char *v = NULL;
	size_t n = 0;
	int64_t c = 0;

	if (sargs_store_meta_get(reg->store, "notice.count", &v, &n) == SARGS_OK && v != NULL)
		c = strtoll((const char *)v, NULL, 10);
	free(v);
	return c;
}

static json_t *version_doc(struct sargs_reg *reg, int64_t version)
{
	char key[40];
	unsigned char *v = NULL;
	size_t n = 0;
	json_error_t jerr;
	json_t *d = NULL;

	(void)snprintf(key, sizeof(key), "notice.%lld", (long long)version);
	if (sargs_store_meta_get(reg->store, key, &v, &n) == SARGS_OK && v != NULL)
		d = json_loadb((const char *)v, n, 0, &jerr);
	free(v);
	return d;
}

static const char *str_or_empty(json_t *v)
{
	const char *s = json_string_value(v);

	return s ? s : "";
}

static void version_fill(json_t *d, struct sargs_notice_version *out)
{
	memset(out, 0, sizeof(*out));
	out->version = (int64_t)json_integer_value(json_object_get(d, "version"));
	out->published_us = (int64_t)json_integer_value(json_object_get(d, "published_us"));
	(void)snprintf(out->hash, sizeof(out->hash), "%s",
		       str_or_empty(json_object_get(d, "hash")));
	(void)snprintf(out->changes, sizeof(out->changes), "%s",
		       str_or_empty(json_object_get(d, "changes")));
}

/* A fingerprint per part (controller, each purpose) to say what changed. */
static json_t *fingerprint(struct sargs_reg *reg)
{
	const struct sargs_registry *r;
	struct sargs_controller c;
	json_t *fp = json_object(), *ps = json_object();
	unsigned char h[SARGS_HASH_BYTES];
	char hex[2 * SARGS_HASH_BYTES + 1];

	if (sargs_reg_registry(reg, &r, NULL) == SARGS_OK) {
		json_error_t jerr;
		json_t *doc = json_loads(r->canonical, 0, &jerr);
		size_t i;
		json_t *p;

		json_array_foreach(json_object_get(doc, "purposes"), i, p) {
			char *s = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);

			if (s != NULL) {
				sargs_hash(s, strlen(s), h);
				sargs_hex(h, sizeof(h), hex);
				(void)json_object_set_new(ps, json_string_value(json_object_get(p, "id")),
							  json_string(hex));
				free(s);
			}
		}
		json_decref(doc);
	}
	(void)json_object_set_new(fp, "purposes", ps);
	if (sargs_controller_get(reg, &c, NULL) == SARGS_OK) {
		struct sargs_strbuf sb;
		int bad = 0;
		const char *parts[] = {c.name, c.registration_number, c.address, c.email, c.phone,
				       c.dpo_name, c.dpo_email, c.dpo_phone};

		sargs_strbuf_init(&sb, 1u << 16);
		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
			if (sargs_strbuf_addf(&sb, "%s\n", parts[i] ? parts[i] : "") != SARGS_OK)
				bad = 1;
		if (!bad && sb.data != NULL) {
			sargs_hash(sb.data, sb.len, h);
			sargs_hex(h, sizeof(h), hex);
			(void)json_object_set_new(fp, "controller", json_string(hex));
		}
		sargs_strbuf_free(&sb);
		sargs_controller_release(&c);
	}
	return fp;
}

/* "purposes added: x; changed: y; removed: z; controller or contact changed" */
static void describe_changes(json_t *old, json_t *cur, char *out, size_t n)
{
	struct sargs_strbuf add_, chg, rem;
	json_t *op = json_object_get(old, "purposes"), *cp = json_object_get(cur, "purposes");
	const char *key;
	json_t *v;
	int bad = 0;
	size_t off = 0;

	sargs_strbuf_init(&add_, 512);
	sargs_strbuf_init(&chg, 512);
	sargs_strbuf_init(&rem, 512);
	json_object_foreach(cp, key, v) {
		json_t *ov = json_object_get(op, key);

		if (ov == NULL)
			bad |= sargs_strbuf_addf(&add_, "%s%s", add_.len ? ", " : "", key) != SARGS_OK;
		else if (!json_equal(ov, v))
			bad |= sargs_strbuf_addf(&chg, "%s%s", chg.len ? ", " : "", key) != SARGS_OK;
	}
	json_object_foreach(op, key, v) {
		if (json_object_get(cp, key) == NULL)
			bad |= sargs_strbuf_addf(&rem, "%s%s", rem.len ? ", " : "", key) != SARGS_OK;
	}
	out[0] = '\0';
	if (old == NULL) {
		(void)snprintf(out, n, "first version");
	} else {
		if (add_.len)
			off += (size_t)snprintf(out + off, n - off, "purposes added: %s; ", add_.data);
		if (chg.len && off < n)
			off += (size_t)snprintf(out + off, n - off, "purposes changed: %s; ", chg.data);
		if (rem.len && off < n)
			off += (size_t)snprintf(out + off, n - off, "purposes removed: %s; ", rem.data);
		if (off < n && !json_equal(json_object_get(old, "controller"),
					   json_object_get(cur, "controller")))
			off += (size_t)snprintf(out + off, n - off, "controller or contact changed; ");
		if (off < n && off == 0)
			(void)snprintf(out, n, "wording");
		else if (off >= 2 && off < n)
			out[off - 2] = '\0';
	}
	(void)bad;
	sargs_strbuf_free(&add_);
	sargs_strbuf_free(&chg);
	sargs_strbuf_free(&rem);
}

/* The hash of the current notice in both languages, without its date. */
static enum sargs_rc current_hash(struct sargs_reg *reg, char hex[2 * SARGS_HASH_BYTES + 1],
				  struct sargs_err *err)
{
	char *md_lv = NULL, *md_en = NULL;
	unsigned char h[SARGS_HASH_BYTES];
	struct sargs_strbuf sb;
	enum sargs_rc rc;

	if ((rc = build_md(reg, &lv, "-", &md_lv, err)) != SARGS_OK ||
	    (rc = build_md(reg, &en, "-", &md_en, err)) != SARGS_OK) {
		free(md_lv);
		return rc;
	}
	sargs_strbuf_init(&sb, 2 * TEXT_LIMIT + 2);
	if (sargs_strbuf_adds(&sb, md_lv) != SARGS_OK ||
	    sargs_strbuf_add(&sb, "\0", 1) != SARGS_OK || sargs_strbuf_adds(&sb, md_en) != SARGS_OK)
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	else
		sargs_hash(sb.data, sb.len, h);
	sargs_strbuf_free(&sb);
	free(md_lv);
	free(md_en);
	if (rc == SARGS_OK)
		sargs_hex(h, sizeof(h), hex);
	return rc;
}

enum sargs_rc sargs_notice_publish(struct sargs_reg *reg, struct sargs_notice_version *out,
				   int *created, struct sargs_err *err)
{
	char *md_lv = NULL, *md_en = NULL, *doc_text = NULL;
	char hex[2 * SARGS_HASH_BYTES + 1], date[SARGS_DATE_STR], key[40], count[24];
	json_t *last = NULL, *fp = NULL, *doc = NULL;
	int64_t n, now = sargs_time_now_us();
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	*created = 0;
	if ((rc = current_hash(reg, hex, err)) != SARGS_OK)
		goto done;
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		goto done;
	n = version_count(reg);
	last = n > 0 ? version_doc(reg, n) : NULL;
	if (last != NULL && strcmp(str_or_empty(json_object_get(last, "hash")), hex) == 0) {
		version_fill(last, out);
		rc = sargs_reg_commit(reg, err);
		goto done;
	}
	free(md_lv);
	free(md_en);
	md_lv = md_en = NULL;
	sargs_time_format_date(now, date, sizeof(date));
	if ((rc = build_md(reg, &lv, date, &md_lv, err)) != SARGS_OK ||
	    (rc = build_md(reg, &en, date, &md_en, err)) != SARGS_OK) {
		sargs_reg_rollback(reg);
		goto done;
	}
	fp = fingerprint(reg);
	out->version = n + 1;
	out->published_us = now;
	(void)snprintf(out->hash, sizeof(out->hash), "%s", hex);
	describe_changes(last ? json_object_get(last, "fingerprint") : NULL, fp, out->changes,
			 sizeof(out->changes));
	doc = json_pack("{s:I, s:I, s:s, s:s, s:O, s:s, s:s}", "version", (json_int_t)out->version,
			"published_us", (json_int_t)now, "hash", hex, "changes", out->changes,
			"fingerprint", fp, "lv", md_lv, "en", md_en);
	doc_text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	(void)snprintf(key, sizeof(key), "notice.%lld", (long long)out->version);
	(void)snprintf(count, sizeof(count), "%lld", (long long)out->version);
	if (doc_text == NULL) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	} else if ((rc = sargs_store_meta_put(reg->store, key, doc_text, strlen(doc_text))) !=
			   SARGS_OK ||
		   (rc = sargs_store_meta_put(reg->store, "notice.count", count, strlen(count))) !=
			   SARGS_OK) {
		rc = sargs_err_set(err, rc, "cannot store the notice: %s",
				   sargs_store_errmsg(reg->store));
	} else {
		char detail[96];

		(void)snprintf(detail, sizeof(detail), "version %lld, hash %.16s",
			       (long long)out->version, hex);
		rc = sargs_reg_audit(reg, "notice.publish", NULL, NULL, NULL, detail, err);
	}
	if (rc == SARGS_OK) {
		rc = sargs_reg_commit(reg, err);
		*created = rc == SARGS_OK;
	} else {
		sargs_reg_rollback(reg);
	}
done:
	free(md_lv);
	free(md_en);
	free(doc_text);
	json_decref(last);
	json_decref(fp);
	json_decref(doc);
	return rc;
}

enum sargs_rc sargs_notice_versions(struct sargs_reg *reg,
				    int (*cb)(void *ctx, const struct sargs_notice_version *v),
				    void *ctx, struct sargs_err *err)
{
	int64_t n = version_count(reg);

	(void)err;
	for (int64_t i = 1; i <= n; i++) {
		json_t *d = version_doc(reg, i);
		struct sargs_notice_version v;

		if (d == NULL)
			continue;
		version_fill(d, &v);
		json_decref(d);
		if (cb(ctx, &v) != 0)
			break;
	}
	return SARGS_OK;
}

enum sargs_rc sargs_notice_get(struct sargs_reg *reg, int64_t version, const char *lang,
			       char **out, struct sargs_err *err)
{
	const struct lang *L = lang_of(lang);
	json_t *d;
	const char *s;

	*out = NULL;
	if (L == NULL)
		return sargs_err_set(err, SARGS_E_INVALID, "the language is lv or en");
	d = version_doc(reg, version);
	if (d == NULL)
		return sargs_err_set(err, SARGS_E_NOTFOUND, "no notice version %lld (see 'sargs"
							     " notice versions')",
				     (long long)version);
	s = json_string_value(json_object_get(d, L->code));
	*out = s ? strdup(s) : NULL;
	json_decref(d);
	return *out ? SARGS_OK : sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
}

enum sargs_rc sargs_notice_version_hash(struct sargs_reg *reg, int64_t version, char *hex,
					size_t hex_size, struct sargs_err *err)
{
	json_t *d = version > 0 ? version_doc(reg, version) : NULL;

	if (d == NULL)
		return sargs_err_set(err, SARGS_E_NOTFOUND,
				     "no published notice version %lld (see 'sargs notice versions')",
				     (long long)version);
	(void)snprintf(hex, hex_size, "%s", str_or_empty(json_object_get(d, "hash")));
	json_decref(d);
	return SARGS_OK;
}
