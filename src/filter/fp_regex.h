/* fp_regex: the regular expressions of filter patterns (%...%), AWS's dialect.
 *
 * AWS allows letters, digits, the symbols : _ # = @ / ; , - and the operators
 * ^ $ ? [ ] { } | \ * + . — no groups, no multi-byte characters — and its guide's own
 * examples hold spaces. fp_regex_compile checks the text against that list (so a pattern
 * AWS refuses is refused here too) and translates it to a POSIX extended expression for
 * regcomp: \d \w \s and their capitals become bracket expressions, \xhh the byte it
 * names, {,m} is {0,m}, a lazy quantifier's ? goes (a search finds a match exactly when
 * the greedy form does), and \X is an escaped X. The match is unanchored, as AWS's is.
 * The compiled expression is owned by the caller (fp_regex_free). */
#ifndef ORGTRAIL_FP_REGEX_H
#define ORGTRAIL_FP_REGEX_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

/* The largest bound of a {n,m} repetition. AWS documents none; each repetition copies
 * its atom in the compiled automaton, so the bound is kept where memory stays small. */
#define FP_REGEX_REPEAT_MAX 1000

typedef struct fp_regex {
    regex_t re;
} fp_regex;

/* Compiles text[0..n) (without the % delimiters). Returns NULL and writes why to err. */
fp_regex *fp_regex_compile(const char *text, size_t n, char *err, size_t errn);
void fp_regex_free(fp_regex *r);
/* Whether r matches somewhere in s[0..n) (s need not be NUL-terminated). */
bool fp_regex_search(const fp_regex *r, const char *s, size_t n);

#endif
