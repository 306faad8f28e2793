#!/bin/bash
# Self-test of no-traps.sh: a fake tree with one `try!`, one force unwrap, one `!=`, a `!` inside a
# string and one inside a comment must give exactly 2 violations (and exit 1); with both allowed it
# must pass; an allow-list entry that matches nothing must fail as stale.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
check=$here/no-traps.sh
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/Sources/WickCore" "$root/Tests/scripts"
cat > "$root/Sources/WickCore/X.swift" <<'SWIFT'
import Foundation

func example(values: [String: Int], text: String) -> Bool {
    let data = try! JSONSerialization.data(withJSONObject: [1])
    let first = values["a"]!
    let message = "string with ! inside, even x! and y!.z"
    // x!
    return first != data.count && message != text
}
SWIFT
fail() { echo "no-traps selftest: FAIL: $*"; exit 1; }

# 1. Exactly the two traps, nothing from the string, the comment or `!=`.
status=0
out=$("$check" "$root") || status=$?
echo "$out"
[ "$status" = 1 ] || fail "expected exit 1, got $status"
count=$(grep -c '^Sources/WickCore/X.swift:[0-9]*: ' <<<"$out" || true)
[ "$count" = 2 ] || fail "expected 2 violations, got $count"
grep -q '^Sources/WickCore/X.swift:4: try!: let data = try! JSONSerialization' <<<"$out" || fail "try! on line 4 not reported"
grep -q '^Sources/WickCore/X.swift:5: force unwrap: let first = values\["a"\]!' <<<"$out" || fail "force unwrap on line 5 not reported"

# 2. Allowing both (by fragment, with a reason) passes.
cat > "$root/Tests/scripts/no-traps.allow" <<'ALLOW'
# comment lines and blank lines are ignored

Sources/WickCore/X.swift | try! JSONSerialization.data(withJSONObject: [1]) | a literal array always serializes
Sources/WickCore/X.swift | values["a"]! | test fixture
ALLOW
"$check" "$root" >/dev/null || fail "both traps allowed, but the check failed"

# 3. A stale entry fails, and so does an entry without a reason.
echo 'Sources/WickCore/X.swift | values["b"]! | gone' >> "$root/Tests/scripts/no-traps.allow"
out=$("$check" "$root") && fail "a stale entry passed"
grep -q 'no-traps.allow:5: stale: ' <<<"$out" || fail "stale entry not reported: $out"
sed -i '$d' "$root/Tests/scripts/no-traps.allow"
echo 'Sources/WickCore/X.swift | values["a"]! |' >> "$root/Tests/scripts/no-traps.allow"
"$check" "$root" >/dev/null && fail "an entry without a reason passed"

echo "no-traps selftest: ok"
