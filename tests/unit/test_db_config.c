/* Unit tests for db_config_parse (server/db/db.h): pure URL parsing. */
#include "test.h"

#include <stdio.h>
#include <string.h>

#include "db/db.h"

static struct db_config cfg;
static char err[256];

static int parse(const char *url)
{
    memset(&cfg, 0x5a, sizeof cfg); /* the parser must clear it */
    err[0] = '\0';
    return db_config_parse(url, &cfg, err, sizeof err);
}

static void expect_fail(const char *url, const char *want)
{
    if (parse(url) != -1)
        FAIL("db_config_parse(\"%s\") succeeded (host \"%s\", db \"%s\")", url, cfg.host,
             cfg.database);
    if (!strstr(err, want))
        FAIL("db_config_parse(\"%s\"): message \"%s\" lacks \"%s\"", url, err, want);
}

TEST(db_config_full_url)
{
    ASSERT_EQ_INT(parse("mariadb://ft:secret@db.example.org:3307/fibertrack"), 0);
    ASSERT_STREQ(cfg.user, "ft");
    ASSERT_STREQ(cfg.password, "secret");
    ASSERT_STREQ(cfg.host, "db.example.org");
    ASSERT_EQ_UINT(cfg.port, 3307);
    ASSERT_STREQ(cfg.database, "fibertrack");
    ASSERT_STREQ(cfg.socket, "");
}

TEST(db_config_defaults)
{
    ASSERT_EQ_INT(parse("mariadb://localhost/ft"), 0);
    ASSERT_STREQ(cfg.user, "root");
    ASSERT_STREQ(cfg.password, "");
    ASSERT_STREQ(cfg.host, "localhost");
    ASSERT_EQ_UINT(cfg.port, 3306);
    ASSERT_STREQ(cfg.database, "ft");
    ASSERT_STREQ(cfg.socket, "");
}

TEST(db_config_user_without_password)
{
    ASSERT_EQ_INT(parse("mariadb://app@127.0.0.1/ft"), 0);
    ASSERT_STREQ(cfg.user, "app");
    ASSERT_STREQ(cfg.password, "");
    ASSERT_STREQ(cfg.host, "127.0.0.1");
    /* an empty user falls back to root, the password is kept */
    ASSERT_EQ_INT(parse("mariadb://:pw@h/ft"), 0);
    ASSERT_STREQ(cfg.user, "root");
    ASSERT_STREQ(cfg.password, "pw");
}

TEST(db_config_mysql_scheme_accepted)
{
    ASSERT_EQ_INT(parse("mysql://u:p@h:13306/d"), 0);
    ASSERT_STREQ(cfg.user, "u");
    ASSERT_STREQ(cfg.password, "p");
    ASSERT_STREQ(cfg.host, "h");
    ASSERT_EQ_UINT(cfg.port, 13306);
    ASSERT_STREQ(cfg.database, "d");
}

TEST(db_config_other_schemes_rejected)
{
    expect_fail("postgres://u@h/d", "must start with mariadb://");
    expect_fail("MARIADB://u@h/d", "must start with mariadb://");
    expect_fail("mariadb:/u@h/d", "must start with mariadb://");
    expect_fail("u@h/d", "must start with mariadb://");
    expect_fail("", "must start with mariadb://");
}

TEST(db_config_percent_escapes)
{
    /* '@', ':' and '/' in the password, escaped */
    ASSERT_EQ_INT(parse("mariadb://us%65r:p%40ss%3Aw%2fd%25@h/d"), 0);
    ASSERT_STREQ(cfg.user, "user");
    ASSERT_STREQ(cfg.password, "p@ss:w/d%");
    ASSERT_STREQ(cfg.host, "h");
    ASSERT_STREQ(cfg.database, "d");
    /* an incomplete or non-hex escape is kept as it is */
    ASSERT_EQ_INT(parse("mariadb://u:a%zzb%4@h/d"), 0);
    ASSERT_STREQ(cfg.password, "a%zzb%4");
}

TEST(db_config_socket_option)
{
    ASSERT_EQ_INT(parse("mariadb://root@localhost/ft?socket=/run/mysqld/mysqld.sock"), 0);
    ASSERT_STREQ(cfg.socket, "/run/mysqld/mysqld.sock");
    ASSERT_STREQ(cfg.database, "ft");
    ASSERT_STREQ(cfg.host, "localhost");
    /* escaped socket path */
    ASSERT_EQ_INT(parse("mariadb://root@localhost/ft?socket=%2Ftmp%2Fa%20b.sock"), 0);
    ASSERT_STREQ(cfg.socket, "/tmp/a b.sock");
    /* two options, the second one unknown */
    expect_fail("mariadb://root@localhost/ft?socket=/x.sock&ssl=1", "unknown option 'ssl=1'");
}

TEST(db_config_unknown_option)
{
    expect_fail("mariadb://u@h/d?charset=utf8", "unknown option 'charset=utf8'");
    expect_fail("mariadb://u@h/d?sock=/x", "unknown option");
}

TEST(db_config_missing_database)
{
    expect_fail("mariadb://u:p@h", "names no database");
    expect_fail("mariadb://u:p@h:3306", "names no database");
    expect_fail("mariadb://u:p@h/", "names no database");
    expect_fail("mariadb://u:p@h/?socket=/x.sock", "names no database");
}

/* Without a "/database" but with "?socket=/path", the slash of the socket
 * path is taken as the start of the database: host becomes "h?socket="
 * and database "run/mysqld.sock", and the call succeeds. */
TEST(db_config_missing_database_with_socket)
{
    expect_fail("mariadb://root@localhost?socket=/run/mysqld.sock", "names no database");
}

TEST(db_config_bad_port)
{
    expect_fail("mariadb://u@h:/d", "invalid port");
    expect_fail("mariadb://u@h:0/d", "invalid port");
    expect_fail("mariadb://u@h:65536/d", "invalid port");
    expect_fail("mariadb://u@h:-1/d", "invalid port");
    expect_fail("mariadb://u@h:33o6/d", "invalid port");
    expect_fail("mariadb://u@h:3306x/d", "invalid port");
    expect_fail("mariadb://u@h:99999999999999999999/d", "invalid port");
    ASSERT_EQ_INT(parse("mariadb://u@h:65535/d"), 0);
    ASSERT_EQ_UINT(cfg.port, 65535);
    ASSERT_EQ_INT(parse("mariadb://u@h:1/d"), 0);
    ASSERT_EQ_UINT(cfg.port, 1);
}

static void url_with(char *url, size_t size, const char *fmt, size_t n, char fill)
{
    char part[600];
    memset(part, fill, n);
    part[n] = '\0';
    snprintf(url, size, fmt, part);
}

TEST(db_config_too_long_parts)
{
    char url[1024];
    /* the longest that fit */
    url_with(url, sizeof url, "mariadb://%s@h/d", sizeof cfg.user - 1, 'u');
    ASSERT_EQ_INT(parse(url), 0);
    ASSERT_EQ_UINT(strlen(cfg.user), sizeof cfg.user - 1);
    url_with(url, sizeof url, "mariadb://u:%s@h/d", sizeof cfg.password - 1, 'p');
    ASSERT_EQ_INT(parse(url), 0);
    ASSERT_EQ_UINT(strlen(cfg.password), sizeof cfg.password - 1);
    url_with(url, sizeof url, "mariadb://u@%s/d", sizeof cfg.host - 1, 'h');
    ASSERT_EQ_INT(parse(url), 0);
    url_with(url, sizeof url, "mariadb://u@h/%s", sizeof cfg.database - 1, 'd');
    ASSERT_EQ_INT(parse(url), 0);
    ASSERT_EQ_UINT(strlen(cfg.database), sizeof cfg.database - 1);
    url_with(url, sizeof url, "mariadb://u@h/d?socket=/%s", sizeof cfg.socket - 2, 's');
    ASSERT_EQ_INT(parse(url), 0);
    ASSERT_EQ_UINT(strlen(cfg.socket), sizeof cfg.socket - 1);

    /* one more does not */
    url_with(url, sizeof url, "mariadb://%s@h/d", sizeof cfg.user, 'u');
    expect_fail(url, "too long");
    url_with(url, sizeof url, "mariadb://u:%s@h/d", sizeof cfg.password, 'p');
    expect_fail(url, "too long");
    url_with(url, sizeof url, "mariadb://u@%s/d", sizeof cfg.host, 'h');
    expect_fail(url, "too long");
    url_with(url, sizeof url, "mariadb://u@h/%s", sizeof cfg.database, 'd');
    expect_fail(url, "too long");
    url_with(url, sizeof url, "mariadb://u@h/d?socket=/%s", sizeof cfg.socket - 1, 's');
    expect_fail(url, "too long");
}
