/*
 * synth.c — synthetic Latvian people (see synth.h).
 */
#include "util/synth.h"
#include "util/timeutil.h"
#include "util/validate.h"

#include <stdio.h>
#include <string.h>

static const char *const male_first[] = {
	"Jānis", "Andris", "Mārtiņš", "Edgars", "Kārlis", "Roberts", "Artūrs", "Pēteris",
	"Juris", "Aivars", "Māris", "Gints", "Raimonds", "Dāvis", "Ēriks", "Oskars"};
static const char *const female_first[] = {
	"Anna", "Līga", "Ilze", "Kristīne", "Inese", "Laura", "Dace", "Sandra",
	"Elīna", "Zane", "Santa", "Agnese", "Evija", "Marta", "Alise", "Madara"};
static const char *const male_last[] = {
	"Bērziņš", "Kalniņš", "Ozoliņš", "Jansons", "Ozols", "Liepiņš", "Krūmiņš", "Balodis",
	"Eglītis", "Zariņš", "Pētersons", "Vītols", "Kļaviņš", "Cīrulis", "Lācis", "Siliņš"};
static const char *const female_last[] = {
	"Bērziņa", "Kalniņa", "Ozoliņa", "Jansone", "Ozola", "Liepiņa", "Krūmiņa", "Balode",
	"Eglīte", "Zariņa", "Pētersone", "Vītola", "Kļaviņa", "Cīrule", "Lāce", "Siliņa"};
static const char *const streets[] = {
	"Brīvības iela", "Elizabetes iela", "Lāčplēša iela", "Krasta iela", "Rīgas iela",
	"Skolas iela", "Dzirnavu iela", "Valdemāra iela"};
static const char *const towns[] = {
	"Rīga", "Jelgava", "Liepāja", "Valmiera", "Cēsis", "Ventspils", "Daugavpils", "Sigulda"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* splitmix64: small, fast, good enough for test data (not for secrets) */
static uint64_t next(struct sargs_synth *g)
{
	uint64_t z = (g->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void sargs_synth_init(struct sargs_synth *g, uint64_t seed)
{
	g->state = seed;
}

/* Transliterates Latvian letters for the e-mail's local part. */
static void ascii_lower(const char *in, char *out, size_t out_size)
{
	static const struct { const char *from; char to; } map[] = {
		{"ā", 'a'}, {"č", 'c'}, {"ē", 'e'}, {"ģ", 'g'}, {"ī", 'i'}, {"ķ", 'k'},
		{"ļ", 'l'}, {"ņ", 'n'}, {"š", 's'}, {"ū", 'u'}, {"ž", 'z'}, {"Ā", 'a'},
		{"Č", 'c'}, {"Ē", 'e'}, {"Ģ", 'g'}, {"Ī", 'i'}, {"Ķ", 'k'}, {"Ļ", 'l'},
		{"Ņ", 'n'}, {"Š", 's'}, {"Ū", 'u'}, {"Ž", 'z'}};
	size_t o = 0;

	while (*in != '\0' && o + 1 < out_size) {
		size_t k;

		for (k = 0; k < N(map); k++) {
			size_t l = strlen(map[k].from);

			if (strncmp(in, map[k].from, l) == 0) {
				out[o++] = map[k].to;
				in += l;
				break;
			}
		}
		if (k == N(map)) {
			char c = *in++;

			out[o++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
	}
	out[o] = '\0';
}

void sargs_synth_person(struct sargs_synth *g, uint64_t index, struct sargs_synth_person *p)
{
	int female;

	memset(p, 0, sizeof(*p));
	female = (int)(next(g) & 1);
	const char *first = female ? female_first[next(g) % N(female_first)]
				   : male_first[next(g) % N(male_first)];
	const char *last = female ? female_last[next(g) % N(female_last)]
				  : male_last[next(g) % N(male_last)];
	char fa[32], la[32];
	int64_t day0 = sargs_days_from_civil(1940, 1, 1), span = 365 * 65;
	int y, m, d, c, dg[10];

	(void)snprintf(p->first_name, sizeof(p->first_name), "%s", first);
	(void)snprintf(p->last_name, sizeof(p->last_name), "%s", last);
	ascii_lower(first, fa, sizeof(fa));
	ascii_lower(last, la, sizeof(la));
	(void)snprintf(p->email, sizeof(p->email), "%s.%s.%llu@example.lv", fa, la,
		       (unsigned long long)index);
	/* mobile numbers 2xxxxxxx: index keeps them unique */
	(void)snprintf(p->phone, sizeof(p->phone), "+3712%07llu",
		       (unsigned long long)(index % 10000000ULL));
	/* (birth date, serial) is unique per index below span * 1000: the date
	 * steps through the span by a stride prime to it, the serial is the
	 * index's last three digits */
	sargs_civil_from_days(day0 + (int64_t)((index / 1000ULL * 7919ULL) % (uint64_t)span), &y, &m,
			      &d);
	(void)snprintf(p->birth_date, sizeof(p->birth_date), "%04d-%02d-%02d", y, m, d);
	if (index % 10 == 9) {
		/* one in ten has a code of the format issued since July 2017: 32,
		 * eight digits from the index, the check digit */
		uint64_t body = index % 100000000ULL;

		dg[0] = 3;
		dg[1] = 2;
		for (int k = 9; k >= 2; k--) {
			dg[k] = (int)(body % 10);
			body /= 10;
		}
		p->birth_date[0] = '\0';
	} else {
		uint64_t serial = index % 1000ULL;

		dg[0] = d / 10; dg[1] = d % 10; dg[2] = m / 10; dg[3] = m % 10;
		dg[4] = (y / 10) % 10; dg[5] = y % 10;
		dg[6] = y >= 2000 ? 2 : 1;
		dg[7] = (int)(serial / 100 % 10); dg[8] = (int)(serial / 10 % 10);
		dg[9] = (int)(serial % 10);
	}
	{
		char ascii[10];

		for (int k = 0; k < 10; k++)
			ascii[k] = (char)('0' + dg[k]);
		c = sargs_personal_code_check_digit(ascii);
	}
	for (int k = 0, o = 0; k < 11; k++) {
		if (k == 6)
			p->personal_code[o++] = '-';
		p->personal_code[o++] = (char)('0' + (k < 10 ? dg[k] : c));
	}
	p->personal_code[12] = '\0';
	(void)snprintf(p->address, sizeof(p->address), "%s %llu, %s, LV-%04llu",
		       streets[next(g) % N(streets)], (unsigned long long)(next(g) % 120 + 1),
		       towns[next(g) % N(towns)], (unsigned long long)(1001 + next(g) % 4000));
}
