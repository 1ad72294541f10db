# common.sh - shell helpers the scripts (demo, benchmarks) and tests share.
# Sourced, not run.
#
#   herdsrv_start OUTVAR MODEL [ARGS...]   start build/herdsrv on port 0; OUTVAR_PID, OUTVAR_PORT
#   herdsrv_stop PID                       SIGTERM and wait (SIGKILL after 20 s)
#   nginx_start DIR PORT ROOT [WORKERS]    a private nginx (own config, pid and logs in DIR)
#   nginx_stop DIR
HERD_ROOT=${HERD_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
HERD_BUILD=${BUILD:-build}

herdsrv_start() {
	local var=$1 model=$2 out i port
	shift 2
	out=$(mktemp /tmp/herdsrv.XXXXXX)
	"$HERD_ROOT/$HERD_BUILD/herdsrv" --model "$model" --port 0 --quiet "$@" >"$out" 2>"$out.err" &
	local pid=$!
	for i in $(seq 200); do
		grep -q '^listening on' "$out" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$out")
	rm -f "$out"
	if [ -z "$port" ]; then
		echo "herdsrv --model $model did not start:" >&2
		cat "$out.err" >&2
		rm -f "$out.err"
		return 1
	fi
	rm -f "$out.err"
	printf -v "${var}_PID" '%s' "$pid"
	printf -v "${var}_PORT" '%s' "$port"
}

herdsrv_stop() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 400); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null
	return 0
}

# A free loopback port (bound and released; good enough for a test's own server).
free_port() {
	local p
	for p in $(shuf -i 20000-32000 -n 50); do
		if ! ss -Htln "sport = :$p" | grep -q .; then echo "$p"; return 0; fi
	done
	return 1
}

nginx_start() {
	local dir=$1 port=$2 root=$3 workers=${4:-auto} i
	mkdir -p "$dir"
	local user=
	# As root, nginx's workers would drop to nobody and be refused our 0700 temp dirs.
	[ "$(id -u)" -eq 0 ] && user="user root;"
	cat >"$dir/nginx.conf" <<CONF
$user
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
daemon on;
events { worker_connections 16384; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	client_body_temp_path $dir/body;
	proxy_temp_path $dir/proxy;
	fastcgi_temp_path $dir/fastcgi;
	uwsgi_temp_path $dir/uwsgi;
	scgi_temp_path $dir/scgi;
	server {
		listen 127.0.0.1:$port backlog=1024;
		root $root;
	}
}
CONF
	nginx -c "$dir/nginx.conf" -p "$dir" 2>"$dir/start.err" || { cat "$dir/start.err" >&2; return 1; }
	for i in $(seq 100); do
		ss -Htln "sport = :$port" | grep -q . && return 0
		sleep 0.05
	done
	echo "nginx did not listen on $port" >&2
	return 1
}

nginx_stop() {
	local dir=$1 pid i
	[ -f "$dir/nginx.pid" ] || return 0
	pid=$(cat "$dir/nginx.pid")
	kill -QUIT "$pid" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null || true
}
