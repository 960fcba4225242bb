#!/bin/sh
# Bad input to `protosweep run`: one stderr line naming the file and key, exit
# status 2, and an existing results file left exactly as it was.
. tests/cli/lib.inc
$PROTOSWEEP run data/smoke.cfg -o "$T/good.h5" -j 2 --quiet || fail "smoke run"
cp "$T/good.h5" "$T/before.h5"
bad() {  # bad NAME KEY CONFIG-TEXT: must be refused, naming the file and KEY
    printf '%s\n' "$3" >"$T/$1.cfg"
    expect_error 2 $PROTOSWEEP run "$T/$1.cfg" -o "$T/good.h5" --quiet
    grep -q "$1.cfg" "$T/err" || fail "$1: message does not name the file: $(cat "$T/err")"
    grep -q "$2" "$T/err" || fail "$1: message does not name '$2': $(cat "$T/err")"
}
bad unknown_key "grid.Nn" 'grid: { Nn = [3]; };'
bad unknown_root "bogus" 'bogus = 1;'
bad wrong_type "train.epochs" 'train: { epochs = "many"; };'
bad float_for_int "grid.datasets" 'grid: { datasets = 2.5; };'
bad bad_mask "grid.masks" 'grid: { masks = ["000", "012"]; };'
bad short_mask "grid.masks" 'grid: { masks = "01"; };'
bad empty_list "grid.lambda" 'grid: { lambda = []; };'
bad neg_lr "train.lr" 'train: { lr = -1e-3; };'
bad n_too_large "grid.N" 'grid: { N = [3, 30]; }; data: { min_sep = 0.5; min_sep_scale = 100.0; };'
bad syntax ":" 'grid: { N = [3, 5 };'
grep -q "line\|:1:" "$T/err" || fail "syntax error without a line number"
# unwritable output path
expect_error 2 $PROTOSWEEP run data/smoke.cfg -o /nonexistent-dir/x.h5 --quiet
grep -q "/nonexistent-dir/x.h5" "$T/err" || fail "unwritable path not named"
# an existing file from another config
printf 'master_seed = 8;\ngrid: { N = 3; datasets = 1; masks = "000"; };\ntrain: { epochs = 5; };\n' >"$T/other.cfg"
expect_error 2 $PROTOSWEEP run "$T/other.cfg" -o "$T/good.h5" --quiet
grep -q "good.h5" "$T/err" || fail "other-config refusal does not name the file"
# not a results file at all
echo "hello" >"$T/text.h5"
expect_error 2 $PROTOSWEEP run data/smoke.cfg -o "$T/text.h5" --quiet
# bad usage
expect_error 2 $PROTOSWEEP run data/smoke.cfg -j zero
expect_error 2 $PROTOSWEEP run data/smoke.cfg --shard 3/3
expect_error 2 $PROTOSWEEP run /nonexistent.cfg
expect_error 2 $PROTOSWEEP frobnicate
expect_error 2 $PROTOSWEEP compare "$T/good.h5"
expect_error 2 $PROTOSWEEP repair
# the results file is untouched, bit for bit and as data
cmp -s "$T/good.h5" "$T/before.h5" || fail "a refused run modified the existing results file"
$PROTOSWEEP compare "$T/good.h5" "$T/before.h5" >/dev/null || fail "results changed"
$PROTOSWEEP run data/smoke.cfg -o "$T/good.h5" --quiet || fail "resume of the intact file"
ok "$NEXPECT kinds of bad input refused with one line and exit 2; results file intact"
