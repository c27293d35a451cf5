# shellcheck shell=bash
# Shell functions of the fibertrack test scripts for the servers they start;
# source this file. FTD must name the fibertrackd binary.
#
#   ft_free_port LO HI            a free TCP port, one of LO..HI at random
#   ft_server_start VAR DATA PORT LOG [serve options...]
#                                 starts `fibertrackd serve` on 127.0.0.1:PORT with
#                                 its data (and private MariaDB) in DATA, output to
#                                 LOG; sets VAR to its pid; returns 0 once GET
#                                 /readyz answers, 1 when it exits or is not ready
#                                 within FT_READY_SECONDS (60)
#   ft_server_stop PID [GRACE]    SIGTERM, SIGKILL after GRACE seconds (30);
#                                 returns its exit status
#   ft_mariadbd_pid DATA          the pid of DATA's private mariadbd, if it runs
#   ft_mariadbd_stop DATA         stops a mariadbd a server left behind
#   ft_alive PID, ft_wait_gone PID SECONDS, ft_describe_exit STATUS

FT_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

ft_alive() { # pid: runs (a zombie does not count)
    [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*[ZX]' "/proc/$1/status" 2>/dev/null
}

ft_wait_gone() { # pid seconds: returns 0 once pid has ended
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        ft_alive "$1" || return 0
        sleep 0.1
    done
    ! ft_alive "$1"
}

ft_free_port() {
    "${FT_PYTHON:-/usr/bin/python3}" "$FT_LIB_DIR/ftlib.py" free-port "$1" "$2"
}

ft_mariadbd_pid() {
    local pf=$1/mariadb/mariadb.pid p
    [ -f "$pf" ] || return 1
    p=$(cat "$pf" 2>/dev/null) || return 1
    [ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = mariadbd ] && ft_alive "$p" || return 1
    echo "$p"
}

ft_mariadbd_stop() {
    local p
    if p=$(ft_mariadbd_pid "$1"); then
        kill -TERM "$p" 2>/dev/null
        ft_wait_gone "$p" 30 || kill -KILL "$p" 2>/dev/null
        ft_wait_gone "$p" 5
    fi
    return 0
}

ft_server_start() {
    local var=$1 data=$2 port=$3 log=$4 pid i
    shift 4
    echo "==== fibertrackd serve --listen 127.0.0.1:$port $* ====" >>"$log"
    FT_DATA_DIR=$data "$FTD" serve --listen "127.0.0.1:$port" "$@" >>"$log" 2>&1 &
    pid=$!
    printf -v "$var" '%s' "$pid"
    # /readyz, not /healthz: it answers once the database is reachable and current.
    for ((i = 0; i < ${FT_READY_SECONDS:-60} * 10; i++)); do
        curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/readyz" 2>/dev/null && return 0
        ft_alive "$pid" || return 1
        sleep 0.1
    done
    return 1
}

ft_server_stop() {
    local pid=$1 grace=${2:-30}
    if ft_alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null
        if ! ft_wait_gone "$pid" "$grace"; then
            echo "fibertrackd (pid $pid) still runs $grace s after SIGTERM; killing it"
            kill -KILL "$pid" 2>/dev/null
        fi
    fi
    wait "$pid" 2>/dev/null
}

ft_describe_exit() { # exit status of a process, with the signal that ended it
    local rc=$1
    if [ "$rc" -gt 128 ] && [ "$rc" -lt 160 ]; then
        echo "status $rc (killed by signal $((rc - 128)): $(kill -l $((rc - 128)) 2>/dev/null))"
    else
        echo "status $rc"
    fi
}
