#!/usr/bin/env bash
# demo.sh — the README's first command: installs what is missing, builds,
# creates a demo register (the sign shop SIA "ZĪMES" with a few hundred
# synthetic customers) in ./demo-data and shows it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
export SARGS_DATA="$PWD/demo-data"
if [ -e "$SARGS_DATA/sargs.db" ]; then
	echo "A demo register already exists in $SARGS_DATA (remove the folder for a new one)."
	echo
	build/sargs status
	echo
	build/sargs ropa
else
	build/sargs demo --customers "${DEMO_CUSTOMERS:-300}"
fi
cat <<MSG

The register is in $SARGS_DATA. To use it:
  export SARGS_DATA="$SARGS_DATA"
  build/sargs --help
  build/sargs campaign audience --purpose customer_offers --channel email
  build/sargs notice show --lang en
  build/sargs request overdue
  build/sargs retention sweep --dry-run
MSG
