# Sourced by every command in this folder (not run on its own). The caller sets PORTAL_BIN to its
# own folder (symbolic links resolved), so a command linked from elsewhere still finds its bundle.
# What it sets up:
#   - the bundle's root (the folder above bin/), its app/ and its Node 24 (node/bin/node): the
#     machine's own Node and npm, if any, are never used;
#   - the settings: ${PORTAL_ENV_FILE:-/etc/chuangcheng-portal/portal.env}, loaded when readable,
#     so a command typed by an operator sees what the services see (systemd's EnvironmentFile is
#     the same file). The file's values win over the caller's environment; to run with other
#     settings, point PORTAL_ENV_FILE at another file (or at /dev/null);
#   - CONTENT_DIR, when no setting names it: the bundle's own app/content (the portal's default,
#     ./content, would be relative to wherever the command was typed).
# Paths given to a command (a backup folder, mail files) stay relative to where it was typed.
PORTAL_ROOT=$(cd "$PORTAL_BIN/.." && pwd -P)
PORTAL_APP="$PORTAL_ROOT/app"
PORTAL_NODE="$PORTAL_ROOT/node/bin/node"

portal_env_file=${PORTAL_ENV_FILE:-/etc/chuangcheng-portal/portal.env}
if [ -r "$portal_env_file" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$portal_env_file"
  set +a
elif [ -n "${PORTAL_ENV_FILE:-}" ]; then
  echo "portal: PORTAL_ENV_FILE=$PORTAL_ENV_FILE is not a readable file" >&2
  exit 2
fi

: "${CONTENT_DIR:=$PORTAL_APP/content}"
export CONTENT_DIR

# Typed as root on an installed machine, a command runs as the owner of DATA_DIR (the service's
# user, chuangcheng): the files it makes there — the database's -wal and -shm, the log, a
# restored database — must stay writable by the services.
if [ -n "${DATA_DIR:-}" ] && [ -d "$DATA_DIR" ] && command -v id >/dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
  command -v stat >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1; then
  portal_owner=$(stat -c %U "$DATA_DIR")
  if [ "$portal_owner" != root ] && [ "$portal_owner" != UNKNOWN ]; then
    exec runuser -u "$portal_owner" -- "$0" "$@"
  fi
fi

if [ ! -x "$PORTAL_NODE" ]; then
  echo "portal: $PORTAL_NODE is missing: unpack the whole bundle (it carries its own Node)" >&2
  exit 2
fi

# Runs one of the app's entry points (a path under app/) with the bundle's Node, in place of this shell.
portal_run() {
  portal_entry=$1
  shift
  exec "$PORTAL_NODE" "$PORTAL_APP/$portal_entry" "$@"
}
