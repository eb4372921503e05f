/*
 * namefold.h — names in the form a search compares them: words in lower
 * case, Latin letters without their diacritics (Bērziņa and berzina are the
 * same word; Ä, Ł, ß likewise), Cyrillic in lower case (Ё as е), and
 * apostrophes and dots dropped (O'Brien is obrien). Words are split at
 * spaces, hyphens and other punctuation.
 *
 * A name search (domain/subject.h, sargs_subject_name_candidates) finds the
 * people whose name has a word beginning with each word typed: Bērz and
 * berzina both find Bērziņa. The register cannot look at every name for
 * that (they are encrypted), so it keeps, in its blind index, keys of each
 * name word: its first SARGS_NAME_KEY_SHORT letters, and its first
 * SARGS_NAME_KEY_LONG when it has that many. A typed word looks up the
 * longest key it has; the people found are then read and compared.
 */
#ifndef SARGS_NAMEFOLD_H
#define SARGS_NAMEFOLD_H

#include <stddef.h>

#define SARGS_NAME_WORD_MAX 64 /* bytes of a folded word, NUL included */
#define SARGS_NAME_KEY_SHORT 3 /* letters in a word's short key */
#define SARGS_NAME_KEY_LONG 5  /* letters in a word's long key */
#define SARGS_NAME_KEY_MAX 24  /* bytes of a key, NUL included */
#define SARGS_NAME_WORDS_MAX 8 /* words of one name taken (more are ignored) */

/*
 * Calls cb with each folded word of name (UTF-8), in order, at most
 * SARGS_NAME_WORDS_MAX of them; a longer word is cut at a letter boundary.
 * Stops when cb returns non-zero. Returns the number of words given to cb.
 */
size_t sargs_name_words(const char *name, int (*cb)(void *ctx, const char *word), void *ctx);

/* The first letters of a folded word (all of a shorter word), as a key. */
void sargs_name_key(const char *word, size_t letters, char out[SARGS_NAME_KEY_MAX]);

/* The letters (code points) of a folded word. */
size_t sargs_name_letters(const char *word);

/* The words of query long enough to have a key of their own (at least
 * SARGS_NAME_KEY_SHORT letters); shorter ones narrow a search only when
 * compared. */
size_t sargs_name_keyed_words(const char *query);

/* 1 when every folded word of query begins a folded word of one of the
 * n names (a person's first and last name, say). */
int sargs_name_matches(const char *const *names, size_t n, const char *query);

#endif
