/* Unit tests for config_load (server/config.h): flags, environment, defaults.
 * Every test runs in its own forked process, so setenv does not leak. */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static void clear_env(void)
{
    static const char *const vars[] = {"FT_LISTEN",          "FT_DB_URL",
                                       "FT_DATA_DIR",        "FT_LOG",
                                       "FT_THREADS",         "FT_DB_POOL",
                                       "FT_DB_QUEUE",        "FT_MAX_CONNECTIONS",
                                       "FT_REQUEST_TIMEOUT", "FT_SHUTDOWN_GRACE",
                                       "FT_TRUSTED_PROXIES", "FT_METRICS_TOKEN",
                                       "FT_SECRET",          "FT_HOUSEKEEPING_INTERVAL"};
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        unsetenv(vars[i]);
}

/* argv storage: config_load rewrites the array (and writes argv[argc]). */
static char *args[16];
static int nargs;
static struct config cfg;
static char err[256];

static int load(int n, ...)
{
    va_list ap;
    va_start(ap, n);
    args[0] = (char *)"fibertrackd";
    for (int i = 0; i < n; i++)
        args[i + 1] = va_arg(ap, char *);
    va_end(ap);
    nargs = n + 1;
    args[nargs] = NULL;
    err[0] = '\0';
    memset(&cfg, 0x5a, sizeof cfg);
    return config_load(&cfg, &nargs, args, err, sizeof err);
}

TEST(config_defaults)
{
    clear_env();
    ASSERT_EQ_INT(load(0), 0);
    ASSERT_STREQ(cfg.listen, "127.0.0.1:8080");
    ASSERT_STREQ(cfg.db_url, "");
    ASSERT_STREQ(cfg.data_dir, "./var");
    ASSERT_STREQ(cfg.log_level, "info");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    ASSERT_EQ_INT(cfg.threads, cores > 0 ? cores : 1);
    ASSERT_EQ_INT(cfg.db_pool, 8);
    ASSERT_EQ_INT(cfg.db_queue, 512);
    ASSERT_EQ_INT(cfg.max_connections, 1024);
    ASSERT_EQ_INT(cfg.request_timeout, 30);
    ASSERT_EQ_INT(cfg.shutdown_grace, 20);
    ASSERT_STREQ(cfg.trusted_proxies, "");
    ASSERT_STREQ(cfg.metrics_token, "");
    ASSERT_STREQ(cfg.secret, "");
    ASSERT_EQ_INT(cfg.housekeeping_interval, 60);
    ASSERT_EQ_INT(nargs, 1);
    ASSERT_STREQ(args[0], "fibertrackd");
    ASSERT_NULL(args[1]);
}

TEST(config_flags_separate_and_equals)
{
    clear_env();
    ASSERT_EQ_INT(load(4, "--listen", "0.0.0.0:9000", "--threads=3", "--log=debug"), 0);
    ASSERT_STREQ(cfg.listen, "0.0.0.0:9000");
    ASSERT_EQ_INT(cfg.threads, 3);
    ASSERT_STREQ(cfg.log_level, "debug");
    ASSERT_EQ_INT(nargs, 1);
    ASSERT_NULL(args[1]);
}

TEST(config_every_integer_flag)
{
    clear_env();
    ASSERT_EQ_INT(load(6, "--db-pool=4", "--db-queue=99", "--max-connections", "10",
                       "--request-timeout=5", "--shutdown-grace=0"),
                  0);
    ASSERT_EQ_INT(cfg.db_pool, 4);
    ASSERT_EQ_INT(cfg.db_queue, 99);
    ASSERT_EQ_INT(cfg.max_connections, 10);
    ASSERT_EQ_INT(cfg.request_timeout, 5);
    ASSERT_EQ_INT(cfg.shutdown_grace, 0);
}

TEST(config_string_flags)
{
    clear_env();
    ASSERT_EQ_INT(load(2, "--db-url=mariadb://u@h/d", "--data-dir=/srv/ft"), 0);
    ASSERT_STREQ(cfg.db_url, "mariadb://u@h/d");
    ASSERT_STREQ(cfg.data_dir, "/srv/ft");
    /* a value may contain '=' */
    ASSERT_EQ_INT(load(1, "--db-url=mariadb://u@h/d?socket=/a=b"), 0);
    ASSERT_STREQ(cfg.db_url, "mariadb://u@h/d?socket=/a=b");
}

TEST(config_environment)
{
    clear_env();
    setenv("FT_THREADS", "5", 1);
    setenv("FT_LISTEN", "[::1]:8081", 1);
    setenv("FT_DB_POOL", "2", 1);
    setenv("FT_SHUTDOWN_GRACE", "7", 1);
    ASSERT_EQ_INT(load(0), 0);
    ASSERT_EQ_INT(cfg.threads, 5);
    ASSERT_STREQ(cfg.listen, "[::1]:8081");
    ASSERT_EQ_INT(cfg.db_pool, 2);
    ASSERT_EQ_INT(cfg.shutdown_grace, 7);
    ASSERT_EQ_INT(cfg.db_queue, 512); /* untouched default */
}

TEST(config_flags_override_environment)
{
    clear_env();
    setenv("FT_THREADS", "5", 1);
    setenv("FT_LOG", "warn", 1);
    ASSERT_EQ_INT(load(1, "--threads=2"), 0);
    ASSERT_EQ_INT(cfg.threads, 2);
    ASSERT_STREQ(cfg.log_level, "warn");
}

TEST(config_empty_environment_is_ignored)
{
    clear_env();
    setenv("FT_THREADS", "", 1);
    setenv("FT_LISTEN", "", 1);
    ASSERT_EQ_INT(load(0), 0);
    ASSERT_STREQ(cfg.listen, "127.0.0.1:8080");
    ASSERT_GE_INT(cfg.threads, 1);
}

TEST(config_invalid_integers)
{
    static const char *const bad[] = {"--threads=abc",       "--threads=3x",
                                      "--threads=",          "--threads=0",
                                      "--threads=257",       "--threads=-1",
                                      "--threads=1.5",       "--threads=99999999999999999999",
                                      "--shutdown-grace=-1", "--request-timeout=3601",
                                      "--db-queue=100001"};
    clear_env();
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char arg[64];
        strcpy(arg, bad[i]);
        if (load(1, arg) != -1)
            FAIL("config_load accepted %s", bad[i]);
        if (!strstr(err, "must be an integer from"))
            FAIL("%s: message \"%s\"", bad[i], err);
    }
    /* the bounds themselves are fine */
    ASSERT_EQ_INT(load(2, "--threads=256", "--db-queue=100000"), 0);
    ASSERT_EQ_INT(cfg.threads, 256);
    ASSERT_EQ_INT(cfg.db_queue, 100000);
    ASSERT_EQ_INT(load(1, "--threads=1"), 0);
    ASSERT_EQ_INT(cfg.threads, 1);
}

TEST(config_invalid_environment_integer)
{
    clear_env();
    setenv("FT_THREADS", "many", 1);
    ASSERT_EQ_INT(load(0), -1);
    ASSERT(strstr(err, "FT_THREADS") != NULL);
    ASSERT(strstr(err, "from 1 to 256") != NULL);
    /* a valid flag does not rescue an invalid environment variable */
    ASSERT_EQ_INT(load(1, "--threads=2"), -1);
}

TEST(config_flag_needs_value)
{
    clear_env();
    ASSERT_EQ_INT(load(1, "--listen"), -1);
    ASSERT(strstr(err, "--listen needs a value") != NULL);
    ASSERT_EQ_INT(load(2, "serve", "--threads"), -1);
    ASSERT(strstr(err, "--threads") != NULL);
}

TEST(config_too_long_string)
{
    char arg[300];
    clear_env();
    strcpy(arg, "--log=");
    memset(arg + 6, 'x', 16); /* log_level holds 15 characters */
    arg[22] = '\0';
    ASSERT_EQ_INT(load(1, arg), -1);
    ASSERT(strstr(err, "too long") != NULL);
    arg[21] = '\0'; /* 15 characters fit */
    ASSERT_EQ_INT(load(1, arg), 0);
    ASSERT_EQ_UINT(strlen(cfg.log_level), 15);
}

TEST(config_unknown_flags_left_in_argv)
{
    clear_env();
    ASSERT_EQ_INT(load(6, "migrate", "--verbose", "--threads", "4", "--listen=x:1", "extra"), 0);
    ASSERT_EQ_INT(cfg.threads, 4);
    ASSERT_STREQ(cfg.listen, "x:1");
    ASSERT_EQ_INT(nargs, 4);
    ASSERT_STREQ(args[0], "fibertrackd");
    ASSERT_STREQ(args[1], "migrate");
    ASSERT_STREQ(args[2], "--verbose");
    ASSERT_STREQ(args[3], "extra");
    ASSERT_NULL(args[4]);
}

TEST(config_flag_prefix_is_not_the_flag)
{
    clear_env();
    /* "--threadsX" and "--log-level" are other flags, left in place */
    ASSERT_EQ_INT(load(2, "--threadsX=3", "--log-level=debug"), 0);
    ASSERT_STREQ(cfg.log_level, "info");
    ASSERT_EQ_INT(nargs, 3);
    ASSERT_STREQ(args[1], "--threadsX=3");
    ASSERT_STREQ(args[2], "--log-level=debug");
}

TEST(config_edge_and_secret_options)
{
    clear_env();
    setenv("FT_TRUSTED_PROXIES", "10.0.0.0/8, ::1", 1);
    setenv("FT_METRICS_TOKEN", "scrape-token-0123456789", 1);
    setenv("FT_SECRET", "0123456789abcdef0123456789abcdef", 1);
    setenv("FT_HOUSEKEEPING_INTERVAL", "5", 1);
    ASSERT_EQ_INT(load(0), 0);
    ASSERT_STREQ(cfg.trusted_proxies, "10.0.0.0/8, ::1");
    ASSERT_STREQ(cfg.metrics_token, "scrape-token-0123456789");
    ASSERT_STREQ(cfg.secret, "0123456789abcdef0123456789abcdef");
    ASSERT_EQ_INT(cfg.housekeeping_interval, 5);
    ASSERT_EQ_INT(load(4, "--trusted-proxies=127.0.0.1/32", "--metrics-token=other-token-abcdefgh",
                       "--secret=another secret of thirty-two chars", "--housekeeping-interval=1"),
                  0);
    ASSERT_STREQ(cfg.trusted_proxies, "127.0.0.1/32");
    ASSERT_STREQ(cfg.metrics_token, "other-token-abcdefgh");
    ASSERT_STREQ(cfg.secret, "another secret of thirty-two chars");
    ASSERT_EQ_INT(cfg.housekeeping_interval, 1);
    char arg[64];
    strcpy(arg, "--housekeeping-interval=0");
    ASSERT_EQ_INT(load(1, arg), -1);
    ASSERT(strstr(err, "from 1 to 86400") != NULL);
}
