/* cmd_completion.c — `fibertrack completion bash|zsh`: shell completion
 * scripts for commands, subcommands, options and their values, with
 * segment, lot and project codes from the local code cache (codes.h);
 * and `completion codes KIND`, which the scripts call for those.
 *
 * The scripts share one word-finding function written in the part of sh
 * that bash and zsh read alike; only the glue to each shell differs. The
 * command tree below is data, so that a new option is one word here.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "args.h"
#include "codes.h"
#include "output.h"

/* Options of a command (or of one of its subcommands); "=" marks those
 * that take a value. */
struct comp {
    const char *cmd;
    const char *sub;  /* "" for the command itself */
    const char *subs; /* its subcommands, or "" */
    const char *opts;
};

static const struct comp tree[] = {
    {"login", "", "", "--email= --password-stdin"},
    {"logout", "", "", ""},
    {"whoami", "", "", ""},
    {"projects", "", "", "--search= --limit="},
    {"lots", "", "", "--search= --limit="},
    {"segments", "", "list show accept",
     "--lot= --status= --contractor= --method= --search= --limit= --all-projects"},
    {"segments", "list", "",
     "--lot= --status= --contractor= --method= --search= --limit= --all-projects"},
    {"segments", "show", "", ""},
    {"segments", "accept", "", "--date= --note="},
    {"premises", "", "", "--status= --segment= --search= --limit= --all-projects"},
    {"milestones", "", "list show update", "--state="},
    {"milestones", "list", "", "--state="},
    {"milestones", "show", "", ""},
    {"milestones", "update", "",
     "--name= --kind= --planned-date= --forecast-date= --actual-date= --notes= --tranche= "
     "--funding-relevant= --if-match= --force"},
    {"invoices", "", "list show add edit delete import",
     "--lot= --contractor= --category= --status= --from= --to= --search="},
    {"invoices", "list", "", "--lot= --contractor= --category= --status= --from= --to= --search="},
    {"invoices", "show", "", ""},
    {"invoices", "add", "",
     "--number= --date= --category= --net= --vat= --eligible= --lot= --contractor= --status= "
     "--paid-date="},
    {"invoices", "edit", "",
     "--number= --date= --category= --net= --vat= --eligible= --lot= --contractor= --status= "
     "--paid-date="},
    {"invoices", "delete", "", ""},
    {"invoices", "import", "", "--dry-run"},
    {"budget", "", "list set", "--year= --category="},
    {"budget", "list", "", "--year= --category="},
    {"budget", "set", "", "--category= --year= --planned= --note="},
    {"drawdowns", "", "list show add edit submit receive workbook delete", "--state="},
    {"drawdowns", "list", "", "--state="},
    {"drawdowns", "add", "", "--from= --to= --federal= --state= --note="},
    {"drawdowns", "edit", "", "--from= --to= --federal= --state= --note="},
    {"drawdowns", "receive", "", "--date= --federal= --state="},
    {"drawdowns", "workbook", "", "-o= --output="},
    {"notes", "", "list show set", ""},
    {"notes", "show", "", "--from= --to="},
    {"notes", "set", "", "--from= --to= --text= --file="},
    {"progress", "", "submit list", ""},
    {"progress", "submit", "",
     "--segment= --length= --built-length= --status= --date= --note= --queue --no-queue "
     "--idempotency-key= --photo= --caption="},
    {"progress", "list", "", "--state= --segment= --limit="},
    {"sync", "", "", ""},
    {"queue", "", "list retry drop", ""},
    {"attachments", "", "list get", ""},
    {"attachments", "list", "", "--report="},
    {"attachments", "get", "", "-o= --output= --force"},
    {"reports", "", "progress costs", "-o= --output= --as-of= --from= --to= --lang="},
    {"export", "", "", "-o= --output= --format= --phase= --nbest-version="},
    {"import", "", "", "--dry-run --crs="},
    {"completion", "", "bash zsh codes", ""},
};

static const char global_opts[] = "--server= --project= --json -q --quiet -v --verbose --retries= "
                                  "--timeout= -h --help";

#define NTREE (sizeof(tree) / sizeof(tree[0]))

/* Prints the words of opts, without "=" (values) or only those that take
 * one (with "=" dropped). */
static void print_opts(FILE *f, const char *opts, int only_valued)
{
    const char *p = opts;
    int first = 1;
    while (*p) {
        size_t n = strcspn(p, " ");
        int valued = n > 0 && p[n - 1] == '=';
        if (n > 0 && (!only_valued || valued)) {
            fprintf(f, "%s%.*s", first ? "" : " ", (int)(n - (size_t)valued), p);
            first = 0;
        }
        p += n;
        while (*p == ' ')
            p++;
    }
}

/* The part both shells read alike. _fibertrack_complete CUR WORDS... (the
 * words before the cursor, without the program) prints the candidates,
 * or __files__ when a file name is wanted. */
static const char shared_logic[] =
    "_fibertrack_codes() {\n"
    "    fibertrack completion codes \"$1\" 2>/dev/null\n"
    "}\n"
    "\n"
    "_fibertrack_values() {\n"
    "    case $2 in\n"
    "    --segment) _fibertrack_codes segment ;;\n"
    "    --lot) _fibertrack_codes lot ;;\n"
    "    --project) _fibertrack_codes project ;;\n"
    "    --status)\n"
    "        case $1 in\n"
    "        premises) echo planned passed connected activated excluded ;;\n"
    "        invoices) echo received approved paid ;;\n"
    "        *) echo planned permitted in_construction civil_done cable_installed spliced tested"
    " accepted ;;\n"
    "        esac ;;\n"
    "    --state)\n"
    "        case $1 in\n"
    "        milestones) echo done late at_risk on_track ;;\n"
    "        drawdowns) echo draft submitted received ;;\n"
    "        *) echo submitted approved rejected ;;\n"
    "        esac ;;\n"
    "    --lang) echo en de ;;\n"
    "    --method) echo open_trench micro_trench hdd plough aerial existing_duct ;;\n"
    "    --funding-relevant) echo yes no ;;\n"
    "    --category) echo civil_works cabling splicing planning materials other ;;\n"
    "    --file) echo __files__ ;;\n"
    "    --kind) echo funding_approval tender_award construction_start civil_works_complete"
    " network_ready interim_report payment_request completion_notice final_report custom ;;\n"
    "    --photo | -o | --output) echo __files__ ;;\n"
    "    esac\n"
    "}\n"
    "\n"
    "_fibertrack_positional() {\n"
    "    case \"$1 $2\" in\n"
    "    'segments show' | 'segments accept') _fibertrack_codes segment ;;\n"
    "    'import ') echo __files__ ;;\n"
    "    'completion codes') echo project contractor lot node segment premise ;;\n"
    "    'invoices import') echo __files__ ;;\n"
    "    esac\n"
    "}\n"
    "\n"
    "_fibertrack_complete() {\n"
    "    local cur=\"$1\" cmd='' sub='' prev='' skip='' w\n"
    "    shift\n"
    "    for w in \"$@\"; do\n"
    "        prev=$w\n"
    "        if [ -n \"$skip\" ]; then\n"
    "            skip=''\n"
    "            continue\n"
    "        fi\n"
    "        case \" $_fibertrack_value_opts \" in\n"
    "        *\" $w \"*)\n"
    "            skip=1\n"
    "            continue\n"
    "            ;;\n"
    "        esac\n"
    "        case $w in -*) continue ;; esac\n"
    "        if [ -z \"$cmd\" ]; then\n"
    "            cmd=$w\n"
    "        elif [ -z \"$sub\" ]; then\n"
    "            case \" $(_fibertrack_subs \"$cmd\") \" in *\" $w \"*) sub=$w ;; esac\n"
    "        fi\n"
    "    done\n"
    "    if [ -n \"$skip\" ]; then\n"
    "        _fibertrack_values \"$cmd\" \"$prev\"\n"
    "        return 0\n"
    "    fi\n"
    "    case $cur in\n"
    "    -*)\n"
    "        _fibertrack_opts \"$cmd\" \"$sub\"\n"
    "        return 0\n"
    "        ;;\n"
    "    esac\n"
    "    if [ -z \"$cmd\" ]; then\n"
    "        echo \"$_fibertrack_commands\"\n"
    "        return 0\n"
    "    fi\n"
    "    if [ -z \"$sub\" ] && [ -n \"$(_fibertrack_subs \"$cmd\")\" ]; then\n"
    "        _fibertrack_subs \"$cmd\"\n"
    "        return 0\n"
    "    fi\n"
    "    _fibertrack_positional \"$cmd\" \"$sub\"\n"
    "}\n";

static const char bash_glue[] =
    "\n"
    "_fibertrack() {\n"
    "    local cur=${COMP_WORDS[COMP_CWORD]} words\n"
    "    words=$(_fibertrack_complete \"$cur\" \"${COMP_WORDS[@]:1:COMP_CWORD-1}\")\n"
    "    if [ \"$words\" = __files__ ]; then\n"
    "        compopt -o filenames 2>/dev/null\n"
    "        mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
    "        return 0\n"
    "    fi\n"
    "    mapfile -t COMPREPLY < <(compgen -W \"$words\" -- \"$cur\")\n"
    "}\n"
    "\n"
    "complete -F _fibertrack fibertrack\n";

static const char zsh_glue[] =
    "\n"
    "_fibertrack() {\n"
    "    local cur=${words[CURRENT]} out\n"
    "    out=$(_fibertrack_complete \"$cur\" \"${(@)words[2,CURRENT-1]}\")\n"
    "    if [[ $out == __files__ ]]; then\n"
    "        _files\n"
    "        return\n"
    "    fi\n"
    "    local -a cands\n"
    "    cands=(${=out})\n"
    "    compadd -a cands\n"
    "}\n"
    "\n"
    "if [ \"$funcstack[1]\" = _fibertrack ]; then\n"
    "    _fibertrack \"$@\"\n"
    "else\n"
    "    compdef _fibertrack fibertrack\n"
    "fi\n";

/* The tables of the tree as shell: commands, options with values,
 * subcommands and options per command. */
static void print_tables(FILE *f)
{
    size_t n;
    const struct command *cmds = cli_commands(&n);
    fputs("_fibertrack_commands='", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s ", cmds[i].name);
    fputs("help'\n", f);

    fputs("_fibertrack_value_opts='", f);
    print_opts(f, global_opts, 1);
    for (size_t i = 0; i < NTREE; i++) {
        fputc(' ', f);
        print_opts(f, tree[i].opts, 1);
    }
    fputs("'\n\n", f);

    fputs("_fibertrack_subs() {\n    case $1 in\n", f);
    for (size_t i = 0; i < NTREE; i++)
        if (tree[i].subs[0])
            fprintf(f, "    %s) echo %s ;;\n", tree[i].cmd, tree[i].subs);
    fputs("    esac\n}\n\n", f);

    fputs("_fibertrack_opts() {\n    case \"$1 $2\" in\n", f);
    for (size_t i = 0; i < NTREE; i++) {
        if (!tree[i].opts[0])
            continue;
        fprintf(f, "    '%s %s') echo ", tree[i].cmd, tree[i].sub);
        print_opts(f, tree[i].opts, 0);
        fputs(" ;;\n", f);
    }
    fputs("    esac\n    echo ", f);
    print_opts(f, global_opts, 0);
    fputs("\n}\n\n", f);
}

static const char completion_help[] =
    "Usage: fibertrack completion bash|zsh\n"
    "       fibertrack completion codes KIND\n"
    "\n"
    "bash, zsh  print the completion script for that shell: commands, subcommands,\n"
    "           options and their values; segment, lot and project codes come from\n"
    "           the local code cache (filled by every online list, `login` and\n"
    "           `sync`), so completing never waits for the network.\n"
    "codes      print the cached codes of KIND (project, contractor, lot, node,\n"
    "           segment, premise), one a line; the scripts use it.\n"
    "\n"
    "EXAMPLES\n"
    "  source <(fibertrack completion bash)          # this shell; or in ~/.bashrc\n"
    "  fibertrack completion bash > /etc/bash_completion.d/fibertrack\n"
    "  fibertrack completion zsh > \"${fpath[1]}/_fibertrack\"\n"
    "  fibertrack completion codes segment | head\n"
    "\n";

int cmd_completion(int argc, char **argv)
{
    int rc = args_only_global(argc, argv, "completion", completion_help);
    if (rc != ARGS_GO_ON)
        return rc;
    static const char *const shells[] = {"bash", "zsh", "codes", NULL};
    if (optind >= argc)
        return args_usage("completion", "which shell: bash or zsh?");
    const char *what = argv[optind];
    if (strcmp(what, "codes") == 0) {
        int k = optind + 1 < argc ? codes_kind_parse(argv[optind + 1]) : -1;
        if (k < 0 || optind + 2 != argc)
            return args_usage("completion", "completion codes needs one of project, contractor, "
                                            "lot, node, segment, premise");
        codes_print((enum code_kind)k, stdout);
        return EXIT_OK;
    }
    if (optind + 1 != argc)
        return args_usage("completion", "unexpected argument '%s'", argv[optind + 1]);
    int bash = strcmp(what, "bash") == 0;
    if (!bash && strcmp(what, "zsh") != 0)
        return args_unknown_word("completion", "shell", what, shells);
    if (bash)
        fputs("# bash completion for fibertrack; load it with:\n"
              "#   source <(fibertrack completion bash)\n\n",
              stdout);
    else
        fputs("#compdef fibertrack\n# zsh completion for fibertrack; put it in your $fpath as\n"
              "# _fibertrack, or load it with: source <(fibertrack completion zsh)\n\n",
              stdout);
    print_tables(stdout);
    fputs(shared_logic, stdout);
    fputs(bash ? bash_glue : zsh_glue, stdout);
    return EXIT_OK;
}
