#!/bin/bash
# Red team (twelfth session): a create killed after appending passwd, on an ext4 disk that
# comes back under another device number (as after a reboot: sda/sdb order, dm-N minors,
# btrfs/overlay anonymous devices). The recovery should truncate passwd back; it leaves the
# account in passwd and not in shadow. Exits 1 when the files are torn after the recovery.
# Run as root: it makes its own private mount namespace, image and loop devices.
set -euo pipefail
if [ "${1:-}" != inner ]; then exec unshare -m --propagation private "$0" inner; fi
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/licorn-redteam-dev-XXXXXX)
a='' b=''
cleanup() {
  umount "$work/mnt" 2>/dev/null || true
  for loop in $a $b; do losetup -d "$loop" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$here"
truncate -s 64M "$work/disk.img" && mkfs.ext4 -q -F "$work/disk.img"
mkdir "$work/mnt" "$work/demo"
node --import tsx test/redteam/open-accounts.ts prepare "$work/demo"
a=$(losetup -f --show "$work/disk.img")
mount "$a" "$work/mnt"
cp -a "$work/demo/root" "$work/mnt/root"
LICORN_TEST_KILL_AT='appended passwd' node --import tsx test/helpers/append-create-child.ts \
  "$work/mnt/root" account ann ann >/dev/null || true
p=$(grep -c '^ann:' "$work/mnt/root/etc/passwd" || true) s=$(grep -c '^ann:' "$work/mnt/root/etc/shadow" || true)
echo "before reboot: dev $(stat -c %D "$work/mnt/root/etc/passwd"), ann in passwd $p, in shadow $s"
umount "$work/mnt"
# The same disk found again as another device (the first stays attached, so a new number).
b=$(losetup -f --show "$work/disk.img")
mount "$b" "$work/mnt"
node --import tsx test/redteam/open-accounts.ts open "$work/mnt/root" 2>&1 | grep -i licornd || true
p=$(grep -c '^ann:' "$work/mnt/root/etc/passwd" || true) s=$(grep -c '^ann:' "$work/mnt/root/etc/shadow" || true)
dev=$(stat -c %D "$work/mnt/root/etc/passwd")
echo "after recovery on $b: dev $dev, ann in passwd $p, in shadow $s"
[ "$p" = "$s" ]
