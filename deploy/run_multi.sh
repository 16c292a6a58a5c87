#!/bin/sh
# Run GTEC Observatory as N app processes behind nginx on this host (docs/deploy.md, "N processes").
#
#   deploy/run_multi.sh [N] [PORT] [BASE_PORT]     (defaults: 2 processes, proxy on 8080, apps on 8601..)
#
# Uses the same GTEC_DATA_DIR (reference store) and GTEC_WORKSPACE (SQLite workspace, WAL) for every process.
# Runs in the foreground; Ctrl-C or SIGTERM stops nginx and the app processes. Needs nginx (apt-get install
# nginx-light) and the project's virtual environment (.venv, or PYTHON=/path/to/python).
set -eu
N=${1:-2}
PORT=${2:-8080}
BASE=${3:-8601}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
RUNDIR=${GTEC_RUN_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/gtec-run.XXXXXX")}
[ -x "$NGINX" ] || { echo "run_multi.sh: nginx not found (apt-get install nginx-light)" >&2; exit 3; }
mkdir -p "$RUNDIR"
for d in client_body proxy fastcgi uwsgi scgi; do mkdir -p "$RUNDIR/$d"; done
if [ "$(id -u)" = 0 ]; then  # nginx workers started by root run as nobody: let them use the temporary files
  chmod 755 "$RUNDIR"
  for d in client_body proxy fastcgi uwsgi scgi; do chown nobody "$RUNDIR/$d"; done
fi

UPSTREAMS=""
i=0
while [ "$i" -lt "$N" ]; do
  UPSTREAMS="$UPSTREAMS        server 127.0.0.1:$((BASE + i)) max_fails=3 fail_timeout=10s;
"
  i=$((i + 1))
done
awk -v up="$UPSTREAMS" -v port="$PORT" -v run="$RUNDIR" -v dep="$HERE" '
  { gsub(/@PORT@/, port); gsub(/@RUNDIR@/, run); gsub(/@DEPLOY@/, dep) }
  /^@UPSTREAMS@$/ { printf "%s", up; next }
  { print }' "$HERE/nginx-local.conf.in" > "$RUNDIR/nginx.conf"
"$NGINX" -t -q -c "$RUNDIR/nginx.conf" -p "$RUNDIR" -e "$RUNDIR/nginx-error.log"

cd "$ROOT"
"$PYTHON" -m components.serve --procs "$N" --base-port "$BASE" --server.enableXsrfProtection=true \
  > "$RUNDIR/app.log" 2>&1 &
APP=$!
"$NGINX" -c "$RUNDIR/nginx.conf" -p "$RUNDIR" -e "$RUNDIR/nginx-error.log" &
PROXY=$!
stop() { kill "$PROXY" "$APP" 2>/dev/null || true; wait "$PROXY" "$APP" 2>/dev/null || true; }
trap 'stop; exit 0' INT TERM
trap stop EXIT

# Health: every app process, then the proxy.
i=0
while [ "$i" -lt "$N" ]; do
  tries=0
  until [ "$(curl -fsS "http://127.0.0.1:$((BASE + i))/_stcore/health" 2>/dev/null)" = "ok" ]; do
    tries=$((tries + 1)); [ "$tries" -lt 400 ] || { echo "app process $((BASE + i)) did not start" >&2; cat "$RUNDIR/app.log" >&2; exit 4; }
    kill -0 "$APP" 2>/dev/null || { echo "the app launcher exited" >&2; cat "$RUNDIR/app.log" >&2; exit 4; }
    sleep 0.3
  done
  i=$((i + 1))
done
until [ "$(curl -fsS "http://127.0.0.1:$PORT/_stcore/health" 2>/dev/null)" = "ok" ]; do sleep 0.2; done
echo "gtec: ready on http://127.0.0.1:$PORT ($N app processes, run directory $RUNDIR)"
wait "$APP"
