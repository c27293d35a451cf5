/* cmd_attachments.c — `attachments list` and `attachments get`: the photos
 * and documents on a progress report (sent with `progress submit --photo`).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "args.h"
#include "download.h"
#include "output.h"

static const char attachments_help[] =
    "Usage: fibertrack attachments list --report ID\n"
    "       fibertrack attachments get ID [-o FILE] [--force]\n"
    "\n"
    "The photos and documents on progress reports (see: fibertrack progress submit\n"
    "--photo).\n"
    "\n"
    "list   the attachments of one report, oldest first: id, file name, type, size,\n"
    "       when and how far from the segment the photo was taken (from its EXIF\n"
    "       data), and the reviewer's flags: far_from_segment (over 200 m away),\n"
    "       taken_after_report, no_position. --json gives the server's items.\n"
    "  --report ID        the progress report (its id, see: fibertrack progress list)\n"
    "\n"
    "get    downloads one attachment, byte for byte (checked against the SHA-256\n"
    "       the server keeps).\n"
    "  -o FILE            where to save it (\"-\": stdout); default: its file name, in\n"
    "                     the current directory (never a path the server gives)\n"
    "  --force            replace a file of that name; without it an existing file\n"
    "                     is never overwritten\n"
    "\n"
    "EXAMPLES\n"
    "  fibertrack attachments list --report 42\n"
    "  fibertrack attachments list --report 42 --json | jq '.[] | select(.flags != [])'\n"
    "  fibertrack attachments get 17                # saves trench.jpg here\n"
    "  fibertrack attachments get 17 -o /tmp/evidence-17.jpg --force\n"
    "\n";

/* Every attachment of a report, following a cursor should the server ever
 * page them. Returns an exit code; *items is an array (caller frees). */
static int read_items(struct api *a, long long report, cJSON **items)
{
    char path[1200], cursor[512] = "", esc[1024];
    *items = cJSON_CreateArray();
    for (;;) {
        if (url_escape(cursor, esc, sizeof(esc)) != 0)
            esc[0] = '\0';
        snprintf(path, sizeof(path), "/progress-reports/%lld/attachments%s%s", report,
                 cursor[0] ? "?cursor=" : "", cursor[0] ? esc : "");
        cJSON *j;
        int rc = api_get_json(a, path, &j, NULL, "listing the attachments");
        if (rc != EXIT_OK) {
            cJSON_Delete(*items);
            *items = NULL;
            return rc;
        }
        cJSON *list = cJSON_GetObjectItemCaseSensitive(j, "items");
        if (!cJSON_IsArray(list)) {
            cJSON_Delete(j);
            cJSON_Delete(*items);
            *items = NULL;
            out_error("listing the attachments: the server's answer has no items");
            return EXIT_OTHER;
        }
        for (;;) {
            cJSON *it = cJSON_DetachItemFromArray(list, 0);
            if (!it)
                break;
            cJSON_AddItemToArray(*items, it);
        }
        const cJSON *next = cJSON_GetObjectItemCaseSensitive(j, "next_cursor");
        int more = cJSON_IsString(next) && next->valuestring[0] &&
                   strlen(next->valuestring) < sizeof(cursor);
        if (more)
            snprintf(cursor, sizeof(cursor), "%s", next->valuestring);
        cJSON_Delete(j);
        if (!more)
            return EXIT_OK;
    }
}

static int attachments_list(int argc, char **argv)
{
    enum { O_REPORT = OPT_FIRST_COMMAND };
    static const struct option opts[] = {
        GLOBAL_LONG_OPTIONS, {"report", required_argument, NULL, O_REPORT}, {NULL, 0, NULL, 0}};
    long long report = 0;
    int c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, "attachments")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, attachments_help);
        case O_REPORT:
            if (args_id(optarg, &report) != 0)
                return args_usage("attachments", "--report needs a report id, not '%s'", optarg);
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return args_usage("attachments", "unexpected argument '%s'", argv[optind]);
    if (!report)
        return args_usage("attachments", "attachments list needs --report ID");
    struct api a;
    int rc = api_open(&a, 1);
    if (rc != EXIT_OK)
        return rc;
    cJSON *items;
    rc = read_items(&a, report, &items);
    if (rc != EXIT_OK)
        return rc;
    if (g_cli.json) {
        out_json(items);
    } else if (cJSON_GetArraySize(items) == 0) {
        out_say("Report %lld has no attachments.", report);
    } else {
        static const char *const hdr[] = {"ID",       "FILE",   "TYPE",  "SIZE",
                                          "TAKEN AT", "DIST M", "FLAGS", "CAPTION"};
        static const int right[] = {1, 0, 0, 1, 0, 1, 0, 0};
        struct table *t = table_new(8, hdr, right);
        const cJSON *it;
        cJSON_ArrayForEach(it, items)
        {
            char id[32], size[32], dist[32] = "", flags[256];
            const cJSON *sz = cJSON_GetObjectItemCaseSensitive(it, "size");
            const cJSON *d = cJSON_GetObjectItemCaseSensitive(it, "distance_m");
            if (cJSON_IsNumber(d))
                snprintf(dist, sizeof(dist), "%.0f", d->valuedouble);
            const char *cells[8] = {
                cell_text(cJSON_GetObjectItemCaseSensitive(it, "id"), id, sizeof(id)),
                cell_text(cJSON_GetObjectItemCaseSensitive(it, "file_name"), NULL, 0),
                cell_text(cJSON_GetObjectItemCaseSensitive(it, "media_type"), NULL, 0),
                cJSON_IsNumber(sz) ? human_bytes(sz->valuedouble, size, sizeof(size)) : "",
                cell_text(cJSON_GetObjectItemCaseSensitive(it, "taken_at"), NULL, 0),
                dist,
                join_strings(cJSON_GetObjectItemCaseSensitive(it, "flags"), flags, sizeof(flags)),
                cell_text(cJSON_GetObjectItemCaseSensitive(it, "caption"), NULL, 0)};
            table_add(t, cells);
        }
        table_print(t, stdout);
        table_free(t);
    }
    cJSON_Delete(items);
    return EXIT_OK;
}

static int attachments_get(int argc, char **argv)
{
    enum { O_FORCE = OPT_FIRST_COMMAND };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"output", required_argument, NULL, 'o'},
                                         {"force", no_argument, NULL, O_FORCE},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int force = 0, c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS "o:", opts, "attachments")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, attachments_help);
        case 'o':
            out = optarg;
            break;
        case O_FORCE:
            force = 1;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind + 1 != argc)
        return args_usage("attachments", "attachments get needs one attachment ID");
    long long id;
    if (args_id(argv[optind], &id) != 0)
        return args_usage("attachments", "'%s' is not an attachment id", argv[optind]);
    if (out && !*out)
        return args_usage("attachments", "-o needs a file name");
    struct api a;
    int rc = api_open(&a, 1);
    if (rc != EXIT_OK)
        return rc;
    char path[64], fallback[64], label[64];
    snprintf(path, sizeof(path), "/attachments/%lld", id);
    snprintf(fallback, sizeof(fallback), "attachment-%lld", id);
    snprintf(label, sizeof(label), "Downloading attachment %lld", id);
    struct download d = {.path = path,
                         .out_path = out,
                         .fallback = fallback,
                         .label = label,
                         .what = "downloading the attachment",
                         .binary = 1,
                         .no_clobber = !force,
                         .strict_name = 1,
                         .verify_sha256 = 1};
    return download_file(&a, &d);
}

int cmd_attachments(int argc, char **argv)
{
    if (argc < 2)
        return args_help(stderr, attachments_help);
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0)
        return args_help(stdout, attachments_help);
    if (strcmp(sub, "list") == 0)
        return attachments_list(argc - 1, argv + 1);
    if (strcmp(sub, "get") == 0)
        return attachments_get(argc - 1, argv + 1);
    static const char *const subs[] = {"list", "get", NULL};
    return args_unknown_word("attachments", "attachments command", sub, subs);
}
