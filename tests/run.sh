#!/usr/bin/env bash
# Runs every test suite of slm_app: the framework-free core always, the Frappe integration tests
# whenever a bench is present. Prints which suites ran; exits non-zero if any suite failed.
#
#   SLM_BENCH       bench to use        (default: the one scripts/bench-up.sh made, named in /etc/slm_app/bench;
#                                        else /home/frappe/frappe-bench)
#   SLM_BENCH_USER  OS user owning it   (default: the bench folder's owner; bench refuses to run as root)
#   SLM_TEST_SITE   site for the tests  (default: slm-test.localhost; created if missing)
#   SLM_DB_ROOT_PASSWORD  MariaDB root password used only to create that site (default: root)
#   SLM_UPGRADE_TEST=1    also run the upgrade test (tests/upgrade.sh: an earlier commit's site and demo
#                         migrated to HEAD; minutes; SLM_UPGRADE_FROM picks the earlier commit)
set -uo pipefail
# runuser, mariadbd and start-stop-daemon live in sbin, which a minimal environment may leave out
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

repo=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${SLM_BENCH:-}" ]; then
	bench=$SLM_BENCH
elif [ -s /etc/slm_app/bench ]; then
	bench=$(head -n 1 /etc/slm_app/bench)
else
	bench=/home/frappe/frappe-bench
fi
site=${SLM_TEST_SITE:-slm-test.localhost}
ran=()
failed=()

echo "== core tests (framework-free, plain pytest)"
py=python3
if ! $py -c "import pandas, numpy, dateutil, pytest, hypothesis" 2>/dev/null; then
	venv="$repo/.venv"
	[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
	"$venv/bin/pip" install -q -r "$repo/requirements-test.txt" || { echo "could not install the core test requirements"; exit 1; }
	py="$venv/bin/python"
fi
if (cd "$repo" && $py -m pytest tests/core -q -p no:cacheprovider); then ran+=("core: passed"); else ran+=("core: FAILED"); failed+=(core); fi

if [ -d "$bench/apps/frappe" ] && [ -d "$bench/sites" ]; then
	# one run at a time on a bench: the commit under test replaces its apps/slm_app. Processes that
	# outlive a run must not hold this lock (scripts/bench-up.sh starts the bench with it closed).
	lock="$bench/.slm-tests.lock"
	# (a redirection on exec itself would apply to the whole script: test the folder instead, so stderr,
	# where the test runner prints its "Ran N tests" line, stays on)
	[ -w "$bench" ] || lock="/tmp/slm-tests-$(echo "$bench" | md5sum | cut -c1-8).lock"
	exec 9>>"$lock"
	if ! flock -w 1800 9; then
		echo "another test run has held $lock for 30 minutes; running anyway"
	fi
	echo "== Frappe integration tests on $bench, site $site"
	owner=${SLM_BENCH_USER:-$(stat -c %U "$bench")}
	as_bench() {
		if [ "$(id -un)" = "$owner" ]; then bash -lc "cd '$bench' && $*"; else runuser -u "$owner" -- bash -lc "cd '$bench' && $*"; fi
	}
	# the services the bench talks to (both are started before a session on this machine kind)
	mariadb-admin ping >/dev/null 2>&1 || { start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd; for _ in $(seq 30); do mariadb-admin ping >/dev/null 2>&1 && break; sleep 1; done; }
	redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
	# put the commit under test into the bench's copy of the app
	app="$bench/apps/slm_app"
	if [ -L "$app" ]; then echo "$app is a symlink; refusing to overwrite what it points to"; exit 1; fi
	if [ ! -d "$app" ]; then as_bench "mkdir -p apps/slm_app"; fi
	find "$app" -mindepth 1 -maxdepth 1 ! -name .git ! -name '*.egg-info' -exec rm -rf {} +
	if git -C "$repo" rev-parse HEAD >/dev/null 2>&1; then
		git -C "$repo" archive HEAD | tar -x -C "$app"
		echo "commit under test: $(git -C "$repo" rev-parse --short HEAD)"
	else
		(cd "$repo" && tar --exclude=.git --exclude=.venv -cf - .) | tar -x -C "$app"
	fi
	chown -R "$owner": "$app" 2>/dev/null || true
	as_bench "grep -qx slm_app sites/apps.txt || { sed -i -e '\$a\\' sites/apps.txt; echo slm_app >> sites/apps.txt; }"
	as_bench "./env/bin/pip install -q -e apps/slm_app" || failed+=("frappe: install")
	if [ ! -d "$bench/sites/$site" ]; then
		as_bench "bench new-site '$site' --db-root-username root --db-root-password '${SLM_DB_ROOT_PASSWORD:-root}' --admin-password admin --mariadb-user-host-login-scope=% --install-app slm_app" || failed+=("frappe: new-site")
		# the bench may be running (bench start): its scheduler leaves the test site alone
		as_bench "bench --site '$site' disable-scheduler" || true
	fi
	as_bench "bench --site '$site' set-config pause_scheduler 1 >/dev/null" || true
	# and jobs the tests enqueue go to a Redis database that no worker reads (as when the bench is not
	# running), not to the worker of a running bench, which would run them beside the tests
	queue=$(python3 -c 'import json, sys; u = json.load(open(sys.argv[1])).get("redis_queue", ""); print(u.split("://")[0] + "://" + u.split("://")[-1].split("/")[0] + "/1" if u else "")' "$bench/sites/common_site_config.json" 2>/dev/null)
	[ -z "$queue" ] || as_bench "bench --site '$site' set-config redis_queue '$queue' >/dev/null" || true
	as_bench "bench --site '$site' set-config allow_tests true >/dev/null && bench --site '$site' list-apps | grep -q slm_app || bench --site '$site' install-app slm_app"
	if as_bench "bench --site '$site' migrate >/dev/null" && as_bench "CI=1 bench --site '$site' run-tests --app slm_app"; then
		ran+=("frappe ($site): passed")
	else
		ran+=("frappe ($site): FAILED"); failed+=(frappe)
	fi
	# the real-Helpdesk cases, on a site of this bench that has Helpdesk and slm_app (the test site has not)
	hd_site=${SLM_HELPDESK_SITE:-}
	if [ -z "$hd_site" ]; then
		for s in "$bench"/sites/*/; do
			s=$(basename "$s")
			[ "$s" != "$site" ] && [ -f "$bench/sites/$s/site_config.json" ] || continue
			if as_bench "bench --site '$s' list-apps 2>/dev/null | grep -q '^helpdesk' && bench --site '$s' list-apps 2>/dev/null | grep -q '^slm_app'"; then hd_site=$s; break; fi
		done
	fi
	if [ -n "$hd_site" ]; then
		as_bench "bench --site '$hd_site' set-config allow_tests true >/dev/null" || true
		if as_bench "bench --site '$hd_site' migrate >/dev/null" && as_bench "CI=1 bench --site '$hd_site' run-tests --app slm_app --module slm_app.tests.test_ticket_sources"; then
			ran+=("frappe Helpdesk tickets ($hd_site): passed")
		else
			ran+=("frappe Helpdesk tickets ($hd_site): FAILED"); failed+=(helpdesk)
		fi
	else
		ran+=("frappe Helpdesk tickets: skipped (no site of this bench has Helpdesk; scripts/bench-up.sh --with-helpdesk makes one)")
	fi
	# the upgrade test takes minutes: on request only
	if [ "${SLM_UPGRADE_TEST:-0}" = 1 ]; then
		exec 9>&-  # tests/upgrade.sh takes the bench's test lock itself
		echo "== upgrade test (tests/upgrade.sh)"
		if bash "$repo/tests/upgrade.sh"; then ran+=("upgrade (${SLM_UPGRADE_FROM:-1440ae9} -> HEAD): passed"); else ran+=("upgrade: FAILED"); failed+=(upgrade); fi
	else
		ran+=("upgrade: skipped (SLM_UPGRADE_TEST=1 runs tests/upgrade.sh; minutes)")
	fi
else
	ran+=("frappe: skipped (no bench at $bench; make one with scripts/bench-up.sh, or set SLM_BENCH)")
fi

echo "== suites run"
printf '  %s\n' "${ran[@]}"
[ ${#failed[@]} -eq 0 ]
