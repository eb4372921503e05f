#!/usr/bin/env bash
# demo.sh — the README's first command: installs what is missing, builds,
# creates a demo register (the sign shop SIA "ZĪMES" with a few hundred
# synthetic customers and three staff accounts) in ./demo-data and starts
# the server on it, printing the address and the staff credentials.
# Stop it with Ctrl-C. DEMO_PORT sets the port (default 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
export SARGS_DATA="$PWD/demo-data"
CRED="$SARGS_DATA/demo-staff.txt"
if [ -e "$SARGS_DATA/sargs.db" ]; then
	echo "A demo register already exists in $SARGS_DATA (remove the folder for a new one)."
	build/sargs status
else
	build/sargs demo --customers "${DEMO_CUSTOMERS:-300}" >/dev/null
	build/sargs status
	# one account per person and role (the passwords are made here, once)
	umask 077
	: >"$CRED"
	for who in "anna owner lv" "kaspars cashier lv" "liga dpo en"; do
		set -- $who
		pw="$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
		printf '%s\n' "$pw" | build/sargs staff add "$1" --role "$2" --lang "$3" --password-stdin >/dev/null
		printf '%-8s %-8s %s\n' "$1" "$2" "$pw" >>"$CRED"
	done
fi
PORT=${DEMO_PORT:-8080}
cat <<MSG

Staff accounts of the demo (user, role, password; kept in $CRED):
$(sed 's/^/  /' "$CRED")

Sign in at http://127.0.0.1:$PORT/ — the owner sees everything, the cashier
adds customers and purchases, the data protection officer handles requests.
The JSON API is under http://127.0.0.1:$PORT/api/v1/ (docs/api.md).
From another terminal the command line works on the same register:
  export SARGS_DATA="$SARGS_DATA"
  build/sargs --help
Stop the server with Ctrl-C.

MSG
exec build/sargs serve --port "$PORT"
