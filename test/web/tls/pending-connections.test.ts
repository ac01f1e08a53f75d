import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { getAddressKey, PendingConnections } from '../../../server/web/tls/pending-connections.ts';

// A socket as PendingConnections sees it: its peer's address, and whether it was cut.
function makeSocket(remoteAddress: string): Socket & { cut: boolean } {
  const socket = {
    remoteAddress,
    cut: false,
    destroy() {
      socket.cut = true;
      return socket;
    },
  };
  return socket as unknown as Socket & { cut: boolean };
}

describe('the pending connections of the HTTPS port', () => {
  it('cuts the oldest of one address past maxPerAddress, leaving the others', () => {
    const pending = new PendingConnections({ maxUnsettled: 100, maxPerAddress: 3 });
    const others = ['192.0.2.7', '2001:db8:0:1::7'].map(makeSocket);
    for (const socket of others) pending.add(socket);
    const flood = Array.from({ length: 10 }, () => makeSocket('203.0.113.9'));
    for (const socket of flood) pending.add(socket);
    expect(flood.map((socket) => socket.cut)).toEqual([...Array(7).fill(true), ...Array(3).fill(false)]);
    expect(others.some((socket) => socket.cut)).toBe(false);
    expect(pending.size).toBe(5);
    // One settled makes room for another of that address without a cut.
    pending.delete(flood[9]!);
    pending.add(makeSocket('::ffff:203.0.113.9'));
    expect(flood[7]!.cut).toBe(false);
  });

  it('counts a whole IPv6 /64 as one address, never loopback, and cuts the oldest of all past maxUnsettled', () => {
    const pending = new PendingConnections({ maxUnsettled: 6, maxPerAddress: 2 });
    const six = ['2001:db8:0:1::a', '2001:db8:0:1:ffff::b', '2001:DB8:0:1::c'].map(makeSocket);
    for (const socket of six) pending.add(socket);
    expect(six.map((socket) => socket.cut)).toEqual([true, false, false]);
    const local = Array.from({ length: 8 }, (_, index) => makeSocket(index % 2 ? '::1' : '127.0.0.1'));
    for (const socket of local) pending.add(socket);
    // 2 of the /64, then 8 loopback ones against a cap of 6: the 4 oldest of all go.
    expect([...six.slice(1), ...local].filter((socket) => socket.cut)).toEqual([six[1], six[2], local[0], local[1]]);
    expect(pending.size).toBe(6);
    pending.destroyAll();
    expect(local.every((socket) => socket.cut)).toBe(true);
    expect(pending.size).toBe(0);
  });

  it('keys addresses by IPv4 or IPv6 /64, loopback by none', () => {
    expect(getAddressKey('198.51.100.4')).toBe('198.51.100.4');
    expect(getAddressKey('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(getAddressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(getAddressKey('2001:db8:0:0:1:2:3:4')).toBe('2001:db8:0:0::/64');
    expect(getAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(getAddressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    for (const loopback of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', undefined])
      expect(getAddressKey(loopback)).toBeNull();
  });
});
