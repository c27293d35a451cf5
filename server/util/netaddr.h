/* netaddr.h — IP addresses, CIDR lists and the client address behind
 * trusted proxies. Pure: no I/O, no allocation, unit-tested.
 *
 * IPv4-mapped IPv6 addresses (::ffff:192.0.2.1, as a dual-stack listener
 * reports IPv4 peers) are treated as the IPv4 address they carry, so one
 * list entry covers both spellings. */
#ifndef FT_NETADDR_H
#define FT_NETADDR_H

#include <stddef.h>

/* Room for any address in text, with a "/64" suffix (INET6_ADDRSTRLEN + 3). */
#define NETADDR_TEXT_LEN 50
/* Entries a netlist holds; more are refused when parsing. */
#define NETLIST_MAX 64

struct netaddr {
    int v6; /* 0: IPv4 in bytes[0..3]; 1: IPv6 in bytes[0..15] */
    unsigned char bytes[16];
};

struct netrange {
    struct netaddr addr; /* host bits cleared */
    unsigned bits;       /* prefix length: 0..32 for IPv4, 0..128 for IPv6 */
};

struct netlist {
    struct netrange v[NETLIST_MAX];
    size_t n;
};

/* Parses a bare IPv4 or IPv6 address (surrounding spaces and one pair of
 * brackets around IPv6 allowed; no port, no zone). Returns 0, or -1. */
int netaddr_parse(const char *s, struct netaddr *out);
/* Canonical text of a (inet_ntop) into out. */
void netaddr_format(const struct netaddr *a, char out[NETADDR_TEXT_LEN]);
/* 1 for 127.0.0.0/8 and ::1. */
int netaddr_is_loopback(const struct netaddr *a);
/* The key a client is counted under by rate limits: an IPv4 address as
 * it is, an IPv6 address as its /64 network ("2001:db8:1:2::/64"), since
 * one subscriber is usually given a whole /64. */
void netaddr_limit_key(const struct netaddr *a, char out[NETADDR_TEXT_LEN]);

/* Parses a comma-separated list of addresses and CIDR ranges ("10.0.0.0/8,
 * ::1, 192.0.2.7"); spaces around entries are ignored, an empty spec is an
 * empty list. Returns 0, or -1 with a message naming the bad entry. */
int netlist_parse(const char *spec, struct netlist *out, char *err, size_t errlen);
/* 1 when a lies in one of the list's ranges. */
int netlist_contains(const struct netlist *l, const struct netaddr *a);

/* The client's address for a request from peer that carried the
 * X-Forwarded-For value xff (NULL when absent). The header is believed only
 * when the peer is in trusted; then its entries are walked from the right,
 * skipping trusted proxies, and the first other address is the client (as
 * nginx's real_ip_recursive does). An entry that is not an address stops the
 * walk at the last address known good. Returns 0, or -1 when peer itself is
 * not an address. */
int netaddr_client(const struct netlist *trusted, const char *peer, const char *xff,
                   struct netaddr *out);

#endif
