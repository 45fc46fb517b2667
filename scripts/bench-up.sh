#!/usr/bin/env bash
# bench-up.sh: from a fresh Debian 12 / Ubuntu machine to a running Frappe v15 desk with slm_app and its demo.
#
#   sudo scripts/bench-up.sh            (or as root)
#
# Installs what Frappe v15 needs from the distribution's packages, makes a bench user (bench refuses root),
# the bench CLI, a Frappe version-15 bench, puts this checkout into it as the app slm_app, makes a site,
# loads the demo and starts web, workers and scheduler on http://localhost:8000.
# Idempotent: a re-run reuses what is there, brings the app's files up to date, migrates and only fixes what
# is missing. Run with --help for the options.
set -Eeuo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
POINTER=/etc/slm_app/bench          # where the test runner (tests/run.sh) looks for the bench
REDIS_URL=redis://127.0.0.1:6379    # the machine's Redis; the bench's cache and queue use it
PORT=8000

BENCH_USER=
BENCH_DIR=
SITE=slm.localhost
FRAPPE_PATH=${SLM_FRAPPE_PATH:-}
FRAPPE_URL=https://github.com/frappe/frappe
FRAPPE_BRANCH=version-15
PYTHON=
DB_ROOT_PASSWORD=${SLM_DB_ROOT_PASSWORD:-root}
ADMIN_PASSWORD="admin"
WITH_HELPDESK=0
HELPDESK_SRC=${SLM_HELPDESK_PATH:-https://github.com/frappe/helpdesk}
HELPDESK_REF=
TELEPHONY_SRC=${SLM_TELEPHONY_PATH:-https://github.com/frappe/telephony}
TELEPHONY_REF=
NO_START=0
WRITE_POINTER=1
NO_DEMO=0
STOP=0

usage() {
	cat <<EOF
Usage: sudo $0 [options]

Takes this machine (Debian 12 / Ubuntu, run as root or a sudo user) to a running Frappe v15 desk
with slm_app and its demo on http://localhost:$PORT. Safe to re-run.

  --user NAME             OS user owning the bench (default: frappe when run as root, else you)
  --bench-dir DIR         bench folder (default: /home/<user>/frappe-bench)
  --site NAME             site to make and serve (default: $SITE)
  --frappe-path PATH      local working clone of Frappe with a version-15 branch, for machines without
                          GitHub (env SLM_FRAPPE_PATH; default: $FRAPPE_URL)
  --python PATH           Python for the bench (default: python3.11, 3.12 or 3.10 found in /usr/bin)
  --db-root-password PW   MariaDB root password for making the site (env SLM_DB_ROOT_PASSWORD;
                          default: root). If root has no password over the local socket, it is set to PW.
  --admin-password PW     the site's Administrator password (default: admin)
  --with-helpdesk         also install Frappe Helpdesk v1.17.x and its required app telephony on the site
  --helpdesk-path SRC     Helpdesk clone or URL (env SLM_HELPDESK_PATH; default: GitHub)
  --helpdesk-ref REF      Helpdesk tag or branch (default: the latest v1.17.x tag of SRC)
  --telephony-path SRC    telephony clone or URL (env SLM_TELEPHONY_PATH; default: GitHub)
  --telephony-ref REF     telephony branch (default: SRC's default branch)
  --no-demo               do not load the demo data
  --no-start              do not start the bench
  --no-pointer            do not name this bench in $POINTER (a second bench beside the one tests use)
  --stop                  stop the bench this script started, then exit
  -h, --help              this help

The bench's folder is written to $POINTER for tests/run.sh. Output is also logged to
/var/log/slm_app/bench-up.log (or ~/.cache/slm_app/bench-up.log when not run as root).
EOF
}

die() { echo "bench-up: $*" >&2; exit 2; }
need_arg() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
	case "$1" in
		--user) need_arg "$@"; BENCH_USER=$2; shift ;;
		--bench-dir) need_arg "$@"; BENCH_DIR=$2; shift ;;
		--site) need_arg "$@"; SITE=$2; shift ;;
		--frappe-path) need_arg "$@"; FRAPPE_PATH=$2; shift ;;
		--python) need_arg "$@"; PYTHON=$2; shift ;;
		--db-root-password) need_arg "$@"; DB_ROOT_PASSWORD=$2; shift ;;
		--admin-password) need_arg "$@"; ADMIN_PASSWORD=$2; shift ;;
		--with-helpdesk) WITH_HELPDESK=1 ;;
		--helpdesk-path) need_arg "$@"; HELPDESK_SRC=$2; WITH_HELPDESK=1; shift ;;
		--helpdesk-ref) need_arg "$@"; HELPDESK_REF=$2; shift ;;
		--telephony-path) need_arg "$@"; TELEPHONY_SRC=$2; shift ;;
		--telephony-ref) need_arg "$@"; TELEPHONY_REF=$2; shift ;;
		--no-demo) NO_DEMO=1 ;;
		--no-start) NO_START=1 ;;
		--no-pointer) WRITE_POINTER=0 ;;
		--stop) STOP=1 ;;
		-h | --help) usage; exit 0 ;;
		*) die "unknown option $1 (see --help)" ;;
	esac
	shift
done

# ---------------------------------------------------------------------------------------------------------
# plumbing: steps, logging, running as root and as the bench user

if [ "$(id -u)" = 0 ]; then
	priv() { "$@"; }
	LOG=/var/log/slm_app/bench-up.log
else
	command -v sudo >/dev/null || die "run as root, or as a user who may use sudo"
	priv() { sudo "$@"; }
	LOG=${XDG_CACHE_HOME:-$HOME/.cache}/slm_app/bench-up.log
fi
mkdir -p "$(dirname "$LOG")"
exec 9>"$(dirname "$LOG")/bench-up.lock"
flock -n 9 || die "another bench-up.sh is running (lock $(dirname "$LOG")/bench-up.lock)"
exec > >(tee -a "$LOG") 2>&1
echo "---- bench-up.sh $(date -Is) $*"

STEP=starting
HINT=
step() { STEP=$1; HINT=${2:-}; echo; echo "==> $STEP"; }
info() { echo "    $*"; }
on_err() {
	local rc=$?
	# in a subshell (a $(...)) the failure is the caller's to judge, and what is printed here would be captured
	[ "$BASHPID" = "$$" ] || return 0
	trap - ERR
	echo
	echo "!! bench-up: step \"$STEP\" failed (exit $rc)."
	[ -n "$HINT" ] && echo "!! $HINT"
	echo "!! Read the output above (all of it is in $LOG), fix the cause and run $0 again: it goes on from where it stopped."
	exit "$rc"
}
trap on_err ERR

[ -n "$BENCH_USER" ] || if [ "$(id -u)" = 0 ]; then BENCH_USER=frappe; else BENCH_USER=$(id -un); fi
[ "$BENCH_USER" != root ] || die "bench refuses to run as root: choose another --user"

user_home() { getent passwd "$BENCH_USER" | cut -d: -f6; }
USER_HOME=$(user_home || true)
[ -n "$USER_HOME" ] || USER_HOME=/home/$BENCH_USER
[ -n "$BENCH_DIR" ] || BENCH_DIR=$USER_HOME/frappe-bench
BENCH_DIR=$(realpath -m "$BENCH_DIR")
CLI=$USER_HOME/bench-cli

# Runs a shell command as the bench user with a clean environment (bench CLI, node and yarn on PATH).
as_user() {
	local envs=(HOME="$USER_HOME" USER="$BENCH_USER" LOGNAME="$BENCH_USER" SHELL=/bin/bash
		PATH="$CLI/bin:/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"
		LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM="${TERM:-dumb}" PYTHONUNBUFFERED=1
		BENCH_DISABLE_UV=1) # bench then installs with pip, which honours the machine's pip configuration
	if [ "$(id -un)" = "$BENCH_USER" ]; then
		env "${envs[@]}" bash -c "$1"
	elif [ "$(id -u)" = 0 ]; then
		runuser -u "$BENCH_USER" -- env -i "${envs[@]}" bash -c "$1"
	else
		sudo -u "$BENCH_USER" -H env -i "${envs[@]}" bash -c "$1"
	fi
}
in_bench() { as_user "cd '$BENCH_DIR' && $1"; }
# A local git repository owned by someone else: tell the bench user's git that it may read it.
trust_repo() {
	local p
	p=$(realpath "$1")
	[ "$(stat -c %U "$p")" != "$BENCH_USER" ] || return 0
	for d in "$p" "$p/.git"; do
		[ -e "$d" ] || continue
		as_user "git config --global --get-all safe.directory | grep -qxF '$d' || git config --global --add safe.directory '$d'"
	done
}
# Python on the site with Frappe connected: site_py SITE <<'PY' ... PY  (argv[1] is the site)
site_py() {
	in_bench "cd sites && ../env/bin/python - '$1'"
}
SITE_PY_HEAD='import sys, frappe
frappe.init(site=sys.argv[1], sites_path=".")
frappe.connect()'

has_systemd() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null; }
pkg_installed() { dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii'; }
ping_http() { curl -fsS -m 5 "http://127.0.0.1:$PORT/api/method/ping" 2>/dev/null | grep -q pong; }
bench_pidfile() { echo "$BENCH_DIR/config/pids/bench-start.pid"; }
bench_running() {
	local f pid
	f=$(bench_pidfile)
	[ -f "$f" ] && pid=$(cat "$f") && [ -n "$pid" ] && ps -p "$pid" >/dev/null
}
descendants() { local c; for c in $(ps -o pid= --ppid "$1" || true); do echo "$c"; descendants "$c"; done; }
# honcho puts each process in a group of its own, and a worker busy with a job outlives its shell:
# signal the whole tree, give it 30 s, then kill what is left
stop_bench() {
	local pid pids left
	pid=$(cat "$(bench_pidfile)")
	pids="$pid $(descendants "$pid" | tr '\n' ' ')"
	info "stopping bench start (pid $pid and its $(($(wc -w <<<"$pids") - 1)) processes)"
	# shellcheck disable=SC2086
	priv kill -TERM $pids 2>/dev/null || true
	for _ in $(seq 30); do
		left=
		for p in $pids; do ps -p "$p" >/dev/null && left="$left $p"; done
		[ -n "$left" ] || break
		sleep 1
	done
	# shellcheck disable=SC2086
	[ -z "$left" ] || priv kill -KILL $left 2>/dev/null || true
	priv rm -f "$(bench_pidfile)"
}

if [ "$STOP" = 1 ]; then
	step "Stop the bench"
	if [ -d "$BENCH_DIR" ] && bench_running; then stop_bench; info "stopped"; else info "no bench started by this script is running"; fi
	exit 0
fi

# ---------------------------------------------------------------------------------------------------------
step "System packages (MariaDB, Redis, Node.js, yarn, wkhtmltopdf, CJK fonts, Python venv/dev, build tools)" \
	"Installing Debian/Ubuntu packages failed: check apt's message (network, a held package, dpkg lock) and try 'apt-get install' of the package by hand."
command -v apt-get >/dev/null || die "this script needs a Debian or Ubuntu machine (apt-get)"
pick_python() {
	local p
	if [ -n "$PYTHON" ]; then echo "$PYTHON"; return; fi
	for p in /usr/bin/python3.11 /usr/bin/python3.12 /usr/bin/python3.10; do
		[ -x "$p" ] && { echo "$p"; return; }
	done
	return 1
}
want=(git curl rsync pkg-config build-essential libmariadb-dev mariadb-server mariadb-client redis-server
	wkhtmltopdf fonts-noto-cjk python3 python3-venv python3-dev python3-pip)
if py=$(pick_python); then
	v=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	want+=("python$v-venv" "python$v-dev")
fi
command -v node >/dev/null || want+=(nodejs)
command -v npm >/dev/null || want+=(npm)
missing=()
for p in "${want[@]}"; do pkg_installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
	info "installing: ${missing[*]}"
	priv apt-get update
	priv env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" 9>&-
else
	info "all installed"
fi
PYTHON=$(pick_python) || die "no python3.10, 3.11 or 3.12 in /usr/bin: install one (Frappe v15 needs 3.10-3.12) or pass --python"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 18 ] || die "Node.js $(node -v) is too old: Frappe v15 needs 18 or newer (e.g. from NodeSource); install it and re-run"
if ! command -v yarn >/dev/null; then
	info "npm install -g yarn"
	priv npm install -g yarn
fi
info "python $("$PYTHON" -V 2>&1 | cut -d' ' -f2 || true) ($PYTHON), node $(node -v), yarn $(yarn -v || true), MariaDB $(mariadb --version | grep -o 'Distrib [^,-]*' | cut -d' ' -f2 || true), wkhtmltopdf $(wkhtmltopdf -V 2>/dev/null | awk '{print $2}' || true)"

# ---------------------------------------------------------------------------------------------------------
step "MariaDB: utf8mb4 configuration, running, root password" \
	"MariaDB could not be configured or reached: see /var/log/mysql/error.log; if root has a password, pass it with --db-root-password."
mycnf=/etc/mysql/my.cnf
confdir=/etc/mysql/mariadb.conf.d
[ -d "$confdir" ] || { [ -d /etc/mysql/conf.d ] && confdir=/etc/mysql/conf.d; }
priv mkdir -p "$confdir"
if [ -e "$mycnf" ] && ! grep -Eq "^[[:space:]]*!includedir[[:space:]]+$confdir/?[[:space:]]*$" "$(readlink -f "$mycnf")"; then
	info "$mycnf does not read $confdir: adding !includedir"
	printf '\n# added by slm_app scripts/bench-up.sh\n!includedir %s/\n' "$confdir" | priv tee -a "$(readlink -f "$mycnf")" >/dev/null
fi
cnf="$confdir/99-frappe.cnf"
cnf_text='# Written by slm_app scripts/bench-up.sh: the character set Frappe needs.
[mysqld]
character-set-client-handshake = FALSE
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci

[mysql]
default-character-set = utf8mb4'
if [ "$(cat "$cnf" 2>/dev/null)" != "$cnf_text" ]; then
	info "writing $cnf"
	printf '%s\n' "$cnf_text" | priv tee "$cnf" >/dev/null
fi
mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)
start_mariadb() {
	if has_systemd; then
		priv systemctl enable --now mariadb 9>&-
	else
		priv install -d -o mysql -g mysql /run/mysqld
		priv start-stop-daemon --start --oknodo --background --exec "$mariadbd" 9>&-
	fi
	for _ in $(seq 60); do priv mariadb-admin ping >/dev/null 2>&1 && return 0; sleep 1; done
	echo "MariaDB did not answer within 60 s"; return 1
}
if priv mariadb-admin ping >/dev/null 2>&1; then info "running"; else info "starting"; start_mariadb; fi

db_pw() { MYSQL_PWD="$DB_ROOT_PASSWORD" mariadb -uroot -h127.0.0.1 --protocol=TCP -N -B "$@"; }
db_socket() { priv mariadb -uroot -N -B "$@"; }   # root over the local socket (unix_socket or empty password)
if db_pw -e 'select 1' >/dev/null 2>&1; then
	info "root logs in with the given password over 127.0.0.1"
elif db_socket -e 'select 1' >/dev/null 2>&1; then
	info "root has no password over the socket: setting it to the --db-root-password value (socket login for the OS root keeps working)"
	db_socket -e "select host from mysql.user where user='root'" | while read -r host; do
		if [ "$host" = localhost ]; then
			db_socket -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('$DB_ROOT_PASSWORD') OR unix_socket"
		else
			db_socket -e "ALTER USER 'root'@'$host' IDENTIFIED BY '$DB_ROOT_PASSWORD'"
		fi
	done
	if ! db_pw -e 'select 1' >/dev/null 2>&1; then
		info "no root account answers on 127.0.0.1 (skip-name-resolve): adding root@127.0.0.1"
		db_socket -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '$DB_ROOT_PASSWORD'; GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION"
	fi
	db_socket -e 'FLUSH PRIVILEGES'
	db_pw -e 'select 1' >/dev/null
else
	HINT="MariaDB root does not accept the password given (--db-root-password / SLM_DB_ROOT_PASSWORD, default 'root'): pass the right one."
	false
fi
read -r cs coll < <(db_pw -e 'select @@character_set_server, @@collation_server')
if [ "$cs $coll" != "utf8mb4 utf8mb4_unicode_ci" ]; then
	info "server runs with $cs/$coll: restarting it to read $cnf"
	if has_systemd; then
		priv systemctl restart mariadb 9>&-
	else
		db_pw -e 'shutdown' || priv mariadb-admin shutdown
		for _ in $(seq 60); do pgrep -x mariadbd >/dev/null || break; sleep 1; done
		start_mariadb
	fi
	read -r cs coll < <(db_pw -e 'select @@character_set_server, @@collation_server')
	[ "$cs $coll" = "utf8mb4 utf8mb4_unicode_ci" ] || { HINT="MariaDB still runs with $cs/$coll: make its configuration read $cnf"; false; }
fi
info "character set $cs, collation $coll"

# ---------------------------------------------------------------------------------------------------------
step "Redis on $REDIS_URL" "Redis is not answering on 127.0.0.1:6379: see /var/log/redis/."
if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
	info "running"
else
	info "starting"
	if has_systemd; then
		priv systemctl enable --now redis-server 9>&-
	elif [ -f /etc/redis/redis.conf ] && id redis >/dev/null 2>&1; then
		priv install -d -o redis -g redis /var/run/redis /var/log/redis /var/lib/redis
		priv runuser -u redis -- redis-server /etc/redis/redis.conf --daemonize yes --supervised no --bind 127.0.0.1 --port 6379 9>&-
	else
		priv redis-server --daemonize yes --bind 127.0.0.1 --port 6379 9>&-
	fi
	for _ in $(seq 20); do redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && break; sleep 1; done
	redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG
fi

# ---------------------------------------------------------------------------------------------------------
step "Bench user $BENCH_USER" "Could not make the user $BENCH_USER: pick another with --user."
if id "$BENCH_USER" >/dev/null 2>&1; then
	info "exists"
else
	info "useradd -m -s /bin/bash $BENCH_USER"
	priv useradd -m -s /bin/bash "$BENCH_USER"
	USER_HOME=$(user_home)
	case "$BENCH_DIR" in "/home/$BENCH_USER"/*) BENCH_DIR=$USER_HOME/${BENCH_DIR#/home/"$BENCH_USER"/} ;; esac
	CLI=$USER_HOME/bench-cli
fi
priv install -d -o "$BENCH_USER" -g "$(id -gn "$BENCH_USER")" "$(dirname "$BENCH_DIR")"
# the bench CLI on the user's PATH for login and interactive shells (tests/run.sh uses a login shell)
for rc in .profile .bashrc; do
	as_user "touch ~/$rc; grep -q 'bench-cli/bin' ~/$rc || printf '\n# bench CLI (slm_app scripts/bench-up.sh)\nexport PATH=\"\$HOME/bench-cli/bin:\$PATH\"\n' >> ~/$rc"
done
as_user "test -x '$PYTHON' && '$PYTHON' -c 'import venv, ensurepip'" || die "$BENCH_USER cannot use $PYTHON with venv: install python3-venv for it or pass --python"

# ---------------------------------------------------------------------------------------------------------
step "Bench CLI (frappe-bench from PyPI) in $CLI" "pip could not install frappe-bench: check the output above (network to PyPI?)."
if as_user "'$CLI/bin/bench' --version" >/dev/null 2>&1; then
	info "bench $(as_user "'$CLI/bin/bench' --version" 2>/dev/null) already there"
else
	as_user "rm -rf '$CLI' && '$PYTHON' -m venv '$CLI' && '$CLI/bin/pip' install --upgrade pip && '$CLI/bin/pip' install 'frappe-bench>=5.22,<6'"
	info "bench $(as_user "bench --version")"
fi

# ---------------------------------------------------------------------------------------------------------
step "Frappe source" "The Frappe source is not usable: --frappe-path must be a working (not bare) git clone, in a folder named frappe, with a committed version-15 branch."
if [ -n "$FRAPPE_PATH" ]; then
	FRAPPE_PATH=$(realpath "$FRAPPE_PATH")
	[ "$(basename "$FRAPPE_PATH")" = frappe ] || { HINT="bench names the app after the clone's folder: put the clone in a folder named frappe (e.g. git clone -b version-15 <src> /opt/frappe-src/frappe)"; false; }
	[ "$(git -C "$FRAPPE_PATH" rev-parse --is-bare-repository 2>/dev/null)" = false ] || { HINT="$FRAPPE_PATH is not a working git clone (bare?): git clone -b version-15 <it> /opt/frappe-src/frappe"; false; }
	trust_repo "$FRAPPE_PATH"
	unreadable=$(as_user "find '$FRAPPE_PATH' ! -readable -print -quit 2>/dev/null" || true)
	[ -z "$unreadable" ] || { HINT="the user $BENCH_USER cannot read $unreadable (bench init clones the clone as that user): chmod -R a+rX '$FRAPPE_PATH'"; false; }
	as_user "git -C '$FRAPPE_PATH' rev-parse --verify -q 'refs/heads/$FRAPPE_BRANCH' >/dev/null || git -C '$FRAPPE_PATH' rev-parse --verify -q 'refs/tags/$FRAPPE_BRANCH' >/dev/null" \
		|| { HINT="$FRAPPE_PATH has no branch $FRAPPE_BRANCH the user $BENCH_USER can read"; false; }
	FRAPPE_SRC=$FRAPPE_PATH
	info "local clone $FRAPPE_SRC, branch $FRAPPE_BRANCH at $(git -C "$FRAPPE_PATH" -c safe.directory='*' log -1 --format='%h %s' "$FRAPPE_BRANCH")"
	if git -C "$FRAPPE_PATH" -c safe.directory='*' show "$FRAPPE_BRANCH:pyproject.toml" | grep -q 'git+https://github.com'; then
		info "note: its pyproject.toml names dependencies by GitHub URL; without GitHub access, pin them to PyPI releases in a commit of the clone"
	fi
else
	FRAPPE_SRC=$FRAPPE_URL
	info "upstream $FRAPPE_SRC, branch $FRAPPE_BRANCH (no GitHub here? clone it elsewhere and pass --frappe-path)"
fi

# ---------------------------------------------------------------------------------------------------------
step "Bench $BENCH_DIR (bench init, Frappe $FRAPPE_BRANCH)" \
	"bench init failed: read its output above and $BENCH_DIR/logs/bench.log; a re-run removes the incomplete bench and starts again."
if [ -f "$BENCH_DIR/apps/frappe/frappe/__init__.py" ] && [ -x "$BENCH_DIR/env/bin/python" ]; then
	info "exists (Frappe $(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$BENCH_DIR/apps/frappe/frappe/__init__.py"))"
else
	if [ -e "$BENCH_DIR" ]; then
		if [ -d "$BENCH_DIR/config" ] && [ -d "$BENCH_DIR/apps" ] && ! ls "$BENCH_DIR"/sites/*/site_config.json >/dev/null 2>&1; then
			# what a failed bench init leaves: no site, nothing to keep but its log
			info "removing the incomplete bench a failed bench init left at $BENCH_DIR (its log: $(dirname "$LOG")/failed-bench-init.log)"
			priv cp "$BENCH_DIR/logs/bench.log" "$(dirname "$LOG")/failed-bench-init.log" 2>/dev/null || true
			priv rm -rf "$BENCH_DIR"
		else
			aside="$BENCH_DIR.incomplete-$(date +%Y%m%d-%H%M%S)"
			info "$BENCH_DIR is not a complete bench: moving it to $aside"
			priv mv "$BENCH_DIR" "$aside"
		fi
	fi
	backups=--no-backups
	command -v crontab >/dev/null && backups=
	# --verbose shows pip's progress; yarn's verbose lines (one per file copied) are left out
	as_user "set -o pipefail; cd '$(dirname "$BENCH_DIR")' && bench init '$(basename "$BENCH_DIR")' --frappe-path '$FRAPPE_SRC' \
		--frappe-branch '$FRAPPE_BRANCH' --python '$PYTHON' --skip-redis-config-generation $backups --verbose < /dev/null 2>&1 \
		| grep --line-buffered -v '^verbose [0-9.]* '"
fi
# Frappe's dependencies still import pkg_resources, gone from setuptools 81
in_bench "./env/bin/python -m pip install -q 'setuptools<81' && ./env/bin/python -c 'import pkg_resources' 2>/dev/null"
if ! in_bench "./env/bin/python -c 'import frappe'" >/dev/null 2>&1; then
	info "frappe does not import in the bench's env: bench setup requirements"
	in_bench "bench setup requirements"
fi
if [ ! -d "$BENCH_DIR/apps/frappe/node_modules" ]; then
	info "Frappe's node modules are missing: bench setup requirements --node"
	in_bench "bench setup requirements --node"
fi
if [ ! -f "$BENCH_DIR/sites/assets/assets.json" ] && [ ! -f "$BENCH_DIR/sites/assets/frappe/dist/js/desk.bundle.js" ] && ! ls "$BENCH_DIR"/sites/assets/frappe/dist/js/desk.bundle.*.js >/dev/null 2>&1; then
	info "assets not built: bench build --app frappe"
	in_bench "bench build --app frappe"
fi
if [ "$WRITE_POINTER" = 1 ]; then
	priv mkdir -p "$(dirname "$POINTER")"
	echo "$BENCH_DIR" | priv tee "$POINTER" >/dev/null
	info "bench folder written to $POINTER"
fi

# ---------------------------------------------------------------------------------------------------------
step "Bench configuration: Redis, Procfile" "Could not configure the bench: check $BENCH_DIR/sites/common_site_config.json and $BENCH_DIR/Procfile."
for key in redis_cache redis_queue redis_socketio; do
	cur=$(in_bench "./env/bin/python -c 'import json; print(json.load(open(\"sites/common_site_config.json\")).get(\"$key\", \"\"))'")
	if [ "$cur" != "$REDIS_URL" ]; then
		info "$key: ${cur:-unset} -> $REDIS_URL"
		in_bench "bench set-config -g $key '$REDIS_URL'"
	fi
done
# The bench's own redis servers are not used (the machine's Redis is); the asset watcher is for front-end
# development and costs a core: bench start runs web, socketio, scheduler and worker.
if grep -Eq '^(redis_cache|redis_queue|redis_socketio|watch):' "$BENCH_DIR/Procfile" 2>/dev/null; then
	info "Procfile: without the bench's own redis servers and the asset watcher"
	in_bench "sed -i -E '/^(redis_cache|redis_queue|redis_socketio|watch):/d' Procfile"
fi
[ -s "$BENCH_DIR/Procfile" ] || in_bench "bench setup procfile && sed -i -E '/^(redis_cache|redis_queue|redis_socketio|watch):/d' Procfile"
info "Procfile: $(cut -d: -f1 "$BENCH_DIR/Procfile" | grep -v '^$' | tr '\n' ' ')"

# ---------------------------------------------------------------------------------------------------------
step "App slm_app from $REPO" "Could not put slm_app into the bench: check the pip output above."
app="$BENCH_DIR/apps/slm_app"
[ ! -L "$app" ] || { HINT="$app is a symlink: remove it, the script copies the checkout there"; false; }
ugroup=$(id -gn "$BENCH_USER")
# a test run (tests/run.sh) puts its own commit into apps/slm_app under this lock: wait for it, and hold
# the lock until this script ends, so neither replaces the other's files mid-run
exec 8>>"$BENCH_DIR/.slm-tests.lock"
if ! flock -n 8; then
	info "a test run holds $BENCH_DIR/.slm-tests.lock: waiting for it (up to 60 min)"
	flock -w 3600 8 || { HINT="a test run has held $BENCH_DIR/.slm-tests.lock for an hour: find it with 'fuser $BENCH_DIR/.slm-tests.lock'"; false; }
fi
# this checkout's current files (tracked and new, less what .gitignore leaves out); the bench's egg-info stays
changes=$(priv rsync -a --delete --itemize-changes --exclude=.git --exclude=/.venv --filter=':- .gitignore' \
	--chown="$BENCH_USER:$ugroup" "$REPO/" "$app/")
changes=$(grep -v '^\.d' <<<"$changes" || true)  # not folders whose times alone changed
n_changed=$(grep -c . <<<"$changes" || true)
info "files synced from the checkout: $n_changed changed$([ "$n_changed" -gt 0 ] && echo ": $(awk '{print $2}' <<<"$changes" | head -n 5 | tr '\n' ' ')$([ "$n_changed" -gt 5 ] && echo ...)")"
in_bench "grep -qx slm_app sites/apps.txt || { sed -i -e '\$a\\' sites/apps.txt; echo slm_app >> sites/apps.txt; }"
if ! in_bench "./env/bin/python -c 'import slm_app, pandas, numpy, dateutil'" >/dev/null 2>&1 \
	|| grep -Eq ' (setup\.py|requirements\.txt|pyproject\.toml)$' <<<"$changes"; then
	info "pip install -e apps/slm_app"
	in_bench "./env/bin/python -m pip install --upgrade -e apps/slm_app"
	in_bench "./env/bin/python -m pip install -q 'setuptools<81'"
fi
if [ -f "$app/package.json" ] && [ ! -f "$app/node_modules/.yarn-integrity" ]; then in_bench "bench setup requirements --node slm_app"; fi
if [ -d "$app/slm_app/public" ] && { [ "$n_changed" -gt 0 ] || [ ! -e "$BENCH_DIR/sites/assets/slm_app" ]; }; then
	in_bench "bench build --app slm_app"
fi

# ---------------------------------------------------------------------------------------------------------
step "Site $SITE" "Making or updating the site failed: read the output above and $BENCH_DIR/logs/ (frappe.log, bench.log)."
stamp="$BENCH_DIR/sites/$SITE/.slm_app-migrated"
if [ -f "$BENCH_DIR/sites/$SITE/site_config.json" ]; then
	info "exists"
	if ! out=$(site_py "$SITE" 2>&1 <<<"$SITE_PY_HEAD
frappe.db.sql('select 1')"); then
		tail -n 5 <<<"$out"
		HINT="the site $SITE does not answer (error above): if its database is gone, drop it (bench drop-site $SITE --db-root-password ... --force) and re-run"
		false
	fi
	installed=$(site_py "$SITE" <<<"$SITE_PY_HEAD
print(' '.join(frappe.get_installed_apps()))")
	if [[ " $installed " != *" slm_app "* ]]; then
		info "installing slm_app on it"
		in_bench "bench --site '$SITE' install-app slm_app"
	fi
	if [ ! -f "$stamp" ] || [ "$n_changed" -gt 0 ] || [ -n "$(find "$app/slm_app" -newer "$stamp" -print -quit)" ]; then
		info "the app changed since the last migrate: bench migrate"
		in_bench "bench --site '$SITE' migrate"
	else
		info "app unchanged since the last migrate"
	fi
else
	in_bench "bench new-site '$SITE' --db-root-username root --db-root-password '$DB_ROOT_PASSWORD' --admin-password '$ADMIN_PASSWORD' \
		--mariadb-user-host-login-scope='%' --install-app slm_app"
fi
as_user "touch '$stamp'"
default_site=$(in_bench "./env/bin/python -c 'import json; print(json.load(open(\"sites/common_site_config.json\")).get(\"default_site\", \"\"))'")
restart=0
if [ "$default_site" != "$SITE" ]; then
	info "default site: $SITE"
	in_bench "bench use '$SITE'"
	restart=1   # bench serve picks the site it serves when it starts
fi

# ---------------------------------------------------------------------------------------------------------
if [ "$NO_DEMO" = 1 ]; then
	step "Demo data: skipped (--no-demo)"
else
	step "Demo data (slm_app.demo.make_demo)" "The demo failed: read the traceback above. The demo is idempotent; re-run the script to go on."
	marker="$BENCH_DIR/sites/$SITE/.slm_app-demo-loaded"
	if [ -f "$marker" ]; then
		info "loaded on $(cat "$marker"): skipping"
	else
		if site_py "$SITE" <<<"$SITE_PY_HEAD
sys.exit(0 if frappe.db.exists('User', 'owner@slm.demo') else 1)" >/dev/null 2>&1; then
			info "demo users exist but the last load did not finish: loading again (the demo is idempotent)"
		fi
		in_bench "bench --site '$SITE' execute slm_app.demo.make_demo"
		as_user "date -Is > '$marker'"
	fi
fi

# ---------------------------------------------------------------------------------------------------------
clone_app() { # name src ref: git clone into apps/<name> unless it is there
	local name=$1 src=$2 ref=$3
	if [ -d "$BENCH_DIR/apps/$name/.git" ] || [ -f "$BENCH_DIR/apps/$name/pyproject.toml" ]; then
		info "apps/$name exists ($(git -C "$BENCH_DIR/apps/$name" -c safe.directory='*' describe --tags --always 2>/dev/null || echo '?'))"
		return
	fi
	# a local repository through git's file:// transport: no hard links or copies of its object files
	# (a mirror's pack files may not be readable by the bench user)
	if [ -d "$src" ]; then src=$(realpath "$src"); trust_repo "$src"; src=file://$src; fi
	# shallow, as bench get-app clones (and a partial mirror may lack the older history)
	info "git clone --depth 1 ${ref:+--branch $ref }$src apps/$name"
	in_bench "rm -rf 'apps/$name' && git -c advice.detachedHead=false clone --depth 1 ${ref:+--branch '$ref'} '$src' 'apps/$name'"
}
install_app_in_bench() { # name: as bench get-app does: python package, node modules (frontend), assets
	local name=$1
	if ! in_bench "./env/bin/python -c 'import $name'" >/dev/null 2>&1; then
		in_bench "./env/bin/python -m pip install --upgrade -e 'apps/$name'"
		in_bench "./env/bin/python -m pip install -q 'setuptools<81'"
	fi
	if [ -f "$BENCH_DIR/apps/$name/package.json" ] && [ ! -f "$BENCH_DIR/apps/$name/node_modules/.yarn-integrity" ]; then
		in_bench "bench setup requirements --node '$name'"
	fi
	in_bench "grep -qx '$name' sites/apps.txt || { sed -i -e '\$a\\' sites/apps.txt; echo '$name' >> sites/apps.txt; }"
	# bench build runs the app's own "build" script too (Helpdesk: yarn build of its Vue desk in desk/)
	if [ -d "$BENCH_DIR/apps/$name/$name/public" ] && [ ! -f "$BENCH_DIR/config/bench-up/built-$name" ]; then
		in_bench "bench build --app '$name' && mkdir -p config/bench-up && touch 'config/bench-up/built-$name'"
	fi
}
if [ "$WITH_HELPDESK" = 1 ]; then
	step "Helpdesk v1.17.x and telephony" "Installing Helpdesk failed: read the output above (yarn / vite build, pip). Re-run to go on; remove $BENCH_DIR/apps/helpdesk to fetch it again."
	if [ -z "$HELPDESK_REF" ] && [ ! -d "$BENCH_DIR/apps/helpdesk" ]; then
		if [ -d "$HELPDESK_SRC" ]; then trust_repo "$HELPDESK_SRC"; fi
		HELPDESK_REF=$(as_user "git ls-remote --tags --refs '$HELPDESK_SRC' 'v1.17.*'" | sed 's#.*refs/tags/##' | sort -V | tail -1)
		[ -n "$HELPDESK_REF" ] || { HINT="no v1.17.x tag in $HELPDESK_SRC: pass --helpdesk-ref"; false; }
	fi
	# a running bench's processes read apps.txt but cannot import an app installed after they started
	# (the scheduler then exits and takes the bench down with it): stop it while the apps go in
	if bench_running && ! { grep -qx helpdesk "$BENCH_DIR/sites/apps.txt" && grep -qx telephony "$BENCH_DIR/sites/apps.txt"; }; then
		info "stopping the running bench while Helpdesk and telephony are added (started again at the end unless --no-start)"
		stop_bench
	fi
	clone_app telephony "$TELEPHONY_SRC" "$TELEPHONY_REF"
	install_app_in_bench telephony
	clone_app helpdesk "$HELPDESK_SRC" "$HELPDESK_REF"
	install_app_in_bench helpdesk
	installed=$(site_py "$SITE" <<<"$SITE_PY_HEAD
print(' '.join(frappe.get_installed_apps()))")
	for name in telephony helpdesk; do
		if [[ " $installed " == *" $name "* ]]; then
			info "$name is installed on $SITE"
		elif ! in_bench "bench --site '$SITE' install-app $name"; then
			# Frappe counts an app whose after_install failed as installed: take it off again so that a
			# re-run installs it from the start
			info "install-app $name failed: uninstalling what it left, so that a re-run starts clean"
			in_bench "bench --site '$SITE' uninstall-app $name --yes --no-backup --force" || true
			false
		fi
	done
fi

# ---------------------------------------------------------------------------------------------------------
step "Scheduler on for $SITE" "Could not turn the scheduler on: read the output above."
state=$(site_py "$SITE" <<<"$SITE_PY_HEAD
from frappe.utils.scheduler import is_scheduler_disabled
print('disabled' if is_scheduler_disabled(verbose=False) else 'enabled', 'maintenance' if frappe.conf.maintenance_mode else 'live', 'paused' if frappe.conf.pause_scheduler else 'running')")
info "scheduler: $state"
[[ "$state" == enabled* ]] || in_bench "bench --site '$SITE' enable-scheduler"
[[ "$state" != *maintenance* ]] || in_bench "bench --site '$SITE' set-maintenance-mode off"
[[ "$state" != *paused* ]] || in_bench "bench --site '$SITE' set-config pause_scheduler 0"

# ---------------------------------------------------------------------------------------------------------
if [ "$NO_START" = 1 ]; then
	step "Start: skipped (--no-start); start it with: cd $BENCH_DIR && bench start"
else
	step "Start the bench (web :$PORT, socketio, workers, scheduler)" \
		"The bench did not come up: read $BENCH_DIR/logs/bench-start.log (and web.error.log, worker.error.log there)."
	if [ -d "$BENCH_DIR" ] && bench_running && { [ "$n_changed" -gt 0 ] || [ "$WITH_HELPDESK" = 1 ] || [ "$restart" = 1 ]; }; then
		info "the apps or the default site changed: restarting the bench started earlier"
		stop_bench
	fi
	if ping_http; then
		info "something already answers on :$PORT$(bench_running && echo " (bench start, pid $(cat "$(bench_pidfile)"))")"
	else
		bench_running && stop_bench
		info "nohup bench start >> logs/bench-start.log"
		in_bench "mkdir -p config/pids logs && { setsid nohup bench start >> logs/bench-start.log 2>&1 < /dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- & echo \$! > config/pids/bench-start.pid; }"
		for i in $(seq 180); do
			ping_http && break
			bench_running || { echo "bench start exited:"; tail -n 30 "$BENCH_DIR/logs/bench-start.log"; false; }
			[ $((i % 15)) = 0 ] && info "waiting for :$PORT ($i s)"
			sleep 1
		done
		ping_http || { tail -n 30 "$BENCH_DIR/logs/bench-start.log"; false; }
		info "up (bench start, pid $(cat "$(bench_pidfile)"), log $BENCH_DIR/logs/bench-start.log)"
	fi
fi

# ---------------------------------------------------------------------------------------------------------
step "Done"
STEP=summary
logins=$(site_py "$SITE" <<<"$SITE_PY_HEAD
try:
	from slm_app import demo
except Exception:
	sys.exit(0)
for email, (name, _) in demo.USERS.items():
	if frappe.db.exists('User', email):
		roles = sorted(r for r in frappe.get_roles(email) if r.startswith('SLM '))
		print(f'    {email:<22} {name:<14} {\", \".join(roles) or \"-\"}')
print(f'    password of all: {demo.PASSWORD}')" 2>/dev/null || true)
cat <<EOF
    Desk:      http://localhost:$PORT  (site $SITE$([ "$NO_START" = 1 ] && echo ", not started"))
    Admin:     Administrator / $ADMIN_PASSWORD
EOF
if [ "$NO_DEMO" != 1 ] && [ -n "$logins" ]; then
	echo "    Demo logins:"
	echo "$logins"
fi
cat <<EOF
    Bench:     $BENCH_DIR (user $BENCH_USER; pointer $POINTER)
    Commands:  sudo -iu $BENCH_USER, then cd $BENCH_DIR && bench --site $SITE ...
    Stop:      $0 --stop     Logs: $BENCH_DIR/logs/   This run: $LOG
EOF
