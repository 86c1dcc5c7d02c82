# Sourced by the demo scripts (not run on its own: deploy/dev runs only *.sh) after they set
# RISS and CONF: conf NAME reads a setting; SOCK and KEYS are riss-signd's socket and key
# folder; demo_signd_start starts riss-signd for the moment when it is not running, so
# credentials are issued through it as the registrar's desk does; demo_signd_stop stops only
# the one demo_signd_start started.
conf() { sed -n "s/^$1 *= *\"\{0,1\}\([^\"]*\)\"\{0,1\} *$/\1/p" "$CONF" | tail -1; }
SOCK="$(conf signd_socket)"; SOCK="${SOCK:-$ROOT/var/run/signd.sock}"
KEYS="$(conf keys_dir)"; KEYS="${KEYS:-$ROOT/var/keys}"
DEMO_SIGND_PID=""
demo_signd_start() {
	[ -S "$SOCK" ] && return 0
	local signd
	signd="$(dirname "$RISS")/../certs/riss-signd"
	[ -n "$(ls -A "$KEYS" 2>/dev/null)" ] || "$RISS" keys new --dir "$KEYS" >/dev/null
	"$signd" --keys "$KEYS" --socket "$SOCK" >/dev/null 2>&1 &
	DEMO_SIGND_PID=$!
	for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
}
demo_signd_stop() {
	[ -z "$DEMO_SIGND_PID" ] || kill "$DEMO_SIGND_PID"
	DEMO_SIGND_PID=""
}
