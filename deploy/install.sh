#!/bin/sh
# Installs, upgrades or rolls back the chuangcheng portal from an unpacked bundle
# (docs/deploy.md). Run from the bundle's root, as root:
#
#   sh install.sh                 install this release, or upgrade to it (migrate, switch, (re)start)
#   sh install.sh --rollback      switch back to the release before the current one, and restart
#
# Options:
#   --root DIR      install under DIR instead of / (a staging tree, or a test): every path below
#                   is taken under DIR; the system user is not created and nothing is chowned,
#                   what would be done is printed ("would: …") and written to DIR/install-actions.log
#   --no-systemd    do not call systemctl: the units are installed and printed, not started
#   --web-only      only the web role (the worker runs on another machine)
#   --worker-only   only the worker (on a machine of its own; needs PostgreSQL)
#   --force         with --rollback: switch even though the current release added migrations
#                   (after restoring the database of the older release: docs/deploy.md)
#
# Layout: releases in /opt/chuangcheng-portal/releases/<bundle folder>/, the live one linked as
# /opt/chuangcheng-portal/current (the one before as .../previous); settings
# /etc/chuangcheng-portal/portal.env (written once from deploy/portal.env.template, never
# overwritten); the county's content /etc/chuangcheng-portal/content (copied once); data
# /var/lib/chuangcheng-portal; logs /var/log/chuangcheng-portal; nightly backups
# /var/backups/chuangcheng-portal; units /etc/systemd/system/chuangcheng-portal-{web,worker}.service;
# log rotation /etc/logrotate.d/chuangcheng-portal.
set -eu

SERVICE_USER=chuangcheng
UNIT_WEB=chuangcheng-portal-web.service
UNIT_WORKER=chuangcheng-portal-worker.service

say() { printf '%s\n' "$*"; }
fail() {
  printf 'install.sh: %s\n' "$*" >&2
  exit 1
}
usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
}

ROOT=
SYSTEMD=1
WEB=1
WORKER=1
ROLLBACK=0
FORCE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --root)
      [ $# -ge 2 ] || fail '--root needs a folder: --root DIR'
      ROOT=$2
      shift 2
      continue
      ;;
    --root=*) ROOT=${1#--root=} ;;
    --no-systemd) SYSTEMD=0 ;;
    --web-only) WORKER=0 ;;
    --worker-only) WEB=0 ;;
    --rollback) ROLLBACK=1 ;;
    --force) FORCE=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) fail "unknown option: $1 (see: sh install.sh --help)" ;;
  esac
  shift
done
[ "$WEB" = 1 ] || [ "$WORKER" = 1 ] || fail '--web-only and --worker-only exclude each other'
[ "$FORCE" = 0 ] || [ "$ROLLBACK" = 1 ] || fail '--force goes with --rollback only'

if [ -n "$ROOT" ]; then
  mkdir -p "$ROOT" || fail "cannot make the root folder $ROOT"
  ROOT=$(cd "$ROOT" && pwd)
  [ "$ROOT" != / ] || ROOT=
fi
if [ -z "$ROOT" ] && [ "$(id -u)" != 0 ]; then
  fail 'run as root (sudo sh install.sh), or into a folder of your own with --root DIR'
fi

# Paths as the services see them (in the units and the environment file), and as written here.
OPT=/opt/chuangcheng-portal
ETC=/etc/chuangcheng-portal
DATA=/var/lib/chuangcheng-portal
LOGS=/var/log/chuangcheng-portal
BACKUPS=/var/backups/chuangcheng-portal
UNITS=/etc/systemd/system
ENV_FILE=$ROOT$ETC/portal.env
CURRENT=$ROOT$OPT/current
PREVIOUS=$ROOT$OPT/previous

# Under --root nothing outside DIR changes: system-wide steps are recorded instead.
system() {
  if [ -n "$ROOT" ]; then
    say "  would: $*"
    printf '%s\n' "$*" >>"$ROOT/install-actions.log"
  else
    "$@"
  fi
}

# The roles' units, as selected.
selected_units() {
  if [ "$WEB" = 1 ]; then printf '%s ' "$UNIT_WEB"; fi
  if [ "$WORKER" = 1 ]; then printf '%s ' "$UNIT_WORKER"; fi
}

# Switches a link atomically: a new link under a temporary name, renamed over the old one.
switch_link() { # target link
  tmp="$2.tmp.$$"
  rm -f "$tmp"
  ln -s "$1" "$tmp"
  mv -T "$tmp" "$2"
}

# The migrations a release carries (server/db/migrations/NNN-name.ts), one name a line.
migrations_of() {
  dir="$1/app/server/db/migrations"
  [ -d "$dir" ] || return 0
  for f in "$dir"/[0-9][0-9][0-9]-*.ts; do
    if [ -e "$f" ]; then basename "$f" .ts; fi
  done
}

restart_units() {
  units=
  for u in $(selected_units); do
    if [ -e "$ROOT$UNITS/$u" ]; then units="$units$u "; fi
  done
  [ -n "$units" ] || fail "no unit of the portal in $ROOT$UNITS (install first)"
  if [ "$SYSTEMD" = 0 ]; then
    say "systemd not called (--no-systemd). Installed units:"
    for u in $units; do
      say "--- $ROOT$UNITS/$u"
      cat "$ROOT$UNITS/$u"
    done
    say "Start them with: systemctl daemon-reload && systemctl enable --now $units"
    return 0
  fi
  command -v systemctl >/dev/null 2>&1 || fail 'systemctl not found: use --no-systemd and start the portal your own way'
  system systemctl daemon-reload
  # shellcheck disable=SC2086 # one word per unit
  system systemctl enable $units
  # shellcheck disable=SC2086
  system systemctl restart $units
  say "restarted: $units"
}

# --- Rollback -------------------------------------------------------------------------------
if [ "$ROLLBACK" = 1 ]; then
  [ -L "$CURRENT" ] || fail "nothing installed: $CURRENT is missing"
  [ -L "$PREVIOUS" ] || fail "no earlier release to go back to: $PREVIOUS is missing"
  now=$(readlink "$CURRENT")
  back=$(readlink "$PREVIOUS")
  [ "$now" != "$back" ] || fail "previous and current are the same release ($now)"
  [ -d "$ROOT$OPT/$back" ] || fail "the earlier release $ROOT$OPT/$back is gone"
  # A migration the current release applied and the older one lacks makes the older one refuse
  # to start ("previously executed migration … is missing"): migrations are forward-only.
  added=$(migrations_of "$ROOT$OPT/$now" | while read -r m; do
    migrations_of "$ROOT$OPT/$back" | grep -qx "$m" || say "$m"
  done)
  if [ -n "$added" ] && [ "$FORCE" = 0 ]; then
    say "Not rolled back: $now added migrations that $back does not know:" >&2
    say "$added" | sed 's/^/  /' >&2
    say "The database has them applied, so $back would refuse to start. Either fix forward (a newer" >&2
    say "release), or restore the backup taken before the upgrade with the older release and then" >&2
    say "run install.sh --rollback --force (docs/deploy.md, Rollback)." >&2
    exit 1
  fi
  switch_link "$back" "$CURRENT"
  switch_link "$now" "$PREVIOUS"
  say "current -> $back (was $now)"
  restart_units
  exit 0
fi

# --- Install or upgrade ---------------------------------------------------------------------
BUNDLE=$(cd "$(dirname "$0")" && pwd)
NAME=$(basename "$BUNDLE")
for f in VERSION bin/portal-web bin/portal-worker bin/portal-migrate deploy/portal.env.template \
  "deploy/systemd/$UNIT_WEB" "deploy/systemd/$UNIT_WORKER" deploy/logrotate/chuangcheng-portal; do
  [ -e "$BUNDLE/$f" ] || fail "$BUNDLE is not an unpacked bundle ($f is missing): run the install.sh inside chuangcheng-portal-<version>-linux-<arch>/"
done
case "$NAME" in
  *[!A-Za-z0-9._+-]* | .*) fail "unexpected bundle folder name: $NAME" ;;
esac
say "chuangcheng portal $(cat "$BUNDLE/VERSION") from $BUNDLE${ROOT:+ into $ROOT}"

# The system user: no login shell, no home of its own beyond DATA_DIR.
if [ -n "$ROOT" ] || ! id "$SERVICE_USER" >/dev/null 2>&1; then
  nologin=/usr/sbin/nologin
  [ -x "$nologin" ] || nologin=/sbin/nologin
  system useradd --system --user-group --home-dir "$DATA" --no-create-home --shell "$nologin" "$SERVICE_USER"
fi

# Folders: owner, group and mode. Settings and content are root's, readable by the service's group.
make_dir() { # path owner:group mode
  mkdir -p "$ROOT$1"
  chmod "$3" "$ROOT$1"
  system chown "$2" "$1"
}
make_dir "$OPT" root:root 0755
make_dir "$OPT/releases" root:root 0755
make_dir "$ETC" "root:$SERVICE_USER" 0750
# 0711: nginx (www-data) passes through to DATA_DIR/public-site/current, never lists or reads the rest.
make_dir "$DATA" "$SERVICE_USER:$SERVICE_USER" 0711
make_dir "$LOGS" "$SERVICE_USER:$SERVICE_USER" 0750
[ "$WORKER" = 0 ] || make_dir "$BACKUPS" "$SERVICE_USER:$SERVICE_USER" 0750
mkdir -p "$ROOT$UNITS"

# The release, beside the others: copied under a temporary name, then renamed.
RELEASE=$ROOT$OPT/releases/$NAME
if [ "$BUNDLE" = "$RELEASE" ]; then
  say "release $NAME: already in place"
elif [ -L "$CURRENT" ] && [ "$(readlink "$CURRENT")" = "releases/$NAME" ]; then
  fail "release $NAME is the current one already; to reinstall it, run $RELEASE/install.sh"
else
  rm -rf "$RELEASE.tmp"
  cp -a "$BUNDLE" "$RELEASE.tmp"
  rm -rf "$RELEASE"
  mv -T "$RELEASE.tmp" "$RELEASE"
  system chown -R root:root "$OPT/releases/$NAME"
  say "release $NAME: copied to $RELEASE"
fi

# Settings: written from the template once, never over an operator's file.
if [ -e "$ENV_FILE" ]; then
  say "settings: $ENV_FILE exists, kept as it is (never overwritten)"
  missing=$(sed -n 's/^#\{0,1\} \{0,1\}\([A-Z][A-Z0-9_]*\)=.*/\1/p' "$BUNDLE/deploy/portal.env.template" | while read -r key; do
    grep -q "^#\{0,1\} \{0,1\}$key=" "$ENV_FILE" || printf ' %s' "$key"
  done)
  [ -z "$missing" ] || say "  settings in this release's template that $ENV_FILE does not name:$missing"
else
  cp "$BUNDLE/deploy/portal.env.template" "$ENV_FILE.tmp"
  chmod 0640 "$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
  system chown "root:$SERVICE_USER" "$ETC/portal.env"
  say "settings: wrote $ENV_FILE from the template — set PUBLIC_URL (and mail, SMS) there, then restart"
fi

# The county's content (units, categories, routing, ads, site.json): copied once, then the county's.
if [ -e "$ROOT$ETC/content" ]; then
  missing=$(cd "$BUNDLE/app/content" 2>/dev/null && find . -type f | while read -r f; do
    [ -e "$ROOT$ETC/content/$f" ] || printf ' %s' "${f#./}"
  done) || true
  [ -z "$missing" ] || say "content: files of this release's content/ missing from $ETC/content (see the release notes):$missing"
elif [ -d "$BUNDLE/app/content" ]; then
  cp -R "$BUNDLE/app/content" "$ROOT$ETC/content"
  system chown -R "root:$SERVICE_USER" "$ETC/content"
  say "content: copied the seed content to $ETC/content — the county's units, points and site.json go there (content/README.md)"
fi

# Migrate with the new release before anything switches: a failure leaves the old release
# current and running (and on a first install, nothing started). On a first install this also
# spares the two services migrating the new database at the same moment.
old=
if [ -L "$CURRENT" ]; then old=$(readlink "$CURRENT"); fi
if [ "$old" = "releases/$NAME" ]; then
  say "release $NAME is the current one: units and settings refreshed, nothing switched"
else
  say "migrating the database with releases/$NAME${old:+ (upgrade from $old)}"
  if [ -n "$ROOT" ]; then
    PORTAL_ENV_FILE=$ENV_FILE "$RELEASE/bin/portal-migrate" ||
      fail "migration failed: ${old:+current still points to $old, }nothing restarted"
  else
    (cd / && runuser -u "$SERVICE_USER" -- env PORTAL_ENV_FILE="$ENV_FILE" "$RELEASE/bin/portal-migrate") ||
      fail "migration failed: ${old:+current still points to $old, }nothing restarted"
  fi
fi

# Units of the selected roles, and the log file's rotation: this release's, once it migrated.
for u in $(selected_units); do
  cp "$BUNDLE/deploy/systemd/$u" "$ROOT$UNITS/$u.tmp"
  chmod 0644 "$ROOT$UNITS/$u.tmp"
  mv "$ROOT$UNITS/$u.tmp" "$ROOT$UNITS/$u"
  say "unit: $ROOT$UNITS/$u"
done
if [ -d "$ROOT/etc/logrotate.d" ] || [ -n "$ROOT" ]; then
  mkdir -p "$ROOT/etc/logrotate.d"
  cp "$BUNDLE/deploy/logrotate/chuangcheng-portal" "$ROOT/etc/logrotate.d/chuangcheng-portal"
  chmod 0644 "$ROOT/etc/logrotate.d/chuangcheng-portal"
fi

if [ -n "$old" ] && [ "$old" != "releases/$NAME" ]; then
  switch_link "releases/$NAME" "$CURRENT"
  switch_link "$old" "$PREVIOUS"
  say "current -> releases/$NAME (previous: $old; back with: sh $RELEASE/install.sh --rollback)"
elif [ -z "$old" ]; then
  switch_link "releases/$NAME" "$CURRENT"
  say "current -> releases/$NAME"
fi

restart_units
