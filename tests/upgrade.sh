#!/usr/bin/env bash
# The upgrade test: slm_app at an earlier landed commit on a fresh site with its demo, then the commit under
# test (this checkout's HEAD) migrated over it; every record must still be there with its values and still
# open, and the scheduler's next run must change nothing already closed (tests/upgrade_check.py says how).
#
#   bash tests/upgrade.sh [--from COMMIT] [--site SITE]
#
#   --from / SLM_UPGRADE_FROM   the earlier commit     (default 1440ae9: the last one before the access model,
#                                                       the watch and the month pipeline; installs on Frappe 15)
#   --site / SLM_UPGRADE_SITE   the site, dropped and made again on every run (default slm-upgrade.localhost)
#   SLM_BENCH, SLM_BENCH_USER, SLM_DB_ROOT_PASSWORD     as for tests/run.sh
#
# It takes the bench's test lock for its whole run (it swaps the bench's apps/slm_app twice) and puts back
# exactly what apps/slm_app held before, whatever happens. The site stays afterwards for a look (its
# scheduler off); the next run drops it. Minutes: the earlier demo, a migrate, some thousand form loads.
set -uo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

repo=$(cd "$(dirname "$0")/.." && pwd)
from=${SLM_UPGRADE_FROM:-1440ae9}
site=${SLM_UPGRADE_SITE:-slm-upgrade.localhost}
while [ $# -gt 0 ]; do
	case "$1" in
		--from) from=$2; shift ;;
		--site) site=$2; shift ;;
		-h | --help) sed -n '2,15p' "$0"; exit 0 ;;
		*) echo "unknown option $1 (see --help)"; exit 2 ;;
	esac
	shift
done
if [ -n "${SLM_BENCH:-}" ]; then
	bench=$SLM_BENCH
elif [ -s /etc/slm_app/bench ]; then
	bench=$(head -n 1 /etc/slm_app/bench)
else
	bench=/home/frappe/frappe-bench
fi
die() { echo "upgrade test: $*" >&2; exit 1; }
[ -d "$bench/apps/frappe" ] && [ -d "$bench/sites" ] || die "no bench at $bench; make one with scripts/bench-up.sh, or set SLM_BENCH"
old=$(git -C "$repo" rev-parse --verify -q "$from^{commit}") || die "$from is not a commit of $repo (git log shows the landed ones)"
new=$(git -C "$repo" rev-parse HEAD) || die "$repo is not a git checkout"
git -C "$repo" merge-base --is-ancestor "$old" "$new" || die "$from is not an ancestor of HEAD: an upgrade goes from an earlier landed commit"
[ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] || echo "note: uncommitted changes are not tested; the commit under test is HEAD"
owner=${SLM_BENCH_USER:-$(stat -c %U "$bench")}
as_bench() {
	if [ "$(id -un)" = "$owner" ]; then bash -lc "cd '$bench' && $*"; else runuser -u "$owner" -- bash -lc "cd '$bench' && $*"; fi
}
app="$bench/apps/slm_app"
[ -d "$app" ] && [ ! -L "$app" ] || die "$app is missing or a symlink; run scripts/bench-up.sh (or tests/run.sh) first"

lock="$bench/.slm-tests.lock"
[ -w "$bench" ] || lock="/tmp/slm-tests-$(echo "$bench" | md5sum | cut -c1-8).lock"
exec 9>>"$lock"
echo "== waiting for the bench's test lock ($lock)"
flock -w 3600 9 || die "another test run has held $lock for an hour; try again later"
started=$(date +%s)

work=$(mktemp -d /tmp/slm-upgrade.XXXXXX)
chmod 755 "$work"
# what apps/slm_app holds now, owners, modes and times included, put back on every way out
fingerprint() {  # names, types, sizes, modes, owners, times and contents of everything in apps/slm_app
	(cd "$app" && { find . -mindepth 1 -printf '%p %y %s %m %u %T@\n' | sort; find . -type f -print0 | sort -z | xargs -0 -r md5sum; }) | md5sum | cut -c1-12
}
tar --format=posix -C "$app" -cpf "$work/app-before.tar" . || die "could not save $app"
before_print=$(fingerprint)
restore() {
	find "$app" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
	if tar -C "$app" -xpf "$work/app-before.tar"; then
		after_print=$(fingerprint)
		if [ "$after_print" = "$before_print" ]; then
			echo "apps/slm_app restored to what it held before the test (fingerprint $after_print, identical)"
		else
			echo "apps/slm_app restored from $work/app-before.tar, but its fingerprint differs ($before_print before, $after_print now): did something else write there meanwhile?"
		fi
		rm -f "$work/app-before.tar"
	else
		echo "COULD NOT RESTORE $app: its earlier content is in $work/app-before.tar (tar -C $app -xpf it)"
	fi
}
trap restore EXIT
put() {  # put commit $1 of this checkout into the bench's app folder (its egg-info stays)
	find "$app" -mindepth 1 -maxdepth 1 ! -name .git ! -name '*.egg-info' -exec rm -rf {} +
	git -C "$repo" archive "$1" | tar -x -C "$app" || die "could not put $1 into $app"
	chown -R "$owner": "$app" 2>/dev/null || true
}
cp "$repo/tests/upgrade_check.py" "$work/"
chown -R "$owner": "$work" 2>/dev/null || true
check() { as_bench "cd sites && ../env/bin/python '$work/upgrade_check.py' --site '$site' $*"; }
step() { echo "== [$(($(date +%s) - started)) s] $*"; }

step "slm_app at the earlier commit $(git -C "$repo" log -1 --format='%h %cs' "$old") into $app"
put "$old"
if [ -d "$bench/sites/$site" ]; then
	step "dropping the previous $site"
	as_bench "bench drop-site '$site' --db-root-username root --db-root-password '${SLM_DB_ROOT_PASSWORD:-root}' --no-backup --force --archived-sites-path '$work/archived'" >/dev/null || die "could not drop $site"
fi
step "new site $site with slm_app $(git -C "$repo" rev-parse --short "$old")"
as_bench "bench new-site '$site' --db-root-username root --db-root-password '${SLM_DB_ROOT_PASSWORD:-root}' --admin-password admin --mariadb-user-host-login-scope=% --install-app slm_app" >"$work/new-site.log" 2>&1 \
	|| { tail -30 "$work/new-site.log"; die "new-site failed at the earlier commit (whole log: $work/new-site.log)"; }
# a running bench (bench start) leaves the site alone: no scheduler, and enqueued jobs to a Redis database
# no worker reads
as_bench "bench --site '$site' disable-scheduler >/dev/null && bench --site '$site' set-config pause_scheduler 1 >/dev/null"
queue=$(python3 -c 'import json, sys; u = json.load(open(sys.argv[1])).get("redis_queue", ""); print(u.split("://")[0] + "://" + u.split("://")[-1].split("/")[0] + "/1" if u else "")' "$bench/sites/common_site_config.json" 2>/dev/null)
[ -z "$queue" ] || as_bench "bench --site '$site' set-config redis_queue '$queue' >/dev/null"

step "the earlier commit's demo (bench --site $site execute slm_app.demo.make_demo)"
as_bench "bench --site '$site' execute slm_app.demo.make_demo" >"$work/demo.log" 2>&1 \
	|| { tail -30 "$work/demo.log"; die "the earlier commit's demo failed (whole log: $work/demo.log)"; }
step "snapshot of every SLM record"
check snapshot "$work/before.json" || die "the snapshot failed"

step "slm_app at the commit under test $(git -C "$repo" log -1 --format='%h %cs' "$new") into $app; bench --site $site migrate"
put "$new"
as_bench "bench --site '$site' migrate" >"$work/migrate.log" 2>&1 \
	|| { tail -30 "$work/migrate.log"; die "migrate to the commit under test failed (whole log: $work/migrate.log)"; }
grep -iE 'patch|executing' "$work/migrate.log" | grep -v '^Updating' | sed 's/^/  migrate: /' | head -20

step "checking the migrated site"
check check "$work/before.json"
rc=$?
restore
trap - EXIT
echo "== upgrade test: $(git -C "$repo" rev-parse --short "$old") -> $(git -C "$repo" rev-parse --short "$new") on $site in $(($(date +%s) - started)) s (logs and snapshot in $work)"
if [ $rc -eq 0 ]; then echo "UPGRADE TEST PASSED"; else echo "UPGRADE TEST FAILED"; fi
exit $rc
