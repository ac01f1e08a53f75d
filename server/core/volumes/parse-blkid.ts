import type { ProbeAnswer } from '../../native/native.ts';

// What libblkid reports about the content of a device.
export interface FilesystemProbe {
  fsType: string | null;
  // "filesystem", "raid", "crypto", "other" (swap): only filesystems are mounted.
  usage: string | null;
  label: string | null;
  uuid: string | null;
  // The partition table's entry (GPT/MBR), matched against PARTUUID= and PARTLABEL= in fstab.
  partUuid: string | null;
  partLabel: string | null;
}

export const emptyProbe: FilesystemProbe = {
  fsType: null,
  usage: null,
  label: null,
  uuid: null,
  partUuid: null,
  partLabel: null,
};

const decoder = new TextDecoder('utf-8', { fatal: false });

// libblkid's raw bytes as text: bytes that are not UTF-8 become U+FFFD (shown as such, never
// used raw in a path); an empty value is none.
function decode(bytes: Buffer | undefined): string | null {
  return bytes && bytes.length > 0 ? decoder.decode(bytes) : null;
}

// The probe of a device from libblkid's values (device_reads.c), as `blkid -p -o udev` gave
// them: null (nothing recognised, two filesystems at once, unreadable) is no filesystem.
export function parseProbeAnswer(answer: ProbeAnswer | null): FilesystemProbe {
  if (!answer) return emptyProbe;
  return {
    fsType: decode(answer.TYPE),
    usage: decode(answer.USAGE),
    // A FAT volume without a root-directory label still has the boot sector's one.
    label: decode(answer.LABEL) ?? decode(answer.LABEL_FATBOOT),
    uuid: decode(answer.UUID),
    partUuid: decode(answer.PART_ENTRY_UUID),
    partLabel: decode(answer.PART_ENTRY_NAME),
  };
}
