/* money.h — amounts in euros as people type and read them.
 *
 * The API counts cents; people write euros, in Germany with a decimal
 * comma and a point between thousands (1.234,56), elsewhere the other way
 * round (1,234.56). Both are read; what cannot be read one way only
 * ("1.234": a thousand and more, or one euro and a fraction of a cent?) is
 * refused with a reason rather than guessed. Amounts are shown as the
 * user's locale writes them.
 */
#ifndef FT_CLI_MONEY_H
#define FT_CLI_MONEY_H

#include <stddef.h>

/* The largest amount the server takes, in cents (100 billion euros). */
#define MONEY_MAX_CENTS 10000000000000LL

/* Reads an amount in euros: "1.234,56", "1,234.56", "150,5", "1234",
 * "1.000.000", with an optional "€" or "EUR" after it. Returns 0 with the
 * amount in *cents, or -1 with the reason in why (size n, a phrase such as
 * "has more than two decimals") when s is negative, ambiguous, badly
 * grouped, has more than two decimals or is too large. */
int money_parse(const char *s, long long *cents, char *why, size_t n);

/* Whether amounts are shown the German way: the first of LC_ALL,
 * LC_NUMERIC and LANG that is set names a German locale (de, de_DE.UTF-8,
 * de_AT, ...). */
int money_german(void);

/* cents as euros with two decimals and grouped thousands, the German or
 * the English way (money_german), into buf (size n, 32 is enough).
 * Returns buf. */
const char *money_format(long long cents, char *buf, size_t n);

#endif
