#!/usr/bin/env bash
# Installs what the tests need on a Debian machine: Debian's Chromium (Playwright drives it,
# never downloads one), the PAM headers for the optional PAM binding, shadow-utils, perl,
# acl, su and script as test peers. Needs root when something is missing; says what to run otherwise.
set -euo pipefail
# util-linux (unshare, nsenter, setpriv, su, findmnt), bsdutils (script: a pty for su) and
# mount drive the real-machine tests (test/helpers/real-machine.ts); procps gives the kill that
# licornd runs as an account to end its processes (server/core/processes/end-processes.ts);
# e2fsprogs, dosfstools, xfsprogs and btrfs-progs make the filesystems on the loop devices of
# test/core/volumes; libblkid-dev the header the addon's own libblkid declarations are checked against (blkid-abi.h);
# tmux drives `licorn get status -m` in a terminal (test/cli).
packages=(chromium libpam0g-dev libcrypt-dev passwd perl acl util-linux bsdutils mount procps g++ make python3
  e2fsprogs dosfstools xfsprogs btrfs-progs libblkid-dev tmux)
missing=()
# nscd is unpacked, not installed: installing it would start a cache daemon for the whole
# machine. The nscd test runs this copy in a private mount namespace of its own.
nscd_dir=var/test-deps/nscd
if [ ! -x "$nscd_dir/usr/sbin/nscd" ]; then
  mkdir -p "$nscd_dir"
  (cd "$nscd_dir" && apt-get download -qq nscd && dpkg-deb -x nscd_*.deb . && rm nscd_*.deb)
fi
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
