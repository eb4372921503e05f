#!/usr/bin/env bash
# gen-cli-doc.sh SARGS [OUT] — regenerates docs/cli.md: the hand-written
# introduction (up to the line "The help text of each command follows.")
# followed by the --help text of every command. With OUT, writes there
# instead (the test suite compares the result with docs/cli.md).
set -euo pipefail
SARGS=${1:?usage: gen-cli-doc.sh PATH_TO_SARGS [OUT]}
here=$(cd "$(dirname "$0")/.." && pwd)
out=${2:-$here/docs/cli.md}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
sed -n '1,/^The help text of each command follows\.$/p' "$here/docs/cli.md" >"$tmp"
for c in "" init status controller "controller set" "controller show" purpose \
	"purpose load" "purpose list" "purpose show" ropa subject "subject add" \
	"subject find" "subject show" "subject edit" "subject erase" check audit \
	"audit log" "audit checkpoint-key" "audit checkpoint" "audit verify" "audit reindex" calendar "calendar due" "calendar holidays" consent \
	"consent give" "consent withdraw" "consent object" "consent guardian" "consent history" \
	"consent verify-receipt" "consent public-key" policy "policy check" purchase "purchase add" \
	"purchase list" contract "contract start" "contract end" "contract list" campaign \
	"campaign audience" "campaign export" "campaign list" "campaign rebuild" unsubscribe retention "retention sweep" notice "notice show" "notice short" "notice publish" "notice versions" import zones \
	"zones list" "zones ask" "zones confirm" "zones purge" disclose disclosures stats pseudonym "pseudonym init" \
	"pseudonym export" "pseudonym reidentify" request "request new" "request list" "request show" \
	"request ask" "request verify" "request extend" "request refuse" "request fee" "request paid" \
	"request assign" "request fulfil" "request overdue" backup "backup create" "backup verify" "backup restore" breach "breach record" "breach list" "breach show" \
	"breach update" "breach affected" "breach notified" "breach draft" "breach contacts" \
	staff "staff add" "staff list" "staff passwd" "staff role" "staff disable" "staff enable" \
	"staff unlock" role "role list" "role set" token "token issue" "token list" "token revoke" serve demo; do
	printf '\n## %s\n\n```\n' "$(echo "sargs $c" | sed 's/ *$//')" >>"$tmp"
	# shellcheck disable=SC2086
	"$SARGS" $c --help >>"$tmp"
	printf '```\n' >>"$tmp"
done
cp "$tmp" "$out"
