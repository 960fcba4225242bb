#!/bin/sh
# report_smoke.sh — `protostat report` end to end (issue: report).
# On the smoke grid: exit 0; stdout has the six claims, each PASS/FAIL/N/A with
# its numbers, and the same verdicts as REPORT.md; the tau claim is N/A (no
# sweep); REPORT.md embeds the figures that exist, and sets the run's numbers
# beside the paper's (found next to the executable: "/ 0.483 /" is Table 1,
# N = 3, mask 000).  --no-figures draws none; --tables with a missing
# directory and a missing -o are usage errors (exit 2).
set -u
T=$(mktemp -d /tmp/ps_report_smoke.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
fail() { echo "report_smoke: $*"; exit 1; }

"$PROTOSWEEP" run data/smoke.cfg -o "$T/smoke.h5" >/dev/null 2>&1 || fail "protosweep run smoke failed"
unset PROTOSWEEP_DATA
"$PROTOSTAT" report "$T/smoke.h5" -o "$T/r" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] || fail "report exited $rc: $(cat "$T/err")"
md="$T/r/REPORT.md"
[ -s "$md" ] || fail "no REPORT.md"
n=$(grep -cE '^(PASS|FAIL|N/A) +[1-6]\. ' "$T/out")
[ "$n" -eq 6 ] || fail "expected 6 claim lines on stdout, got $n: $(cat "$T/out")"
grep -qE '^N/A +6\. in the tau sweep' "$T/out" || fail "tau claim not N/A without a sweep"
grep -qE '^[0-9] PASS, [0-9] FAIL, [0-9] N/A; report: ' "$T/out" || fail "no summary line"
for k in 1 2 3 4 5 6; do
    out=$(grep -E "^(PASS|FAIL|N/A) +$k\. " "$T/out" | awk '{print $1}')
    rep=$(grep -E "^\| $k \| .* \| \*\*(PASS|FAIL|N/A)\*\* \| " "$md" |
          sed 's/.*| \*\*\([A-Z/]*\)\*\* |.*/\1/')
    [ "$out" = "$rep" ] || fail "claim $k: stdout $out, REPORT.md $rep"
done
grep -q 'not found' "$T/err" && fail "paper tables not found next to $PROTOSTAT"
grep -q '/ 0.483 /' "$md" || fail "paper's Table 1 (N=3, 000 = 0.483) not beside the run"
grep -q '^### Significance' "$md" || fail "no significance matrices"
grep -q '!\[Figure 1' "$md" || fail "figure 1 not embedded"
for f in $(sed -n 's/^!\[[^]]*\](\(.*\))$/\1/p' "$md"); do
    [ -s "$T/r/$f" ] || fail "embedded $f missing"
done
grep -q 'skipped: no tau sweep' "$md" || fail "no skip note for figure 4"

"$PROTOSTAT" report "$T/smoke.h5" -o "$T/q" --no-figures >/dev/null 2>&1 || fail "--no-figures failed"
grep -q 'No figures were drawn' "$T/q/REPORT.md" || fail "--no-figures: figures mentioned"
ls "$T/q" | grep -q '\.png$' && fail "--no-figures drew PNGs"

"$PROTOSTAT" report "$T/smoke.h5" -o "$T/s" --tables /nonexistent >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] || fail "--tables /nonexistent: exit $rc, expected 2"
"$PROTOSTAT" report "$T/smoke.h5" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] || fail "no -o: exit $rc, expected 2"
exit 0
