#!/usr/bin/env bash
# Install missing Debian packages for the programs graphspec uses: sysdeps.sh COMMAND:PACKAGE[,PACKAGE] ...
# Each COMMAND found on PATH is skipped; the rest are installed with apt-get when that is permitted
# (root, or passwordless sudo), waiting up to 5 minutes for another apt/dpkg run to finish.
# Where installing is not possible a warning says what to install; tests that need it skip with a reason.
set -u
missing=()
for item in "$@"; do
  cmd=${item%%:*}
  pkgs=${item#*:}
  command -v "$cmd" >/dev/null 2>&1 || missing+=(${pkgs//,/ })
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  sudo=none
fi
if ! command -v apt-get >/dev/null 2>&1 || [ "${sudo[*]}" = none ]; then
  echo "warning: missing system packages: ${missing[*]} (cannot install them here: no apt-get or no root)"
  echo "         install them by hand; the tests that need them are skipped with a reason"
  exit 0
fi
echo "installing with apt-get: ${missing[*]}"
lock=(-o DPkg::Lock::Timeout=300)
"${sudo[@]}" apt-get "${lock[@]}" update -qq &&
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${lock[@]}" install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null ||
  { echo "error: apt-get could not install: ${missing[*]}" >&2; exit 1; }
