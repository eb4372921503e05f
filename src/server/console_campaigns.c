/*
 * console_campaigns.c — who a marketing campaign may reach (the policy
 * engine's audience: how many, and why the others are left out), and the
 * legacy lists' zones (003: red, grey, green) with what each means.
 * Counts only: nothing personal is read here.
 */
#include "server/console.h"

#include "domain/campaign.h"
#include "domain/legacy.h"
#include "domain/policy.h"

#include <string.h>

static int is_marketing(const struct sargs_purpose *p)
{
	return p->marketing.enabled;
}

void console_campaigns(struct http_ctx *c)
{
	const struct sargs_registry *r = console_registry(c);
	const struct sargs_purpose *p = NULL;
	const char *asked, *ch_s;
	struct sargs_audience_req req;
	struct sargs_audience a;
	struct sargs_err err;
	unsigned ch, bit;
	size_t i;
	int k;

	if (!r)
		return;
	asked = http_query(c->rq, "purpose");
	for (i = 0; i < r->n_purposes; i++) {
		const struct sargs_purpose *q = &r->purposes[i];

		if (!is_marketing(q) || !http_may(c, SARGS_ACT_CAMPAIGN_READ, q->id))
			continue;
		if (!p || (asked && strcmp(asked, q->id) == 0))
			p = q;
	}
	html_begin(c, HTML_STAFF, L(c, "Kampaņas", "Campaigns"));
	http_outf(c->rs, "<h1>%s</h1>\n", L(c, "Kam drīkst sūtīt piedāvājumus", "Who may get offers"));
	if (!p) {
		html_note(c, "warn", L(c, "Nav neviena tiešā mārketinga nolūka, ko jūsu loma drīkst izmantot.",
				       "There is no direct-marketing purpose your role may use."));
		html_end(c);
		return;
	}
	ch_s = http_query(c->rq, "channel");
	ch = ch_s ? sargs_channel_parse(ch_s) : 0;
	if (!(ch & p->marketing.channels)) {
		for (bit = 1; bit <= 8; bit <<= 1)
			if (p->marketing.channels & bit)
				break;
		ch = bit;
	}
	http_outf(c->rs, "<form method=\"get\" action=\"/console/campaigns\" class=\"card inline-form\">"
			 "<label>%s <select name=\"purpose\">", L(c, "Nolūks", "Purpose"));
	for (i = 0; i < r->n_purposes; i++) {
		const struct sargs_purpose *q = &r->purposes[i];

		if (!is_marketing(q) || !http_may(c, SARGS_ACT_CAMPAIGN_READ, q->id))
			continue;
		http_out(c->rs, "<option value=\"");
		http_esc(c->rs, q->id);
		http_out(c->rs, q == p ? "\" selected>" : "\">");
		http_esc(c->rs, q->name);
		http_out(c->rs, "</option>");
	}
	http_outf(c->rs, "</select></label> <label>%s <select name=\"channel\">", L(c, "Kanāls", "Channel"));
	for (bit = 1; bit <= 8; bit <<= 1) {
		if (!(p->marketing.channels & bit))
			continue;
		http_outf(c->rs, "<option value=\"%s\"%s>%s</option>", sargs_channel_id(bit),
			  bit == ch ? " selected" : "", sargs_channel_id(bit));
	}
	http_outf(c->rs, "</select></label> <button type=\"submit\">%s</button></form>\n",
		  L(c, "Rādīt", "Show"));
	memset(&req, 0, sizeof(req));
	req.purpose = p->id;
	req.channel = ch;
	memset(&a, 0, sizeof(a));
	if (sargs_campaign_audience(c->reg, &req, 0, &a, &err) != SARGS_OK) {
		html_note(c, "error", err.msg);
		html_end(c);
		return;
	}
	http_outf(c->rs, "<p class=\"big\"><strong>%lld</strong> %s %lld %s</p>\n", (long long)a.allowed,
		  L(c, "no", "of"), (long long)a.total,
		  L(c, "klientiem drīkst sūtīt šo piedāvājumu.", "customers may get this offer."));
	http_outf(c->rs, "<table><thead><tr><th>%s</th><th>%s</th></tr></thead><tbody>\n",
		  L(c, "Kāpēc drīkst", "Why they may"), L(c, "Skaits", "Count"));
	for (k = 1; k < SARGS_R__COUNT; k++) {
		if (a.allowed_by[k] == 0)
			continue;
		http_out(c->rs, "<tr><td>");
		http_esc(c->rs, sargs_reason_text((enum sargs_reason)k));
		http_outf(c->rs, "</td><td>%lld</td></tr>\n", (long long)a.allowed_by[k]);
	}
	http_outf(c->rs, "</tbody></table>\n<table><thead><tr><th>%s</th><th>%s</th></tr></thead><tbody>\n",
		  L(c, "Kāpēc izslēgti", "Why the others are left out"), L(c, "Skaits", "Count"));
	for (k = 1; k < SARGS_R__COUNT; k++) {
		if (a.excluded[k] == 0)
			continue;
		http_out(c->rs, "<tr><td>");
		http_esc(c->rs, sargs_reason_text((enum sargs_reason)k));
		http_outf(c->rs, "</td><td>%lld</td></tr>\n", (long long)a.excluded[k]);
	}
	http_out(c->rs, "</tbody></table>\n");
	http_outf(c->rs, "<p class=\"muted\">%s</p>\n",
		  L(c, "Adresātu sarakstu ar atteikšanās saitēm izveido komandrindā: sargs campaign export.",
		    "The mailing list with unsubscribe links is made on the command line: sargs campaign export."));
	sargs_audience_free(&a);
	html_end(c);
}

void console_zones(struct http_ctx *c)
{
	static const struct {
		int zone;
		const char *cls, *lv, *en, *why_lv, *why_en;
	} z[] = {
		{SARGS_ZONE_RED, "zone-red", "Sarkanā", "Red",
		 "Nav piekrišanas vai tā iegūta ar iepriekš atzīmētu rūtiņu: piedāvājumus sūtīt nedrīkst.",
		 "No consent, or only through a pre-ticked box: no offers may be sent."},
		{SARGS_ZONE_GREY, "zone-grey", "Pelēkā", "Grey",
		 "Veca, bet pareizi iegūta piekrišana; katrā vēstulē jāpiedāvā atteikties. Lūdziet apstiprināt.",
		 "Old but proper consent; every message must offer to opt out. Ask to re-confirm."},
		{SARGS_ZONE_GREEN, "zone-green", "Zaļā", "Green",
		 "Piekrišana atkārtoti apstiprināta.", "Consent re-confirmed."},
	};
	int64_t counts[4] = {0, 0, 0, 0};
	struct sargs_err err;
	size_t i;

	html_begin(c, HTML_STAFF, L(c, "Vecie saraksti", "Legacy lists"));
	http_outf(c->rs, "<h1>%s</h1>\n<p class=\"why\">%s</p>\n",
		  L(c, "Vecie klientu saraksti", "Legacy customer lists"),
		  L(c, "Ievestie ieraksti ir sadalīti zonās pēc tā, kā tika iegūta piekrišana.",
		    "Imported records are sorted into zones by how their consent was obtained."));
	if (sargs_zones_count(c->reg, counts, &err) != SARGS_OK) {
		html_note(c, "error", err.msg);
		html_end(c);
		return;
	}
	http_outf(c->rs, "<table class=\"zones\"><thead><tr><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
		  L(c, "Zona", "Zone"), L(c, "Ieraksti", "Records"), L(c, "Ko tas nozīmē", "What it means"));
	for (i = 0; i < sizeof(z) / sizeof(z[0]); i++) {
		http_outf(c->rs, "<tr class=\"%s\"><td>", z[i].cls);
		http_esc(c->rs, L(c, z[i].lv, z[i].en));
		http_outf(c->rs, "</td><td>%lld</td><td>", (long long)counts[z[i].zone]);
		http_esc(c->rs, L(c, z[i].why_lv, z[i].why_en));
		http_out(c->rs, "</td></tr>\n");
	}
	http_out(c->rs, "</tbody></table>\n");
	http_outf(c->rs, "<p class=\"muted\">%s</p>\n",
		  L(c, "Ievešana un atkārtotas atļaujas kampaņa: sargs import, sargs zones ask.",
		    "Import and the re-permission campaign: sargs import, sargs zones ask."));
	html_end(c);
}
