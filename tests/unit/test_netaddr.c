/* Unit tests for server/util/netaddr.h: address parsing, CIDR lists and the
 * client address behind trusted proxies. */
#include "test.h"

#include <string.h>

#include "util/netaddr.h"

/* The client address as text, or "ERR". */
static const char *client(const char *trusted_spec, const char *peer, const char *xff)
{
    static char out[NETADDR_TEXT_LEN];
    struct netlist l;
    char err[128];
    if (netlist_parse(trusted_spec, &l, err, sizeof(err)) < 0)
        return "BAD LIST";
    struct netaddr a;
    if (netaddr_client(&l, peer, xff, &a) < 0)
        return "ERR";
    netaddr_format(&a, out);
    return out;
}

static const char *canon(const char *s)
{
    static char out[NETADDR_TEXT_LEN];
    struct netaddr a;
    if (netaddr_parse(s, &a) < 0)
        return "ERR";
    netaddr_format(&a, out);
    return out;
}

static int contains(const char *spec, const char *addr)
{
    struct netlist l;
    char err[128];
    struct netaddr a;
    if (netlist_parse(spec, &l, err, sizeof(err)) < 0 || netaddr_parse(addr, &a) < 0)
        return -1;
    return netlist_contains(&l, &a);
}

TEST(netaddr_parse_forms)
{
    ASSERT_STREQ(canon("192.0.2.1"), "192.0.2.1");
    ASSERT_STREQ(canon("  192.0.2.1 "), "192.0.2.1");
    ASSERT_STREQ(canon("2001:DB8::1"), "2001:db8::1");
    ASSERT_STREQ(canon("[2001:db8::1]"), "2001:db8::1");
    ASSERT_STREQ(canon("::1"), "::1");
    /* An IPv4-mapped address is its IPv4 address. */
    ASSERT_STREQ(canon("::ffff:198.51.100.7"), "198.51.100.7");
    ASSERT_STREQ(canon("[::ffff:127.0.0.1]"), "127.0.0.1");
}

TEST(netaddr_parse_refuses_non_addresses)
{
    static const char *const bad[] = {
        "",          " ",        "unknown",    "1.2.3",      "1.2.3.4.5",
        "256.1.1.1", "01.2.3.4", "1.2.3.4:80", "[1.2.3.4]",  "fe80::1%eth0",
        "::1]",      "[::1",     "1.2.3.4/8",  "0x7f.0.0.1", "example.org"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (strcmp(canon(bad[i]), "ERR") != 0)
            FAIL("\"%s\" parsed as %s", bad[i], canon(bad[i]));
    struct netaddr a;
    ASSERT_EQ_INT(netaddr_parse(NULL, &a), -1);
}

TEST(netaddr_loopback)
{
    struct netaddr a;
    static const char *const yes[] = {"127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"};
    static const char *const no[] = {"128.0.0.1", "10.0.0.1",        "::2",     "::",
                                     "0.0.0.0",   "::ffff:10.0.0.1", "fe80::1", "126.255.255.255"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        ASSERT_EQ_INT(netaddr_parse(yes[i], &a), 0);
        if (!netaddr_is_loopback(&a))
            FAIL("%s is loopback", yes[i]);
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        ASSERT_EQ_INT(netaddr_parse(no[i], &a), 0);
        if (netaddr_is_loopback(&a))
            FAIL("%s is not loopback", no[i]);
    }
}

TEST(netaddr_limit_key_groups_ipv6_by_64)
{
    struct netaddr a;
    char key[NETADDR_TEXT_LEN];
    ASSERT_EQ_INT(netaddr_parse("203.0.113.9", &a), 0);
    netaddr_limit_key(&a, key);
    ASSERT_STREQ(key, "203.0.113.9");
    ASSERT_EQ_INT(netaddr_parse("2001:db8:1:2:aaaa:bbbb:cccc:dddd", &a), 0);
    netaddr_limit_key(&a, key);
    ASSERT_STREQ(key, "2001:db8:1:2::/64");
    ASSERT_EQ_INT(netaddr_parse("2001:db8:1:2::1", &a), 0);
    netaddr_limit_key(&a, key);
    ASSERT_STREQ(key, "2001:db8:1:2::/64");
    ASSERT_EQ_INT(netaddr_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &a), 0);
    netaddr_limit_key(&a, key);
    ASSERT_STREQ(key, "ffff:ffff:ffff:ffff::/64");
    ASSERT_LT_INT(strlen(key), NETADDR_TEXT_LEN);
}

TEST(netlist_ranges)
{
    ASSERT_EQ_INT(contains("10.0.0.0/8", "10.200.3.4"), 1);
    ASSERT_EQ_INT(contains("10.0.0.0/8", "11.0.0.1"), 0);
    ASSERT_EQ_INT(contains("192.0.2.7", "192.0.2.7"), 1);
    ASSERT_EQ_INT(contains("192.0.2.7", "192.0.2.8"), 0);
    ASSERT_EQ_INT(contains("192.0.2.0/25", "192.0.2.127"), 1);
    ASSERT_EQ_INT(contains("192.0.2.0/25", "192.0.2.128"), 0);
    ASSERT_EQ_INT(contains("0.0.0.0/0", "198.51.100.1"), 1);
    ASSERT_EQ_INT(contains("0.0.0.0/0", "::1"), 0); /* families never mix */
    ASSERT_EQ_INT(contains("2001:db8::/32", "2001:db8:ffff::1"), 1);
    ASSERT_EQ_INT(contains("2001:db8::/32", "2001:db9::1"), 0);
    ASSERT_EQ_INT(contains("[2001:db8::1]/128", "2001:db8::1"), 1);
    ASSERT_EQ_INT(contains("::/0", "fe80::1"), 1);
    ASSERT_EQ_INT(contains("::1", "127.0.0.1"), 0);
    /* Host bits in an entry are ignored, as nginx does. */
    ASSERT_EQ_INT(contains("10.1.2.3/8", "10.9.9.9"), 1);
    /* Mapped addresses and ranges meet their IPv4 form. */
    ASSERT_EQ_INT(contains("127.0.0.1/32", "::ffff:127.0.0.1"), 1);
    ASSERT_EQ_INT(contains("::ffff:10.0.0.0/104", "10.1.1.1"), 1);
    ASSERT_EQ_INT(contains("::ffff:10.0.0.0/104", "11.1.1.1"), 0);
    /* Several entries, spaces, empty entries. */
    ASSERT_EQ_INT(contains(" 10.0.0.0/8 , ,::1,192.0.2.1 ", "::1"), 1);
    ASSERT_EQ_INT(contains(" 10.0.0.0/8 , ,::1,192.0.2.1 ", "192.0.2.1"), 1);
    ASSERT_EQ_INT(contains(" 10.0.0.0/8 , ,::1,192.0.2.1 ", "192.0.2.2"), 0);
    ASSERT_EQ_INT(contains("", "127.0.0.1"), 0);
}

TEST(netlist_parse_errors)
{
    static const char *const bad[] = {"10.0.0.0/33",   "::/129",      "10.0.0.0/",
                                      "10.0.0.0/-1",   "10.0.0.0/+8", "10.0.0.0/8x",
                                      "proxy.example", "1.2.3.4, x",  "::ffff:10.0.0.0/95",
                                      "10.0.0.0/ 8",   "/8"};
    struct netlist l;
    char err[128];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        if (netlist_parse(bad[i], &l, err, sizeof(err)) != -1)
            FAIL("accepted \"%s\"", bad[i]);
        else if (!strstr(err, "is not an IP address or CIDR range"))
            FAIL("\"%s\": message \"%s\"", bad[i], err);
    }
    ASSERT_EQ_INT(netlist_parse("10.0.0.1/8", &l, err, sizeof(err)), 0);
    ASSERT_EQ_INT(netlist_parse(NULL, &l, err, sizeof(err)), 0);
    ASSERT_EQ_UINT(l.n, 0);
    /* The list is bounded. */
    char many[NETLIST_MAX * 12 + 32] = "";
    for (int i = 0; i <= NETLIST_MAX; i++)
        strcat(many, "10.0.0.1,");
    ASSERT_EQ_INT(netlist_parse(many, &l, err, sizeof(err)), -1);
    ASSERT(strstr(err, "more than") != NULL);
}

TEST(client_address_without_trusted_proxies_is_the_peer)
{
    ASSERT_STREQ(client("", "192.0.2.10", NULL), "192.0.2.10");
    /* A client may send X-Forwarded-For; it is ignored unless its peer is trusted. */
    ASSERT_STREQ(client("", "192.0.2.10", "203.0.113.5"), "192.0.2.10");
    ASSERT_STREQ(client("10.0.0.0/8", "192.0.2.10", "203.0.113.5"), "192.0.2.10");
    ASSERT_STREQ(client("10.0.0.0/8", "192.0.2.10", "10.0.0.1"), "192.0.2.10");
    ASSERT_STREQ(client("", "::ffff:192.0.2.10", "1.1.1.1"), "192.0.2.10");
    ASSERT_STREQ(client("", "not an address", NULL), "ERR");
    ASSERT_STREQ(client("", NULL, NULL), "ERR");
}

TEST(client_address_behind_trusted_proxies)
{
    /* One proxy: the right-most entry is what it saw. */
    ASSERT_STREQ(client("127.0.0.1", "127.0.0.1", "203.0.113.5"), "203.0.113.5");
    /* Entries the client made up sit left of it and are not believed. */
    ASSERT_STREQ(client("127.0.0.1", "127.0.0.1", "1.1.1.1, 203.0.113.5"), "203.0.113.5");
    /* A chain of trusted proxies is skipped from the right. */
    ASSERT_STREQ(
        client("10.0.0.0/8, 127.0.0.1", "127.0.0.1", "8.8.8.8, 203.0.113.5, 10.1.1.1,10.2.2.2"),
        "203.0.113.5");
    /* Every entry trusted: the left-most one is the client. */
    ASSERT_STREQ(client("10.0.0.0/8", "10.0.0.1", "10.9.9.9, 10.8.8.8"), "10.9.9.9");
    /* No header, or an empty one: the proxy itself. */
    ASSERT_STREQ(client("10.0.0.0/8", "10.0.0.1", NULL), "10.0.0.1");
    ASSERT_STREQ(client("10.0.0.0/8", "10.0.0.1", ""), "10.0.0.1");
    ASSERT_STREQ(client("10.0.0.0/8", "10.0.0.1", " , "), "10.0.0.1");
    /* Garbage stops the walk at the last address known good. */
    ASSERT_STREQ(client("10.0.0.0/8", "10.0.0.1", "203.0.113.5, unknown"), "10.0.0.1");
    ASSERT_STREQ(client("10.0.0.0/8", "10.0.0.1", "203.0.113.5, garbage, 10.0.0.2"), "10.0.0.2");
    ASSERT_STREQ(client("10.0.0.0/8", "10.0.0.1", "203.0.113.5:4711"), "10.0.0.1");
    /* IPv6 clients and proxies, bracketed or not. */
    ASSERT_STREQ(client("::1, 2001:db8:ffff::/48", "::1", "2001:db8:1::7, 2001:db8:ffff::2"),
                 "2001:db8:1::7");
    ASSERT_STREQ(client("::1", "::1", "[2001:db8::9]"), "2001:db8::9");
    ASSERT_STREQ(client("127.0.0.1/32", "::ffff:127.0.0.1", "::ffff:198.51.100.3"), "198.51.100.3");
    /* Empty entries are skipped. */
    ASSERT_STREQ(client("127.0.0.1", "127.0.0.1", "203.0.113.5,,"), "203.0.113.5");
}

TEST(client_address_long_header_is_linear)
{
    /* A header of 16 KiB made of trusted entries is walked once. */
    static char xff[16 * 1024];
    size_t n = 0;
    while (n + 12 < sizeof(xff)) {
        memcpy(xff + n, "10.0.0.1, ", 10);
        n += 10;
    }
    xff[n] = '\0';
    ASSERT_STREQ(client("10.0.0.0/8", "10.0.0.1", xff), "10.0.0.1");
    memcpy(xff, "8.8.8.8,  ", 10);
    ASSERT_STREQ(client("10.0.0.0/8", "10.0.0.1", xff), "8.8.8.8");
}
