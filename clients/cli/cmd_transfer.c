/* cmd_transfer.c — long transfers: `reports` (xlsx workbooks), `export`
 * (GeoJSON, GeoPackage, the GIS-NBest zip) and `import` (GeoJSON,
 * GeoPackage, Shapefiles, CSV), with a progress bar on a terminal.
 *
 * A download goes to a temporary file next to the target and is renamed
 * over it only when complete, so an interrupted transfer never leaves half
 * a workbook under the real name.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "args.h"
#include "download.h"
#include "fsutil.h"
#include "output.h"
#include "queue.h"
#include "shpzip.h"

#define MAX_IMPORT (64L * 1024 * 1024) /* the server's limit for imports */

/* ---- reports ---- */

static const char reports_help[] =
    "Usage: fibertrack reports progress [-o FILE] [--as-of DATE] [--lang en|de]\n"
    "       fibertrack reports costs [-o FILE] [--from DATE] [--to DATE] [--as-of DATE]\n"
    "                                [--lang en|de]\n"
    "\n"
    "Downloads an Excel workbook of the project (--project, or the only one you see):\n"
    "  progress  the progress report for the funding agency, as of a date\n"
    "  costs     the costs report (Mittelabruf) for a period; a period that has not\n"
    "            ended is marked preliminary; --as-of reads the invoices as they were\n"
    "            recorded at the end of that day\n"
    "  -o FILE   where to save it (\"-\": stdout); default: the name the server gives,\n"
    "            in the current directory\n"
    "  --as-of, --from, --to DATE   2026-09-30 or 30.09.2026\n"
    "  --lang en|de                 labels in English or German\n"
    "\n"
    "On a terminal a progress bar shows the download; the file appears under its\n"
    "name only when it is complete.\n"
    "\n"
    "EXAMPLES\n"
    "  fibertrack reports progress --as-of 30.09.2026 --lang de -o fortschritt.xlsx\n"
    "  fibertrack reports costs --from 2026-07-01 --to 2026-09-30\n"
    "  fibertrack reports costs --from 01.07.2026 --to 30.09.2026 --as-of 15.10.2026\n"
    "  fibertrack reports progress --project WF-MUSTER-2026 -o - > report.xlsx\n"
    "\n";

int cmd_reports(int argc, char **argv)
{
    enum { O_ASOF = OPT_FIRST_COMMAND, O_FROM, O_TO, O_LANG };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"output", required_argument, NULL, 'o'},
                                         {"as-of", required_argument, NULL, O_ASOF},
                                         {"from", required_argument, NULL, O_FROM},
                                         {"to", required_argument, NULL, O_TO},
                                         {"lang", required_argument, NULL, O_LANG},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL, *as_of = NULL, *from = NULL, *to = NULL, *lang = NULL;
    int c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS "o:", opts, "reports")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, reports_help);
        case 'o':
            out = optarg;
            break;
        case O_ASOF:
            as_of = optarg;
            break;
        case O_FROM:
            from = optarg;
            break;
        case O_TO:
            to = optarg;
            break;
        case O_LANG:
            lang = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return args_usage("reports", "which report: progress or costs?");
    const char *kind = argv[optind];
    if (optind + 1 < argc)
        return args_usage("reports", "unexpected argument '%s'", argv[optind + 1]);
    int progress = strcmp(kind, "progress") == 0;
    if (!progress && strcmp(kind, "costs") != 0)
        return args_usage("reports", "unknown report '%s' (progress or costs)", kind);
    if (progress && (from || to))
        return args_usage("reports", "--from/--to are for the costs report; use --as-of");
    const char *dates[3] = {as_of, from, to};
    char iso[3][11];
    for (int i = 0; i < 3; i++)
        if (dates[i] && args_date(dates[i], iso[i]) != 0)
            return args_usage("reports", "a date needs 2026-09-30 or 30.09.2026, not '%s'",
                              dates[i]);
    as_of = as_of ? iso[0] : NULL;
    from = from ? iso[1] : NULL;
    to = to ? iso[2] : NULL;
    if (lang && strcmp(lang, "en") != 0 && strcmp(lang, "de") != 0)
        return args_usage("reports", "--lang must be en or de");
    if (out && !*out)
        return args_usage("reports", "-o needs a file name");

    struct api a;
    long long pid;
    int rc = api_open_project(&a, &pid);
    if (rc != EXIT_OK)
        return rc;
    char path[512];
    int k = snprintf(path, sizeof(path), "/projects/%lld/reports/%s.xlsx", pid, kind);
    const char *sep = "?";
    const char *names[4] = {"as_of", "from", "to", "lang"};
    const char *vals[4] = {as_of, from, to, lang};
    for (int i = 0; i < 4; i++) {
        if (!vals[i])
            continue;
        k += snprintf(path + k, sizeof(path) - (size_t)k, "%s%s=%s", sep, names[i], vals[i]);
        sep = "&";
    }
    char fallback[64], label[64];
    snprintf(fallback, sizeof(fallback), "%s-%lld.xlsx", kind, pid);
    snprintf(label, sizeof(label), "Downloading the %s report", kind);
    struct download d = {.path = path,
                         .out_path = out,
                         .fallback = fallback,
                         .label = label,
                         .what = progress ? "downloading the progress report"
                                          : "downloading the costs report",
                         .binary = 1};
    rc = download_file(&a, &d);
    if (rc == EXIT_NOT_FOUND)
        fprintf(stderr, "  (Either the project does not exist for you, or this server "
                        "does not offer this report yet.)\n");
    return rc;
}

/* ---- export ---- */

static const char export_help[] =
    "Usage: fibertrack export [--format geojson|gpkg|gis-nbest] [--phase plan|asbuilt] [-o FILE]\n"
    "\n"
    "Downloads the project's network (nodes, segments, premises with their current\n"
    "status) for QGIS and ogr2ogr, or the delivery the funding agency asks for:\n"
    "  --format geojson    one GeoJSON FeatureCollection with a layer property\n"
    "                      (the default)\n"
    "  --format gpkg       a GeoPackage with the layers nodes, segments, premises\n"
    "  --format gis-nbest  the GIS-Nebenbestimmungen 5.1 delivery: Shapefiles and a\n"
    "                      GeoPackage in ETRS89 / UTM 32N (EPSG:25832), zipped\n"
    "  --phase plan|asbuilt   for gis-nbest: the network plan (the default), or what\n"
    "                         is built\n"
    "  --nbest-version V      for gis-nbest: the version (5.1, the default)\n"
    "  -o FILE   where to save it (\"-\": stdout); default: the server's name\n"
    "\n"
    "EXAMPLES\n"
    "  fibertrack export -o netz.geojson\n"
    "  fibertrack export --format gpkg -o netz.gpkg\n"
    "  fibertrack export --format gis-nbest --phase plan -o gis-nbest-plan.zip\n"
    "  fibertrack export --project WF-MUSTER-2026 -o - | ogr2ogr -f GPKG netz.gpkg /vsistdin/\n"
    "\n";

int cmd_export(int argc, char **argv)
{
    enum { O_FORMAT = OPT_FIRST_COMMAND, O_PHASE, O_NVERSION };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"output", required_argument, NULL, 'o'},
                                         {"format", required_argument, NULL, O_FORMAT},
                                         {"phase", required_argument, NULL, O_PHASE},
                                         {"nbest-version", required_argument, NULL, O_NVERSION},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL, *format = "geojson", *phase = NULL, *version = NULL;
    int c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS "o:", opts, "export")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, export_help);
        case 'o':
            out = optarg;
            break;
        case O_FORMAT:
            format = optarg;
            break;
        case O_PHASE:
            phase = optarg;
            break;
        case O_NVERSION:
            version = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return args_usage("export", "unexpected argument '%s'", argv[optind]);
    if (out && !*out)
        return args_usage("export", "-o needs a file name");
    int nbest = strcmp(format, "gis-nbest") == 0;
    if (!nbest && strcmp(format, "geojson") != 0 && strcmp(format, "gpkg") != 0)
        return args_usage("export", "--format must be geojson, gpkg or gis-nbest");
    if (!nbest && (phase || version))
        return args_usage("export", "--phase and --nbest-version are for --format gis-nbest");
    if (nbest && !phase)
        phase = "plan";
    if (nbest && strcmp(phase, "plan") != 0 && strcmp(phase, "asbuilt") != 0)
        return args_usage("export", "--phase must be plan or asbuilt");
    if (version && strspn(version, "0123456789.") != strlen(version))
        return args_usage("export", "--nbest-version is a number such as 5.1");
    struct api a;
    long long pid;
    int rc = api_open_project(&a, &pid);
    if (rc != EXIT_OK)
        return rc;
    char path[160], fallback[64];
    if (nbest) {
        snprintf(path, sizeof(path), "/projects/%lld/exports/gis-nbest.zip?version=%s&phase=%s",
                 pid, version ? version : "5.1", phase);
        snprintf(fallback, sizeof(fallback), "gis-nbest-%s-%lld.zip", phase, pid);
    } else {
        snprintf(path, sizeof(path), "/projects/%lld/export.%s", pid, format);
        snprintf(fallback, sizeof(fallback), "project-%lld.%s", pid, format);
    }
    struct download d = {.path = path,
                         .out_path = out,
                         .fallback = fallback,
                         .label = nbest ? "Downloading the GIS-NBest delivery"
                                        : "Downloading the network",
                         .what = "exporting",
                         .binary = strcmp(format, "geojson") != 0};
    return download_file(&a, &d);
}

/* ---- import ---- */

static const char import_help[] =
    "Usage: fibertrack import FILE [--dry-run] [--crs EPSG:N]\n"
    "\n"
    "Imports nodes, segments and premises into the project from a file as QGIS or\n"
    "ogr2ogr write it, told by its name: GeoJSON (.geojson, .json), a GeoPackage\n"
    "(.gpkg), Shapefiles (.zip of them, or one .shp with its .shx, .dbf and .prj\n"
    "beside it) or CSV with a WKT column (.csv). A feature's layer is its layer\n"
    "attribute (node, segment, premise) or the name of the file's layer (nodes,\n"
    "segments, premises); objects are matched by code (created or updated). Any\n"
    "coordinate system the file names is transformed to WGS84. All or nothing: if\n"
    "any feature is wrong, nothing is imported and every problem is listed with\n"
    "the feature's number in its layer, its code and the field.\n"
    "\n"
    "  --dry-run     only check the file and tell what would change\n"
    "  --crs EPSG:N  the coordinate system of a file that names none (CSV)\n"
    "\n"
    "EXAMPLES\n"
    "  fibertrack import plan.gpkg --dry-run\n"
    "  fibertrack import trassen.shp\n"
    "  fibertrack import netz.csv --crs EPSG:25832\n"
    "  fibertrack import plan.geojson\n"
    "\n";

/* The media type of an import file, by its name; NULL for none the server
 * takes. *shp is set for a lone .shp, which is zipped with its sidecars. */
static const char *import_type(const char *file, int *shp)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".geojson", "application/geo+json"},
                 {".json", "application/geo+json"},
                 {".gpkg", "application/geopackage+sqlite3"},
                 {".zip", "application/zip"},
                 {".shp", "application/zip"},
                 {".csv", "text/csv"}};
    size_t n = strlen(file);
    *shp = 0;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        size_t m = strlen(types[i].ext);
        if (n > m && strcasecmp(file + n - m, types[i].ext) == 0) {
            *shp = strcmp(types[i].ext, ".shp") == 0;
            return types[i].type;
        }
    }
    return NULL;
}

static void print_import_result(const cJSON *j, int dry_run)
{
    if (g_cli.json) {
        out_json(j);
        return;
    }
    static const char *const hdr[] = {"LAYER", "CREATED", "UPDATED", "UNCHANGED"};
    static const int right[] = {0, 1, 1, 1};
    struct table *t = table_new(4, hdr, right);
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(j, "by_layer");
    const cJSON *layer;
    cJSON_ArrayForEach(layer, by)
    {
        char b[3][32];
        const char *cells[4] = {
            layer->string, cell_text(cJSON_GetObjectItemCaseSensitive(layer, "created"), b[0], 32),
            cell_text(cJSON_GetObjectItemCaseSensitive(layer, "updated"), b[1], 32),
            cell_text(cJSON_GetObjectItemCaseSensitive(layer, "unchanged"), b[2], 32)};
        table_add(t, cells);
    }
    char b[4][32];
    const char *total[4] = {"total",
                            cell_text(cJSON_GetObjectItemCaseSensitive(j, "created"), b[0], 32),
                            cell_text(cJSON_GetObjectItemCaseSensitive(j, "updated"), b[1], 32),
                            cell_text(cJSON_GetObjectItemCaseSensitive(j, "unchanged"), b[2], 32)};
    table_add(t, total);
    table_print(t, stdout);
    table_free(t);
    out_say(dry_run ? "Dry run: the file is valid; nothing was changed." : "Imported %s features.",
            cell_text(cJSON_GetObjectItemCaseSensitive(j, "features"), b[3], 32));
}

/* Lists the bad features of a 422 by number and field. */
static void print_import_errors(const struct http_response *res, const char *file)
{
    cJSON *p = cJSON_ParseWithLength(res->body, res->len);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(p, "detail");
    const cJSON *errs = cJSON_GetObjectItemCaseSensitive(p, "errors");
    fflush(stdout);
    fprintf(stderr, "error: %s was not imported: %s\n", file,
            cJSON_IsString(d) ? d->valuestring : "the file is not valid");
    int n = cJSON_GetArraySize(errs), shown = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, errs)
    {
        if (!g_cli.verbose && shown >= 50) {
            fprintf(stderr, "  ... and %d more (all of them with --verbose or --json)\n", n - 50);
            break;
        }
        const cJSON *idx = cJSON_GetObjectItemCaseSensitive(e, "index");
        const cJSON *field = cJSON_GetObjectItemCaseSensitive(e, "field");
        const cJSON *ptr = cJSON_GetObjectItemCaseSensitive(e, "pointer");
        const cJSON *det = cJSON_GetObjectItemCaseSensitive(e, "detail");
        const cJSON *layer = cJSON_GetObjectItemCaseSensitive(e, "layer");
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
        if (cJSON_IsNumber(idx)) {
            /* "feature 3 of segments (S-000004), kind: ..." */
            char where[400];
            int k = snprintf(where, sizeof(where), "feature %.0f", idx->valuedouble);
            if (cJSON_IsString(layer))
                k += snprintf(where + k, sizeof(where) - (size_t)k, " of %s", layer->valuestring);
            if (cJSON_IsString(code) && k < (int)sizeof(where))
                k += snprintf(where + k, sizeof(where) - (size_t)k, " (%s)", code->valuestring);
            if (cJSON_IsString(field) && *field->valuestring && k < (int)sizeof(where))
                snprintf(where + k, sizeof(where) - (size_t)k, ", %s", field->valuestring);
            fprintf(stderr, "  %s: %s", where, cJSON_IsString(det) ? det->valuestring : "invalid");
        } else
            fprintf(stderr, "  %s: %s", cJSON_IsString(ptr) ? ptr->valuestring : "(file)",
                    cJSON_IsString(det) ? det->valuestring : "invalid");
        if (cJSON_IsString(ptr) && cJSON_IsNumber(idx))
            fprintf(stderr, "  [%s]", ptr->valuestring);
        fputc('\n', stderr);
        shown++;
    }
    fprintf(stderr, "Nothing was imported. Fix the file and import it again.\n");
    if (g_cli.json && p)
        out_json(p);
    cJSON_Delete(p);
}

int cmd_import(int argc, char **argv)
{
    enum { O_DRY = OPT_FIRST_COMMAND, O_CRS };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"dry-run", no_argument, NULL, O_DRY},
                                         {"crs", required_argument, NULL, O_CRS},
                                         {NULL, 0, NULL, 0}};
    int dry = 0, c;
    const char *crs = NULL;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, "import")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, import_help);
        case O_DRY:
            dry = 1;
            break;
        case O_CRS:
            crs = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind + 1 != argc)
        return args_usage("import", "import needs one file");
    const char *file = argv[optind];
    int shp;
    const char *type = import_type(file, &shp);
    if (!type)
        return args_usage("import",
                          "%s: import takes .geojson, .json, .gpkg, .zip (Shapefiles), .shp or "
                          ".csv files",
                          file);
    if (crs && (strncasecmp(crs, "EPSG:", 5) != 0 || !crs[5] ||
                strspn(crs + 5, "0123456789") != strlen(crs + 5)))
        return args_usage("import", "--crs needs an EPSG code such as EPSG:25832");

    size_t len;
    char *data = shp ? shpzip_pack(file, (size_t)MAX_IMPORT, &len)
                     : fs_read_file(file, (size_t)MAX_IMPORT, &len);
    if (!data) {
        if (errno == EFBIG)
            out_error("%s is larger than the server accepts (64 MB); split it by layer or area",
                      file);
        else if (shp && errno == ENOENT)
            out_error("%s needs its .shx and .dbf beside it", file);
        else
            out_error("cannot read %s: %s", file, strerror(errno));
        return errno == ENOENT ? EXIT_NOT_FOUND : EXIT_OTHER;
    }
    char label[300];
    if (strcmp(type, "application/geo+json") == 0) {
        /* A quick look before the upload: a broken file is told at once. */
        cJSON *doc = cJSON_ParseWithLength(data, len);
        if (!doc) {
            const char *at = cJSON_GetErrorPtr();
            long off = at && at >= data && at <= data + len ? (long)(at - data) : -1;
            long line = 1;
            for (long i = 0; i < off; i++)
                line += data[i] == '\n';
            out_error("%s is not valid JSON (near line %ld)", file, line);
            free(data);
            return EXIT_INVALID;
        }
        const cJSON *ftype = cJSON_GetObjectItemCaseSensitive(doc, "type");
        const cJSON *features = cJSON_GetObjectItemCaseSensitive(doc, "features");
        if (!cJSON_IsString(ftype) || strcmp(ftype->valuestring, "FeatureCollection") != 0 ||
            !cJSON_IsArray(features)) {
            out_error("%s is not a GeoJSON FeatureCollection", file);
            cJSON_Delete(doc);
            free(data);
            return EXIT_INVALID;
        }
        snprintf(label, sizeof(label), "Uploading %d features", cJSON_GetArraySize(features));
        cJSON_Delete(doc);
    } else {
        snprintf(label, sizeof(label), "Uploading %s", file);
    }

    struct api a;
    long long pid;
    int rc = api_open_project(&a, &pid);
    if (rc != EXIT_OK) {
        free(data);
        return rc;
    }
    char url[2048], key[64];
    if (api_url(&a, url, sizeof(url), "/projects/%lld/import%s%s%s", pid,
                dry ? "?dry_run=true" : "", crs ? (dry ? "&crs=" : "?crs=") : "",
                crs ? crs : "") != 0 ||
        queue_new_key(key) != 0) {
        free(data);
        out_error("cannot prepare the request");
        return EXIT_OTHER;
    }
    struct http_request req;
    api_request(&a, &req, "POST", url, data, len);
    req.content_type = type;
    /* A retry after a lost answer must not import twice. */
    req.idempotency_key = key;
    req.retry_inflight_409 = 1;
    req.progress_label = label;
    struct http_response res;
    if (http_send(&req, &res) != 0) {
        rc = api_no_answer(&a, &res, "importing");
    } else if (res.status >= 200 && res.status < 300) {
        cJSON *j = api_parse(&res, "importing");
        if (j) {
            print_import_result(j, dry);
            cJSON_Delete(j);
            rc = EXIT_OK;
        } else {
            rc = EXIT_OTHER;
        }
    } else if (res.status == 422) {
        print_import_errors(&res, file);
        rc = EXIT_INVALID;
    } else {
        rc = out_problem(res.status, res.body, res.len, "importing");
    }
    http_response_free(&res);
    free(data);
    return rc;
}
