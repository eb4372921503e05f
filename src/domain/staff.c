/*
 * staff.c — who may act (staff.h): roles, staff accounts with Argon2id
 * password hashes, the password policy, sign-in with its lockout,
 * server-side sessions and API tokens.
 *
 * Every person has an own account (seed 002; seed 004 §18i). Passwords
 * follow NIST SP 800-63B §5.1.1.2 (memorised secrets): length rather than
 * composition rules, checked against common and compromised passwords,
 * repetitive and sequential characters and the user name. No password,
 * session secret or token ever reaches the store, an audit entry or an
 * error message: the store keeps the Argon2id hash of a password and the
 * keyed hash of a secret (crypto/secret.h).
 */
#include "domain/staff.h"

#include "crypto/secret.h"
#include "domain/registry.h"
#include "store/store.h"
#include "store/store_auth.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEC_US 1000000LL
#define TOUCH_EVERY_US (60 * SEC_US)    /* a session's last use is written at most once a minute */
#define TOKEN_PREFIX "sgt_"
#define SECRET_CHARS 43                 /* 32 random bytes as base64url */
#define DETAIL_MAX 900                  /* audit details stay well under the 1 KiB cap */

_Static_assert(SARGS_NAME_MAX + 1 == SARGS_STORE_AUTH_NAME, "name sizes agree");
_Static_assert(SARGS_SECRET_STR <= SARGS_STORE_AUTH_CSRF, "CSRF secret fits the store");
_Static_assert(SARGS_SECRET_HASH_BYTES == SARGS_STORE_AUTH_HASH, "hash sizes agree");
_Static_assert(sizeof(((struct sargs_role *)0)->actions) == SARGS_STORE_AUTH_LIST, "lists");

/* ---- actions */

static const char *const all_actions[] = {
	SARGS_ACT_SUBJECT_READ, SARGS_ACT_SUBJECT_READ_SPECIAL, SARGS_ACT_SUBJECT_WRITE,
	SARGS_ACT_CONSENT_WRITE,
	SARGS_ACT_PURCHASE_WRITE, SARGS_ACT_REQUEST_READ, SARGS_ACT_REQUEST_WRITE,
	SARGS_ACT_CAMPAIGN_READ, SARGS_ACT_CAMPAIGN_EXPORT, SARGS_ACT_IMPORT,
	SARGS_ACT_AUDIT_READ, SARGS_ACT_REGISTRY_READ, SARGS_ACT_STAFF_MANAGE, NULL,
};

int sargs_action_valid(const char *name)
{
	if (name == NULL)
		return 0;
	for (const char *const *a = all_actions; *a != NULL; a++)
		if (strcmp(*a, name) == 0)
			return 1;
	return 0;
}

const char *const *sargs_actions_all(void) { return all_actions; }

/* 1 when the comma-separated list holds item exactly. */
static int list_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p = list;

	if (n == 0)
		return 0;
	while (p != NULL && *p != '\0') {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);

		if (len == n && memcmp(p, item, n) == 0)
			return 1;
		p = comma != NULL ? comma + 1 : NULL;
	}
	return 0;
}

int sargs_principal_may(const struct sargs_principal *p, const char *action,
			const char *purpose)
{
	if (p == NULL || action == NULL || !list_has(p->actions, action))
		return 0;
	if (purpose == NULL || strcmp(p->purposes, "*") == 0)
		return 1;
	return list_has(p->purposes, purpose);
}

/* ---- names and lists */

/* User, role and token names: 1-64 of [a-z0-9._-]. */
static int name_valid(const char *s)
{
	size_t n = 0;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (; s[n] != '\0'; n++) {
		char c = s[n];

		if (n >= SARGS_NAME_MAX ||
		    !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

static enum sargs_rc bad_name(const char *what, struct sargs_err *err)
{
	return sargs_err_set(err, SARGS_E_INVALID,
			     "a %s name is 1-%d characters of a-z, 0-9, '.', '_' and '-'", what,
			     SARGS_NAME_MAX);
}

/* Visits each item of a comma-separated list; an empty item is refused. */
static enum sargs_rc each_item(const char *list, const char *what,
			       enum sargs_rc (*fn)(void *ctx, const char *item, struct sargs_err *err),
			       void *ctx, struct sargs_err *err)
{
	char item[SARGS_STORE_AUTH_LIST];
	const char *p = list;

	if (list == NULL || list[0] == '\0')
		return sargs_err_set(err, SARGS_E_INVALID, "give at least one %s", what);
	if (strlen(list) >= SARGS_STORE_AUTH_LIST)
		return sargs_err_set(err, SARGS_E_INVALID, "the list of %ss is too long", what);
	while (p != NULL) {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		enum sargs_rc rc;

		if (len == 0)
			return sargs_err_set(err, SARGS_E_INVALID,
					     "a list of %ss is comma-separated, without empty items",
					     what);
		memcpy(item, p, len);
		item[len] = '\0';
		if ((rc = fn(ctx, item, err)) != SARGS_OK)
			return rc;
		p = comma != NULL ? comma + 1 : NULL;
	}
	return SARGS_OK;
}

static enum sargs_rc action_item(void *ctx, const char *item, struct sargs_err *err)
{
	(void)ctx;
	if (!sargs_action_valid(item))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "unknown action '%.64s' (the actions are listed in docs/staff.md)",
				     item);
	return SARGS_OK;
}

static enum sargs_rc purpose_item(void *ctx, const char *item, struct sargs_err *err)
{
	const struct sargs_registry *r = ctx;

	if (strcmp(item, "*") == 0)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "'*' (every purpose) stands alone, not in a list");
	if (sargs_registry_purpose(r, item) == NULL)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "unknown purpose '%.64s' (see 'sargs purpose list')", item);
	return SARGS_OK;
}

/*
 * Actions must be known; purposes must exist in the registry, or be "*"
 * when allow_star (roles; a token names its purposes).
 */
static enum sargs_rc check_grants(struct sargs_reg *reg, const char *actions,
				  const char *purposes, int allow_star, struct sargs_err *err)
{
	const struct sargs_registry *r;
	enum sargs_rc rc;

	if ((rc = each_item(actions, "action", action_item, NULL, err)) != SARGS_OK)
		return rc;
	if (purposes != NULL && strcmp(purposes, "*") == 0) {
		if (!allow_star)
			return sargs_err_set(err, SARGS_E_INVALID,
					     "an API token names its purposes; '*' (every purpose)"
					     " is for staff roles only");
		return SARGS_OK;
	}
	if (purposes == NULL || purposes[0] == '\0')
		return sargs_err_set(err, SARGS_E_INVALID, "give at least one purpose%s",
				     allow_star ? " (or '*' for every purpose)" : "");
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	return each_item(purposes, "purpose", purpose_item, (void *)(uintptr_t)r, err);
}

static enum sargs_rc store_err(struct sargs_reg *reg, enum sargs_rc rc, const char *what,
			       struct sargs_err *err)
{
	const char *m = sargs_store_errmsg(reg->store);

	return sargs_err_set(err, rc, "cannot %s: %s%s%s", what, sargs_rc_str(rc),
			     m != NULL && m[0] ? ": " : "", m != NULL ? m : "");
}

static enum sargs_rc audit(struct sargs_reg *reg, const char *action, const char *detail,
			   struct sargs_err *err)
{
	return sargs_reg_audit(reg, action, NULL, NULL, NULL, detail, err);
}

/* "HH:MM UTC" of us. */
static void fmt_hhmm(int64_t us, char *out, size_t size)
{
	char t[SARGS_TIME_STR];

	sargs_time_format(us, t, sizeof(t));
	(void)snprintf(out, size, "%.5s UTC", t + 11);
}

/* ---- the password policy */

/*
 * Common passwords of SARGS_PW_MIN characters or more (shorter ones fail
 * the length rule anyway), lower case: from the most common leaked lists
 * (NIST SP 800-63B §5.1.1.2: "passwords obtained from previous breach
 * corpuses"), with Latvian ones. Compared case-insensitively.
 */
static const char *const common_passwords[] = {
	"password1234", "password12345", "password123456", "password1234567",
	"password12345678", "password123!", "password1234!", "password@123",
	"password@1234", "passwordpassword", "password1password1", "mypassword123",
	"123456789012", "1234567890123", "12345678901234", "123456789012345",
	"1234567890qwerty", "qwerty1234567890", "098765432109", "987654321098",
	"123123123123", "123412341234", "123321123321", "121212121212", "111222333444",
	"112233445566", "111111111111", "000000000000", "123456123456", "654321654321",
	"147258369147", "147852369147", "159753159753", "135792468000", "246813579000",
	"qwertyuiop12", "qwertyuiop123", "qwertyuiop1234", "qwertyuiopasdf",
	"qwertyuiopasdfgh", "qwertyuiopasdfghjkl", "qwertyuiop[]", "qwerty123456",
	"qwerty1234567", "qwertyqwerty", "qwertyqwerty1", "qwerty123qwerty", "qwerty12345!",
	"qwertz123456", "qwertzuiop12", "azertyuiop12", "asdfghjkl123", "asdfghjkl1234",
	"asdfghjklzxcv", "asdfasdfasdf", "asdf1234asdf", "asdfqwerzxcv", "zxcvbnm12345",
	"zxcvbnm123456", "zxcvbnmasdfg", "1q2w3e4r5t6y", "1q2w3e4r5t6y7u", "q1w2e3r4t5y6",
	"1qaz2wsx3edc", "1qaz2wsx3edc4rfv", "zaq12wsxcde3", "zaq1xsw2cde3", "qazwsxedcrfv",
	"qazwsxedc123", "1qazxsw23edc", "!qaz2wsx#edc", "1234qwerasdf", "1234qwerasdfzxcv",
	"qwer1234asdf", "qweasdzxc123", "qweasdzxc1234", "a1b2c3d4e5f6", "abc123abc123",
	"abcd1234abcd", "abcdefghijkl", "abcdefgh1234", "abcdef123456", "abc123456789",
	"iloveyou1234", "iloveyou12345", "iloveyou123456", "iloveyouiloveyou", "iloveyou!!!!",
	"iloveyoubaby", "iloveyoumom1", "iloveyoutoo1", "loveyouforever", "foreverlove1",
	"administrator", "administrator1", "administrator123", "admin1234567", "admin123456789",
	"adminadmin123", "rootroot1234", "welcome12345", "welcome123456", "welcome@1234",
	"welcometothejungle", "letmein12345", "letmein123456", "letmeinletmein", "changeme1234",
	"changeme12345", "changemenow1", "default12345", "defaultpassword", "temp12345678",
	"temporary123", "secret123456", "topsecret123", "trustno1trustno1", "passw0rd1234",
	"p@ssw0rd1234", "p@ssword1234", "p@ssw0rd123!", "passw0rd123!", "pa$$w0rd1234",
	"football1234", "football12345", "baseball1234", "basketball12", "basketball123",
	"superman1234", "superman12345", "batman123456", "spiderman123", "princess1234",
	"princess12345", "sunshine1234", "sunshine12345", "monkey123456", "dragon123456",
	"master123456", "shadow123456", "michael12345", "jennifer1234", "jordan232323",
	"starwars1234", "pokemon12345", "minecraft123", "minecraft1234", "computer1234",
	"internet1234", "whatever1234", "freedom12345", "liverpool123", "chelsea12345",
	"arsenal12345", "manchesterunited", "barcelona123", "realmadrid12", "cristiano123",
	"linkedin1234", "facebook1234", "facebook12345", "google123456", "microsoft123",
	"samsung12345", "blink1822006", "thequickbrownfox", "correcthorsebatterystaple",
	"summer2024!!", "winter2024!!", "spring2025!!", "autumn2025!!",
	/* Latvian */
	"parole123456", "parole1234567", "parole12345678", "parole123parole", "paroleparole",
	"paroleparole1", "parole1parole1", "manaparole123", "manaparole1234", "manaparoleir1",
	"slepenaparole", "slepenaparole1", "jaunaparole123", "jaunaparole1234", "maniparole123",
	"latvija12345", "latvija123456", "latvija1918!", "latvijalatvija", "latvija18111918",
	"sveiki123456", "sveikisveiki", "labdien12345", "labdienlabdien", "riga12345678",
	"rigariga1234", "riga1201riga", "esmilutevi123", "estevimilu123", "estevimilu1234",
	"mila12345678", "saulite12345", "saulespuke12", "kakis1234567", "sunitis12345",
	"janis1234567", "peteris12345", "andris123456", "kristine1234", "inese1234567",
	"ievaieva1234", "zimes1234567", "zimes123456789", "sargs1234567", "veikals12345",
	"darbs1234567", "klients12345", "kase12345678", NULL,
};

/*
 * Words that make a password weak with digits or symbols around them
 * ("Password2024!", "Parole123456", "Qwertyuiop!1"), also twice or in
 * pairs ("ParoleParole", "ilovedragon"), and with common letter
 * substitutions (p4ssw0rd).
 */
static const char *const common_words[] = {
	"password", "passwort", "pass", "parole", "parolite", "manaparole", "slepenaparole",
	"jaunaparole", "maniparole", "qwerty", "qwertyuiop", "qwertyuiopasdfghjkl", "qwertz",
	"qwertzuiop", "azerty", "azertyuiop", "asdf", "asdfgh", "asdfghjkl", "zxcvbnm", "qazwsx",
	"qazwsxedc", "qweasd", "qweasdzxc", "abc", "abcd", "abcdef", "abcdefg", "abcdefgh",
	"iloveyou", "iloveu", "love", "lover", "loveme", "letmein", "welcome", "admin",
	"administrator", "root", "changeme", "default", "secret", "topsecret", "trustno1",
	"login", "access", "master", "hello", "test", "testing", "guest", "user", "temp",
	"monkey", "dragon", "shadow", "football", "baseball", "basketball", "soccer", "hockey",
	"superman", "batman", "spiderman", "princess", "sunshine", "starwars", "pokemon",
	"minecraft", "computer", "internet", "whatever", "freedom", "michael", "jennifer",
	"jordan", "hunter", "ranger", "buster", "charlie", "thomas", "robert", "daniel",
	"jessica", "ashley", "nicole", "summer", "winter", "spring", "autumn", "flower",
	"cookie", "cheese", "chocolate", "banana", "orange", "purple", "silver", "golden",
	"liverpool", "chelsea", "arsenal", "barcelona", "google", "facebook", "linkedin",
	"microsoft", "samsung", "apple", "iphone", "android", "killer", "pepper", "ginger",
	"tigger", "maggie", "angel", "baby", "family", "forever", "friends", "happy",
	"money", "secure", "security", "company", "office", "business", "service", "system",
	/* Latvian */
	"latvija", "latvia", "riga", "sveiki", "labdien", "labrit", "sveks", "paldies",
	"mila", "milu", "esmilutevi", "estevimilu", "saule", "saulite", "zvaigzne", "kakis",
	"suns", "sunitis", "pele", "lacis", "janis", "peteris", "andris", "maris", "juris",
	"martins", "edgars", "karlis", "ilze", "inese", "anna", "kristine", "liga", "laura",
	"ieva", "dace", "zane", "santa", "linda", "zimes", "sargs", "veikals", "darbs",
	"klients", "kase", "birojs", "firma", "daugava", "gauja", "jurmala", "liepaja",
	"ventspils", "daugavpils", "jelgava", "valmiera", "cesis", "ligo", "janudiena",
	NULL,
};

/* ASCII lower case (other bytes unchanged). */
static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

/* Decodes one UTF-8 code point at s (n bytes left); returns its length, 0 when invalid. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, c &= 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static int word_listed(const char *w, size_t n)
{
	for (const char *const *p = common_words; *p != NULL; p++)
		if (strlen(*p) == n && memcmp(*p, w, n) == 0)
			return 1;
	return 0;
}

/* 1 when w (n bytes) is one or two common words, or one repeated. */
static int common_stem(const char *w, size_t n)
{
	if (n == 0)
		return 0;
	if (word_listed(w, n))
		return 1;
	for (size_t cut = 1; cut < n; cut++)
		if (word_listed(w, cut) && word_listed(w + cut, n - cut))
			return 1;
	/* a word three or more times ("paroleparoleparole") */
	for (size_t period = 3; period <= n / 3; period++) {
		size_t i;

		if (n % period != 0 || !word_listed(w, period))
			continue;
		for (i = period; i < n && w[i] == w[i - period]; i++)
			;
		if (i == n)
			return 1;
	}
	return 0;
}

static int strip_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= ' ' && c <= '/') || (c >= ':' && c <= '@') ||
	       (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

static char unleet(char c, char one)
{
	switch (c) {
	case '0': return 'o';
	case '1': return one;
	case '3': return 'e';
	case '4': case '@': return 'a';
	case '5': case '$': return 's';
	case '7': case '+': return 't';
	case '!': return 'i';
	default: return c;
	}
}

/*
 * 1 when the lower-cased password (len bytes) is a common password, or a
 * common word (or two) with only digits and symbols around it, also with
 * letter substitutions.
 */
static int is_common(const char *low, size_t len)
{
	char stem[SARGS_PW_MAX + 1];
	size_t a = 0, b = len, n;
	int found = 0;

	for (const char *const *p = common_passwords; *p != NULL; p++)
		if (strcmp(*p, low) == 0)
			return 1;
	while (a < b && strip_char(low[a]))
		a++;
	while (b > a && strip_char(low[b - 1]))
		b--;
	n = b - a;
	memcpy(stem, low + a, n);
	stem[n] = '\0';
	found = common_stem(stem, n);
	for (int v = 0; v < 2 && !found; v++) {
		for (size_t i = 0; i < n; i++)
			stem[i] = unleet(low[a + i], v == 0 ? 'i' : 'l');
		found = common_stem(stem, n);
	}
	sargs_wipe(stem, sizeof(stem));
	/* a common password with a symbol added ("password1234!") */
	for (const char *const *p = common_passwords; *p != NULL && !found; p++) {
		size_t pl = strlen(*p);

		if (len > pl && memcmp(*p, low, pl) == 0) {
			size_t i = pl;

			while (i < len && strip_char(low[i]) && !(low[i] >= '0' && low[i] <= '9'))
				i++;
			found = i == len;
		}
	}
	return found;
}

/* Steps between neighbours that go one up or one down (digits wrap 9-0). */
static int seq_step(uint32_t a, uint32_t b)
{
	if (b == a + 1 || a == b + 1)
		return 1;
	return (a == '9' && b == '0') || (a == '0' && b == '9');
}

static void wipe_cps(uint32_t *cps, size_t n) { sargs_wipe(cps, n * sizeof(*cps)); }

enum sargs_rc sargs_password_check(const char *user, const char *password,
				   struct sargs_err *err)
{
	uint32_t cps[SARGS_PW_MAX];
	char low[SARGS_PW_MAX + 1];
	size_t len, n = 0, distinct = 0, seq = 0, i;
	enum sargs_rc rc = SARGS_OK;

	if (password == NULL)
		return sargs_err_set(err, SARGS_E_INVALID, "give a password");
	len = strnlen(password, SARGS_PW_MAX + 1);
	/* NIST SP 800-63B §5.1.1.2: long passphrases are allowed; a cap keeps
	 * hashing bounded */
	if (len > SARGS_PW_MAX)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "a password has at most %d bytes (password length policy)",
				     SARGS_PW_MAX);
	for (i = 0; i < len;) {
		size_t k = utf8_next((const unsigned char *)password + i, len - i, &cps[n]);

		if (k == 0) {
			rc = sargs_err_set(err, SARGS_E_INVALID, "the password is not valid UTF-8");
			goto done;
		}
		if (cps[n] < 0x20 || cps[n] == 0x7f) {
			rc = sargs_err_set(err, SARGS_E_INVALID,
					   "the password holds a control character");
			goto done;
		}
		i += k;
		n++;
	}
	/* seed 002 / 004 §18i: own accounts with strong passwords; NIST SP
	 * 800-63B: length is what makes a password strong */
	if (n < SARGS_PW_MIN) {
		rc = sargs_err_set(err, SARGS_E_INVALID,
				   "a password has at least %d characters (password length policy;"
				   " a phrase of several words is easy to remember)",
				   SARGS_PW_MIN);
		goto done;
	}
	for (i = 0; i < len; i++)
		low[i] = lower(password[i]);
	low[len] = '\0';
	/* NIST SP 800-63B §5.1.1.2: context-specific words (the user name) */
	if (user != NULL && user[0] != '\0' && strlen(user) == len) {
		size_t j;

		for (j = 0; j < len && lower(user[j]) == low[j]; j++)
			;
		if (j == len) {
			rc = sargs_err_set(err, SARGS_E_INVALID,
					   "the password may not be the user name");
			goto done;
		}
	}
	/* NIST SP 800-63B §5.1.1.2: repetitive or sequential characters */
	for (i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < i && cps[j] != cps[i]; j++)
			;
		distinct += j == i;
		if (i > 0)
			seq += (size_t)seq_step(cps[i - 1], cps[i]);
	}
	if (distinct == 1) {
		rc = sargs_err_set(err, SARGS_E_INVALID,
				   "the password is one character repeated (repetitive characters)");
		goto done;
	}
	if (distinct < 5) {
		rc = sargs_err_set(err, SARGS_E_INVALID,
				   "the password uses fewer than 5 different characters (repetitive"
				   " characters)");
		goto done;
	}
	if (seq * 4 >= (n - 1) * 3) {
		rc = sargs_err_set(err, SARGS_E_INVALID,
				   "the password is a simple sequence like abcdef or 987654"
				   " (sequential characters)");
		goto done;
	}
	/* NIST SP 800-63B §5.1.1.2: values from breach corpuses, dictionary words */
	if (is_common(low, len))
		rc = sargs_err_set(err, SARGS_E_INVALID,
				   "the password is a commonly used one, or a common word with digits"
				   " or symbols added (common passwords); choose another");
done:
	wipe_cps(cps, n < SARGS_PW_MAX ? n + 1 : n);
	sargs_wipe(low, sizeof(low));
	return rc;
}

/* ---- roles */

static void role_from_store(const struct sargs_store_role *s, struct sargs_role *out)
{
	memset(out, 0, sizeof(*out));
	(void)snprintf(out->name, sizeof(out->name), "%s", s->name);
	(void)snprintf(out->actions, sizeof(out->actions), "%s", s->actions);
	(void)snprintf(out->purposes, sizeof(out->purposes), "%s", s->purposes);
}

enum sargs_rc sargs_role_set(struct sargs_reg *reg, const struct sargs_role *role,
			     struct sargs_err *err)
{
	struct sargs_store_role r;
	char detail[DETAIL_MAX];
	enum sargs_rc rc;

	if (!name_valid(role->name))
		return bad_name("role", err);
	if ((rc = check_grants(reg, role->actions, role->purposes, 1, err)) != SARGS_OK)
		return rc;
	memset(&r, 0, sizeof(r));
	(void)snprintf(r.name, sizeof(r.name), "%s", role->name);
	(void)snprintf(r.actions, sizeof(r.actions), "%s", role->actions);
	(void)snprintf(r.purposes, sizeof(r.purposes), "%s", role->purposes);
	if ((size_t)snprintf(detail, sizeof(detail), "role:%s actions:%s purposes:%s", r.name,
			     r.actions, r.purposes) >= sizeof(detail))
		(void)snprintf(detail, sizeof(detail), "role:%s", r.name);
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = sargs_store_role_put(reg->store, &r);
	if (rc != SARGS_OK)
		rc = store_err(reg, rc, "set the role", err);
	else
		rc = audit(reg, "role.set", detail, err);
	return sargs_reg_end(reg, rc, err);
}

static enum sargs_rc role_load(struct sargs_reg *reg, const char *name,
			       struct sargs_store_role *out, struct sargs_err *err)
{
	enum sargs_rc rc = sargs_store_role_get(reg->store, name, out);

	if (rc == SARGS_E_NOTFOUND)
		return sargs_err_set(err, rc, "no role '%.64s' (see 'sargs role list')", name);
	if (rc != SARGS_OK)
		return store_err(reg, rc, "read the role", err);
	return SARGS_OK;
}

/* A role given for an account: an unknown one is bad input. */
static enum sargs_rc role_must_exist(struct sargs_reg *reg, const char *name,
				     struct sargs_err *err)
{
	struct sargs_store_role r;
	enum sargs_rc rc = role_load(reg, name, &r, err);

	if (rc == SARGS_E_NOTFOUND)
		return sargs_err_set(err, SARGS_E_INVALID, "no role '%.64s' (see 'sargs role list')",
				     name);
	return rc;
}

enum sargs_rc sargs_role_get(struct sargs_reg *reg, const char *name, struct sargs_role *out,
			     struct sargs_err *err)
{
	struct sargs_store_role r;
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	if (!name_valid(name))
		return sargs_err_set(err, SARGS_E_NOTFOUND, "no such role");
	if ((rc = role_load(reg, name, &r, err)) != SARGS_OK)
		return rc;
	role_from_store(&r, out);
	return SARGS_OK;
}

/* A growing array filled by a scan; a full array or no memory stops it. */
struct collect {
	void *items;
	size_t n, cap, size;
	int nomem;
};

static void *collect_slot(struct collect *c)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		void *p;

		if (cap > SIZE_MAX / c->size || (p = realloc(c->items, cap * c->size)) == NULL) {
			c->nomem = 1;
			return NULL;
		}
		c->items = p;
		c->cap = cap;
	}
	return (char *)c->items + c->n++ * c->size;
}

static int collect_role(void *ctx, const struct sargs_store_role *r)
{
	struct sargs_role *slot = collect_slot(ctx);

	if (slot == NULL)
		return 1;
	role_from_store(r, slot);
	return 0;
}

/* Ends a list: on failure frees what was collected and says why. */
static enum sargs_rc collect_end(struct sargs_reg *reg, struct collect *c, enum sargs_rc rc,
				 const char *what, struct sargs_err *err)
{
	if (rc == SARGS_OK && c->nomem)
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	else if (rc != SARGS_OK)
		rc = store_err(reg, rc, what, err);
	if (rc != SARGS_OK) {
		free(c->items);
		c->items = NULL;
		c->n = 0;
	}
	return rc;
}

enum sargs_rc sargs_role_list(struct sargs_reg *reg, struct sargs_role **out, size_t *n,
			      struct sargs_err *err)
{
	struct collect c = {NULL, 0, 0, sizeof(struct sargs_role), 0};
	enum sargs_rc rc;

	*out = NULL;
	*n = 0;
	rc = sargs_store_role_scan(reg->store, collect_role, &c);
	if ((rc = collect_end(reg, &c, rc, "list the roles", err)) == SARGS_OK) {
		*out = c.items;
		*n = c.n;
	}
	return rc;
}

/* ---- staff accounts */

static void staff_from_store(const struct sargs_store_staff *s, int64_t now,
			     struct sargs_staff *out)
{
	memset(out, 0, sizeof(*out));
	(void)snprintf(out->name, sizeof(out->name), "%s", s->name);
	(void)snprintf(out->role, sizeof(out->role), "%s", s->role);
	(void)snprintf(out->lang, sizeof(out->lang), "%s", s->lang);
	out->disabled = s->disabled;
	out->failed = s->failed;
	out->locked_until_us = s->locked_until_us > now ? s->locked_until_us : 0;
	out->created_us = s->created_us;
	out->last_login_us = s->last_login_us;
}

/* Loads an account; NOTFOUND with a message naming it. */
static enum sargs_rc staff_load(struct sargs_reg *reg, const char *name,
				struct sargs_store_staff *out, struct sargs_err *err)
{
	enum sargs_rc rc;

	if (!name_valid(name)) {
		memset(out, 0, sizeof(*out));
		return sargs_err_set(err, SARGS_E_NOTFOUND, "no such staff account");
	}
	rc = sargs_store_staff_get(reg->store, name, out);
	if (rc == SARGS_E_NOTFOUND)
		return sargs_err_set(err, rc, "no staff account '%s' (see 'sargs staff list')", name);
	if (rc != SARGS_OK)
		return store_err(reg, rc, "read the staff account", err);
	return SARGS_OK;
}

static void wipe_staff(struct sargs_store_staff *s) { sargs_wipe(s->pwhash, sizeof(s->pwhash)); }

enum sargs_rc sargs_staff_add(struct sargs_reg *reg, const char *name, const char *role,
			      const char *lang, const char *password, struct sargs_err *err)
{
	struct sargs_store_staff s;
	char detail[256];
	enum sargs_rc rc;

	if (lang == NULL)
		lang = "lv";
	if (!name_valid(name))
		return bad_name("user", err);
	if (strcmp(lang, "lv") != 0 && strcmp(lang, "en") != 0)
		return sargs_err_set(err, SARGS_E_INVALID, "the language is lv or en");
	if (role == NULL || !name_valid(role))
		return sargs_err_set(err, SARGS_E_INVALID, "give a role (see 'sargs role list')");
	if ((rc = sargs_password_check(name, password, err)) != SARGS_OK)
		return rc;
	if ((rc = role_must_exist(reg, role, err)) != SARGS_OK)
		return rc;
	memset(&s, 0, sizeof(s));
	(void)snprintf(s.name, sizeof(s.name), "%s", name);
	(void)snprintf(s.role, sizeof(s.role), "%s", role);
	(void)snprintf(s.lang, sizeof(s.lang), "%s", lang);
	s.created_us = sargs_time_now_us();
	/* hashed before the write lock is taken: Argon2id takes a while */
	if ((rc = sargs_secret_pwhash(password, strlen(password), s.pwhash)) != SARGS_OK)
		return sargs_err_set(err, rc, "cannot hash the password: out of memory");
	(void)snprintf(detail, sizeof(detail), "user:%s role:%s", name, role);
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK) {
		wipe_staff(&s);
		return rc;
	}
	rc = sargs_store_staff_add(reg->store, &s);
	if (rc == SARGS_E_EXISTS)
		rc = sargs_err_set(err, rc, "a staff account '%s' exists", name);
	else if (rc != SARGS_OK)
		rc = store_err(reg, rc, "add the staff account", err);
	else
		rc = audit(reg, "staff.add", detail, err);
	wipe_staff(&s);
	return sargs_reg_end(reg, rc, err);
}

enum sargs_rc sargs_staff_get(struct sargs_reg *reg, const char *name, struct sargs_staff *out,
			      struct sargs_err *err)
{
	struct sargs_store_staff s;
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = staff_load(reg, name, &s, err)) == SARGS_OK)
		staff_from_store(&s, sargs_time_now_us(), out);
	wipe_staff(&s);
	return rc;
}

struct collect_staff {
	struct collect c;
	int64_t now;
};

static int collect_staff(void *ctx, const struct sargs_store_staff *s)
{
	struct collect_staff *cs = ctx;
	struct sargs_staff *slot = collect_slot(&cs->c);

	if (slot == NULL)
		return 1;
	staff_from_store(s, cs->now, slot);
	return 0;
}

enum sargs_rc sargs_staff_list(struct sargs_reg *reg, struct sargs_staff **out, size_t *n,
			       struct sargs_err *err)
{
	struct collect_staff cs = {{NULL, 0, 0, sizeof(struct sargs_staff), 0}, 0};
	enum sargs_rc rc;

	*out = NULL;
	*n = 0;
	cs.now = sargs_time_now_us();
	rc = sargs_store_staff_scan(reg->store, collect_staff, &cs);
	if ((rc = collect_end(reg, &cs.c, rc, "list the staff accounts", err)) == SARGS_OK) {
		*out = cs.c.items;
		*n = cs.c.n;
	}
	return rc;
}

/*
 * Loads name, lets change() alter it, writes it back, ends its sessions
 * when end_sessions, and audits action: all in one transaction.
 */
static enum sargs_rc staff_change(struct sargs_reg *reg, const char *name, const char *action,
				  const char *detail_more,
				  void (*change)(struct sargs_store_staff *s, const void *arg),
				  const void *arg, int end_sessions, struct sargs_err *err)
{
	struct sargs_store_staff s;
	char detail[256];
	enum sargs_rc rc;

	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if ((rc = staff_load(reg, name, &s, err)) != SARGS_OK)
		goto out;
	change(&s, arg);
	rc = sargs_store_staff_update(reg->store, &s);
	if (rc != SARGS_OK) {
		rc = store_err(reg, rc, "change the staff account", err);
		goto out;
	}
	if (end_sessions && (rc = sargs_store_session_delete_staff(reg->store, name, NULL)) !=
				    SARGS_OK) {
		rc = store_err(reg, rc, "end the account's sessions", err);
		goto out;
	}
	(void)snprintf(detail, sizeof(detail), "user:%s%s%s", name,
		       detail_more != NULL ? " " : "", detail_more != NULL ? detail_more : "");
	rc = audit(reg, action, detail, err);
out:
	wipe_staff(&s);
	return sargs_reg_end(reg, rc, err);
}

static void set_pwhash(struct sargs_store_staff *s, const void *arg)
{
	(void)snprintf(s->pwhash, sizeof(s->pwhash), "%s", (const char *)arg);
	s->failed = 0;
	s->locked_until_us = 0;
}

enum sargs_rc sargs_staff_passwd(struct sargs_reg *reg, const char *name, const char *password,
				 struct sargs_err *err)
{
	struct sargs_store_staff s;
	char hash[SARGS_PWHASH_STR];
	enum sargs_rc rc;

	if ((rc = staff_load(reg, name, &s, err)) != SARGS_OK)
		return rc;
	wipe_staff(&s);
	if ((rc = sargs_password_check(name, password, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_secret_pwhash(password, strlen(password), hash)) != SARGS_OK)
		return sargs_err_set(err, rc, "cannot hash the password: out of memory");
	rc = staff_change(reg, name, "staff.passwd", NULL, set_pwhash, hash, 1, err);
	sargs_wipe(hash, sizeof(hash));
	return rc;
}

static void set_role(struct sargs_store_staff *s, const void *arg)
{
	(void)snprintf(s->role, sizeof(s->role), "%s", (const char *)arg);
}

enum sargs_rc sargs_staff_set_role(struct sargs_reg *reg, const char *name, const char *role,
				   struct sargs_err *err)
{
	char more[SARGS_NAME_MAX + 8];
	enum sargs_rc rc;

	if (role == NULL || !name_valid(role))
		return sargs_err_set(err, SARGS_E_INVALID, "give a role (see 'sargs role list')");
	if ((rc = role_must_exist(reg, role, err)) != SARGS_OK)
		return rc;
	(void)snprintf(more, sizeof(more), "role:%s", role);
	return staff_change(reg, name, "staff.role", more, set_role, role, 0, err);
}

static void set_disabled(struct sargs_store_staff *s, const void *arg)
{
	s->disabled = *(const int *)arg;
}

enum sargs_rc sargs_staff_disable(struct sargs_reg *reg, const char *name, int disabled,
				  struct sargs_err *err)
{
	int d = disabled != 0;

	return staff_change(reg, name, d ? "staff.disable" : "staff.enable", NULL, set_disabled,
			    &d, d, err);
}

static void clear_lock(struct sargs_store_staff *s, const void *arg)
{
	(void)arg;
	s->failed = 0;
	s->locked_until_us = 0;
}

enum sargs_rc sargs_staff_unlock(struct sargs_reg *reg, const char *name,
				 struct sargs_err *err)
{
	return staff_change(reg, name, "staff.unlock", NULL, clear_lock, NULL, 0, err);
}

/* ---- principals */

static enum sargs_rc principal_for_staff(struct sargs_reg *reg,
					 const struct sargs_store_staff *s, const char *csrf,
					 struct sargs_principal *out, struct sargs_err *err)
{
	struct sargs_store_role r;
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = role_load(reg, s->role, &r, err)) != SARGS_OK)
		return rc;
	out->is_token = 0;
	(void)snprintf(out->name, sizeof(out->name), "%s", s->name);
	(void)snprintf(out->role, sizeof(out->role), "%s", s->role);
	(void)snprintf(out->lang, sizeof(out->lang), "%s", s->lang);
	(void)snprintf(out->actions, sizeof(out->actions), "%s", r.actions);
	(void)snprintf(out->purposes, sizeof(out->purposes), "%s", r.purposes);
	(void)snprintf(out->csrf, sizeof(out->csrf), "%s", csrf != NULL ? csrf : "");
	(void)snprintf(out->actor, sizeof(out->actor), "staff:%s", s->name);
	return SARGS_OK;
}

/* ---- sign-in */

static enum sargs_rc denied(struct sargs_err *err)
{
	return sargs_err_set(err, SARGS_E_DENIED, "wrong user name or password");
}

/* Audits a sign-in with actor as the register's actor for this one entry. */
static enum sargs_rc audit_as(struct sargs_reg *reg, const char *actor, const char *action,
			      const char *detail, struct sargs_err *err)
{
	char saved[SARGS_ACTOR_MAX];
	enum sargs_rc rc;

	(void)snprintf(saved, sizeof(saved), "%s", reg->actor);
	(void)snprintf(reg->actor, sizeof(reg->actor), "%s", actor);
	rc = audit(reg, action, detail, err);
	(void)snprintf(reg->actor, sizeof(reg->actor), "%s", saved);
	return rc;
}

void sargs_staff_login_fetch(struct sargs_reg *reg, const char *name,
			     struct sargs_login_check *out)
{
	struct sargs_store_staff s;

	memset(out, 0, sizeof(*out));
	out->known = name_valid(name) && sargs_store_staff_get(reg->store, name, &s) == SARGS_OK;
	if (out->known) {
		(void)snprintf(out->pwhash, sizeof(out->pwhash), "%s", s.pwhash);
		wipe_staff(&s);
	}
}

void sargs_staff_login_verify(struct sargs_login_check *chk, const char *password)
{
	size_t pw_len = password != NULL ? strnlen(password, SARGS_PW_MAX + 1) : 0;

	/* an unknown name is checked against a dummy hash of the same cost,
	 * so the time taken does not tell which names exist */
	chk->pw_ok = 0;
	if (password == NULL || pw_len > SARGS_PW_MAX)
		sargs_secret_pwverify_dummy("", 0);
	else if (chk->known)
		chk->pw_ok = sargs_secret_pwverify(chk->pwhash, password, pw_len) == 0;
	else
		sargs_secret_pwverify_dummy(password, pw_len);
	sargs_wipe(chk->pwhash, sizeof(chk->pwhash));
}

enum sargs_rc sargs_staff_login(struct sargs_reg *reg, const char *name, const char *password,
				char session_out[SARGS_SECRET_STR],
				struct sargs_principal *principal, struct sargs_err *err)
{
	struct sargs_login_check chk;

	/* the password is checked before the write lock is taken (Argon2id is
	 * slow on purpose) */
	sargs_staff_login_fetch(reg, name, &chk);
	sargs_staff_login_verify(&chk, password);
	return sargs_staff_login_finish(reg, name, &chk, session_out, principal, err);
}

enum sargs_rc sargs_staff_login_finish(struct sargs_reg *reg, const char *name,
				       const struct sargs_login_check *chk,
				       char session_out[SARGS_SECRET_STR],
				       struct sargs_principal *principal, struct sargs_err *err)
{
	struct sargs_store_staff s;
	struct sargs_store_session sess;
	struct sargs_err werr;
	int64_t now = sargs_time_now_us();
	int known = chk->known, pw_ok = chk->pw_ok;
	char detail[128], actor[SARGS_ACTOR_MAX], when[16];
	enum sargs_rc rc, outcome;

	session_out[0] = '\0';
	sargs_err_clear(&werr);
	memset(principal, 0, sizeof(*principal));
	memset(&sess, 0, sizeof(sess));
	if (known && !name_valid(name))
		known = 0;

	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if (!known) {
		/* the name tried is not recorded: it may be a password typed in
		 * the wrong field */
		rc = audit(reg, "staff.login.failed", "user:(unknown)", err);
		outcome = denied(&werr);
		goto end;
	}
	/* re-read inside the transaction: another sign-in may have counted */
	if ((rc = staff_load(reg, name, &s, err)) != SARGS_OK) {
		outcome = rc;
		goto end;
	}
	if (s.locked_until_us != 0 && s.locked_until_us <= now && s.failed >= SARGS_LOCK_AFTER) {
		/* the lock has run out: a fresh count */
		s.failed = 0;
		s.locked_until_us = 0;
	}
	if (s.locked_until_us > now) {
		fmt_hhmm(s.locked_until_us, when, sizeof(when));
		(void)snprintf(detail, sizeof(detail), "user:%s reason:locked", s.name);
		rc = audit(reg, "staff.login.failed", detail, err);
		outcome = sargs_err_set(&werr, SARGS_E_DENIED, "account locked until %s", when);
	} else if (!pw_ok) {
		/* a lockout against guessing (NIST SP 800-63B §5.2.2: rate limiting) */
		s.failed++;
		if (s.failed >= SARGS_LOCK_AFTER)
			s.locked_until_us = now + (int64_t)SARGS_LOCK_SECONDS * SEC_US;
		rc = sargs_store_staff_update(reg->store, &s);
		if (rc != SARGS_OK) {
			rc = store_err(reg, rc, "count the failed sign-in", err);
		} else {
			(void)snprintf(detail, sizeof(detail), "user:%s reason:password failed:%d%s",
				       s.name, s.failed, s.locked_until_us > now ? " locked" : "");
			rc = audit(reg, "staff.login.failed", detail, err);
		}
		outcome = denied(&werr);
	} else if (s.disabled) {
		(void)snprintf(detail, sizeof(detail), "user:%s reason:disabled", s.name);
		rc = audit(reg, "staff.login.failed", detail, err);
		outcome = sargs_err_set(&werr, SARGS_E_DENIED,
					"this account is disabled; ask the owner of the register");
	} else {
		s.failed = 0;
		s.locked_until_us = 0;
		s.last_login_us = now;
		sargs_secret_random(NULL, session_out, SARGS_SECRET_STR);
		sargs_secret_random(NULL, sess.csrf, sizeof(sess.csrf));
		sargs_secret_hash(reg->keys, SARGS_SECRET_SESSION, session_out, sess.hash);
		(void)snprintf(sess.staff, sizeof(sess.staff), "%s", s.name);
		sess.created_us = sess.last_used_us = now;
		(void)snprintf(actor, sizeof(actor), "staff:%s", s.name);
		(void)snprintf(detail, sizeof(detail), "user:%s", s.name);
		if ((rc = sargs_store_staff_update(reg->store, &s)) != SARGS_OK ||
		    (rc = sargs_store_session_expire(
			     reg->store, now - (int64_t)SARGS_SESSION_IDLE_S * SEC_US,
			     now - (int64_t)SARGS_SESSION_MAX_S * SEC_US)) != SARGS_OK ||
		    (rc = sargs_store_session_add(reg->store, &sess)) != SARGS_OK)
			rc = store_err(reg, rc, "start the session", err);
		else if ((rc = principal_for_staff(reg, &s, sess.csrf, principal, err)) == SARGS_OK)
			rc = audit_as(reg, actor, "staff.login", detail, err);
		outcome = SARGS_OK;
	}
	wipe_staff(&s);
end:
	rc = sargs_reg_end(reg, rc, err);
	if (rc == SARGS_OK && outcome != SARGS_OK) {
		if (err != NULL)
			*err = werr;
		rc = outcome;
	}
	if (rc != SARGS_OK) {
		sargs_wipe(session_out, SARGS_SECRET_STR);
		memset(principal, 0, sizeof(*principal));
	}
	sargs_wipe(&sess, sizeof(sess));
	return rc;
}

/* 1 when s looks like a secret of ours: prefix then 43 base64url characters. */
static int secret_shape(const char *s, const char *prefix)
{
	size_t pl = strlen(prefix), i;

	if (s == NULL || strncmp(s, prefix, pl) != 0)
		return 0;
	for (i = pl; i < pl + SECRET_CHARS + 1 && s[i] != '\0'; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
	}
	return i == pl + SECRET_CHARS && s[i] == '\0';
}

static enum sargs_rc session_ended(struct sargs_err *err)
{
	return sargs_err_set(err, SARGS_E_DENIED, "the session has ended; sign in again");
}

/* Deletes an expired session in its own transaction (or the caller's). */
static enum sargs_rc session_drop(struct sargs_reg *reg, const unsigned char *hash,
				  struct sargs_err *err)
{
	enum sargs_rc rc;

	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = sargs_store_session_delete(reg->store, hash);
	if (rc != SARGS_OK)
		rc = store_err(reg, rc, "end the session", err);
	return sargs_reg_end(reg, rc, err);
}

enum sargs_rc sargs_session_check(struct sargs_reg *reg, const char *session,
				  struct sargs_principal *out, struct sargs_err *err)
{
	struct sargs_store_session sess;
	struct sargs_store_staff s;
	unsigned char hash[SARGS_SECRET_HASH_BYTES];
	int64_t now = sargs_time_now_us();
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	if (!secret_shape(session, ""))
		return session_ended(err);
	sargs_secret_hash(reg->keys, SARGS_SECRET_SESSION, session, hash);
	rc = sargs_store_session_get(reg->store, hash, &sess);
	if (rc == SARGS_E_NOTFOUND)
		return session_ended(err);
	if (rc != SARGS_OK)
		return store_err(reg, rc, "read the session", err);
	/* OWASP session management: an idle and an absolute timeout */
	if (now - sess.last_used_us > (int64_t)SARGS_SESSION_IDLE_S * SEC_US ||
	    now - sess.created_us > (int64_t)SARGS_SESSION_MAX_S * SEC_US) {
		rc = session_drop(reg, hash, err);
		sargs_wipe(&sess, sizeof(sess));
		return rc != SARGS_OK ? rc : session_ended(err);
	}
	rc = sargs_store_staff_get(reg->store, sess.staff, &s);
	if (rc == SARGS_OK && s.disabled)
		rc = SARGS_E_DENIED;
	if (rc == SARGS_E_NOTFOUND || rc == SARGS_E_DENIED) {
		wipe_staff(&s);
		sargs_wipe(&sess, sizeof(sess));
		rc = session_drop(reg, hash, err);
		return rc != SARGS_OK ? rc : session_ended(err);
	}
	if (rc != SARGS_OK) {
		sargs_wipe(&sess, sizeof(sess));
		return store_err(reg, rc, "read the staff account", err);
	}
	rc = principal_for_staff(reg, &s, sess.csrf, out, err);
	wipe_staff(&s);
	if (rc == SARGS_OK && now - sess.last_used_us >= TOUCH_EVERY_US) {
		if ((rc = sargs_reg_begin(reg, err)) == SARGS_OK) {
			rc = sargs_store_session_touch(reg->store, hash, now);
			if (rc != SARGS_OK)
				rc = store_err(reg, rc, "note the session's use", err);
			rc = sargs_reg_end(reg, rc, err);
		}
	}
	sargs_wipe(&sess, sizeof(sess));
	if (rc != SARGS_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

enum sargs_rc sargs_session_end(struct sargs_reg *reg, const char *session,
				struct sargs_err *err)
{
	struct sargs_store_session sess;
	unsigned char hash[SARGS_SECRET_HASH_BYTES];
	char detail[SARGS_NAME_MAX + 8];
	enum sargs_rc rc;

	if (!secret_shape(session, ""))
		return SARGS_OK;
	sargs_secret_hash(reg->keys, SARGS_SECRET_SESSION, session, hash);
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = sargs_store_session_get(reg->store, hash, &sess);
	if (rc == SARGS_E_NOTFOUND) {
		rc = SARGS_OK;
	} else if (rc != SARGS_OK) {
		rc = store_err(reg, rc, "read the session", err);
	} else if ((rc = sargs_store_session_delete(reg->store, hash)) != SARGS_OK) {
		rc = store_err(reg, rc, "end the session", err);
	} else {
		(void)snprintf(detail, sizeof(detail), "user:%s", sess.staff);
		rc = audit(reg, "staff.logout", detail, err);
	}
	sargs_wipe(&sess, sizeof(sess));
	return sargs_reg_end(reg, rc, err);
}

/* ---- API tokens */

static void token_from_store(const struct sargs_store_token *s, struct sargs_apitoken *out)
{
	memset(out, 0, sizeof(*out));
	(void)snprintf(out->name, sizeof(out->name), "%s", s->name);
	(void)snprintf(out->actions, sizeof(out->actions), "%s", s->actions);
	(void)snprintf(out->purposes, sizeof(out->purposes), "%s", s->purposes);
	out->created_us = s->created_us;
	out->expires_us = s->expires_us;
	out->revoked = s->revoked_us != 0;
}

enum sargs_rc sargs_apitoken_issue(struct sargs_reg *reg, const struct sargs_apitoken *t,
				   char token_out[SARGS_SECRET_STR], struct sargs_err *err)
{
	struct sargs_store_token s;
	char detail[DETAIL_MAX], expires[SARGS_DATE_STR];
	int64_t now = sargs_time_now_us();
	enum sargs_rc rc;

	token_out[0] = '\0';
	if (!name_valid(t->name))
		return bad_name("token", err);
	if ((rc = check_grants(reg, t->actions, t->purposes, 0, err)) != SARGS_OK)
		return rc;
	if (t->expires_us != 0 && t->expires_us <= now)
		return sargs_err_set(err, SARGS_E_INVALID, "the token's expiry is in the past");
	memset(&s, 0, sizeof(s));
	(void)snprintf(s.name, sizeof(s.name), "%s", t->name);
	(void)snprintf(s.actions, sizeof(s.actions), "%s", t->actions);
	(void)snprintf(s.purposes, sizeof(s.purposes), "%s", t->purposes);
	s.created_us = now;
	s.expires_us = t->expires_us;
	sargs_secret_random(TOKEN_PREFIX, token_out, SARGS_SECRET_STR);
	sargs_secret_hash(reg->keys, SARGS_SECRET_TOKEN, token_out, s.hash);
	if (s.expires_us != 0)
		sargs_time_format_date(s.expires_us, expires, sizeof(expires));
	else
		(void)snprintf(expires, sizeof(expires), "never");
	if ((size_t)snprintf(detail, sizeof(detail), "token:%s expires:%s actions:%s purposes:%s",
			     s.name, expires, s.actions, s.purposes) >= sizeof(detail))
		(void)snprintf(detail, sizeof(detail), "token:%s expires:%s", s.name, expires);
	if ((rc = sargs_reg_begin(reg, err)) == SARGS_OK) {
		rc = sargs_store_token_add(reg->store, &s);
		if (rc == SARGS_E_EXISTS)
			rc = sargs_err_set(err, rc,
					   "a token named '%s' exists (names are not reused, revoked"
					   " ones too)",
					   s.name);
		else if (rc != SARGS_OK)
			rc = store_err(reg, rc, "issue the token", err);
		else
			rc = audit(reg, "token.issue", detail, err);
		rc = sargs_reg_end(reg, rc, err);
	}
	if (rc != SARGS_OK)
		sargs_wipe(token_out, SARGS_SECRET_STR);
	return rc;
}

static int collect_token(void *ctx, const struct sargs_store_token *t)
{
	struct sargs_apitoken *slot = collect_slot(ctx);

	if (slot == NULL)
		return 1;
	token_from_store(t, slot);
	return 0;
}

enum sargs_rc sargs_apitoken_list(struct sargs_reg *reg, struct sargs_apitoken **out, size_t *n,
				  struct sargs_err *err)
{
	struct collect c = {NULL, 0, 0, sizeof(struct sargs_apitoken), 0};
	enum sargs_rc rc;

	*out = NULL;
	*n = 0;
	rc = sargs_store_token_scan(reg->store, collect_token, &c);
	if ((rc = collect_end(reg, &c, rc, "list the tokens", err)) == SARGS_OK) {
		*out = c.items;
		*n = c.n;
	}
	return rc;
}

enum sargs_rc sargs_apitoken_revoke(struct sargs_reg *reg, const char *name,
				    struct sargs_err *err)
{
	char detail[SARGS_NAME_MAX + 8];
	int was = 0;
	enum sargs_rc rc;

	if (!name_valid(name))
		return sargs_err_set(err, SARGS_E_NOTFOUND, "no such token");
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = sargs_store_token_revoke(reg->store, name, sargs_time_now_us(), &was);
	if (rc == SARGS_E_NOTFOUND) {
		rc = sargs_err_set(err, rc, "no token '%s' (see 'sargs token list')", name);
	} else if (rc != SARGS_OK) {
		rc = store_err(reg, rc, "revoke the token", err);
	} else if (!was) {
		(void)snprintf(detail, sizeof(detail), "token:%s", name);
		rc = audit(reg, "token.revoke", detail, err);
	}
	return sargs_reg_end(reg, rc, err);
}

enum sargs_rc sargs_apitoken_check(struct sargs_reg *reg, const char *token,
				   struct sargs_principal *out, struct sargs_err *err)
{
	struct sargs_store_token s;
	unsigned char hash[SARGS_SECRET_HASH_BYTES];
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	if (!secret_shape(token, TOKEN_PREFIX))
		return sargs_err_set(err, SARGS_E_DENIED, "not a valid API token");
	sargs_secret_hash(reg->keys, SARGS_SECRET_TOKEN, token, hash);
	rc = sargs_store_token_get_hash(reg->store, hash, &s);
	if (rc == SARGS_E_NOTFOUND)
		return sargs_err_set(err, SARGS_E_DENIED, "not a valid API token");
	if (rc != SARGS_OK)
		return store_err(reg, rc, "read the token", err);
	/* the store found it by its hash; compare again in constant time */
	if (!sargs_secret_equal(s.hash, hash, sizeof(hash)))
		return sargs_err_set(err, SARGS_E_DENIED, "not a valid API token");
	if (s.revoked_us != 0)
		return sargs_err_set(err, SARGS_E_DENIED, "the API token '%s' was revoked", s.name);
	if (s.expires_us != 0 && sargs_time_now_us() >= s.expires_us)
		return sargs_err_set(err, SARGS_E_DENIED, "the API token '%s' has expired", s.name);
	out->is_token = 1;
	(void)sargs_str_copy(out->name, sizeof(out->name), s.name);
	(void)snprintf(out->lang, sizeof(out->lang), "en");
	(void)sargs_str_copy(out->actions, sizeof(out->actions), s.actions);
	(void)sargs_str_copy(out->purposes, sizeof(out->purposes), s.purposes);
	(void)snprintf(out->actor, sizeof(out->actor), "token:%s", s.name);
	return SARGS_OK;
}
