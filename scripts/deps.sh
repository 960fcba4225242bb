#!/bin/sh
# Install (as root, with apt-get) or list (otherwise) the Debian packages that
# protosweep needs, from the single list data/debian-packages.txt.
#   scripts/deps.sh [GROUP...]     groups: build run test slurm (default: all)
# Exit status: 0 when everything asked for is installed afterwards, 1 otherwise.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
list="$here/data/debian-packages.txt"
groups="${*:-build run test slurm}"
want=""
for g in $groups; do
    case "$g" in build|run|test|slurm) ;; *) echo "deps.sh: unknown group '$g' (expected build, run, test or slurm)" >&2; exit 2;; esac
    want="$want $(awk -v g="$g" '!/^#/ && NF >= 2 && $2 == g { print $1 }' "$list")"
done
missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps.sh: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
else
    echo "deps.sh: missing Debian packages:$missing" >&2
    echo "deps.sh: install them as root: apt-get install$missing" >&2
    exit 1
fi
