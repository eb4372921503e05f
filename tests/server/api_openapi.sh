#!/bin/bash
# api_openapi.sh — docs/openapi.yaml and the route tables agree: every
# documented path and method is a route, and every /api/v1 route is
# documented. Parsed with grep/sed/awk (no python, no yq in CI).
. "$(dirname "$0")/lib.sh" "$1"
SRC=${SARGS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SPEC="$SRC/docs/openapi.yaml"

ok "openapi.yaml exists" test -s "$SPEC"
ok "openapi 3" grep -Eq '^openapi: 3\.' "$SPEC"
ok "bearer scheme" grep -Eq '^    bearer:' "$SPEC"
ok "cookie scheme" grep -Eq '^      in: cookie' "$SPEC"
ok "error schema" grep -Eq '^    Error:' "$SPEC"

# "METHOD /path" with every {param} written {}
norm() { sed 's/{[^}]*}/{}/g' | sort -u; }

# the documented operations: a path at two spaces under "paths:", its
# methods at four
awk '
	/^paths:/ { inpaths = 1; next }
	/^[^ ]/ { inpaths = 0 }
	inpaths && /^  \/[^ ]*:[ ]*$/ { p = $1; sub(/:$/, "", p); next }
	inpaths && p != "" && /^    (get|post|put|patch|delete):[ ]*$/ {
		m = $1; sub(/:$/, "", m); print toupper(m) " " p
	}
' "$SPEC" | norm >"$WORK/documented"

grep -ho '{"\(GET\|POST\|PATCH\|PUT\|DELETE\)", "/api/v1/[^"]*"' "$SRC"/src/server/*.c |
	sed 's/^{"\([A-Z]*\)", "\([^"]*\)"$/\1 \2/' | norm >"$WORK/routes"

ok "some routes found" test "$(wc -l <"$WORK/routes")" -ge 20
ok "some operations documented" test "$(wc -l <"$WORK/documented")" -ge 20

undocumented=$(comm -23 "$WORK/routes" "$WORK/documented")
missing=$(comm -13 "$WORK/routes" "$WORK/documented")
if [ -n "$undocumented" ]; then
	echo "routes not in docs/openapi.yaml:"; echo "$undocumented" | sed 's/^/  /'
fi
if [ -n "$missing" ]; then
	echo "documented but not routes:"; echo "$missing" | sed 's/^/  /'
fi
ok "every route is documented" test -z "$undocumented"
ok "every documented operation is a route" test -z "$missing"

# every operation answers errors with the Error schema: each documents 401
n_ops=$(wc -l <"$WORK/documented")
n_401=$(grep -c '"401": {\$ref: "#/components/responses/Unauthenticated"}' "$SPEC")
ok "every operation documents 401 ($n_401 of $n_ops)" test "$n_401" -ge "$n_ops"

finish
