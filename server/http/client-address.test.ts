import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { clientAddressOf, clientKey, trustedProxies } from './client-address.js';

const request = (remoteAddress: string | undefined, forwardedFor?: string) =>
  ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

describe('clientKey: what one client is', () => {
  it('an IPv4 address is itself', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('203.0.113.8')).not.toBe(clientKey('203.0.113.7'));
  });

  it('an IPv4 address in IPv6 form (a dual-stack socket) is the same client as the IPv4 address', () => {
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::FFFF:cb00:7107')).toBe('203.0.113.7');
  });

  it('every address of one IPv6 /64 is one client, however it is written; another /64 is another client', () => {
    const key = clientKey('2001:db8:1:2::1');
    expect(key).toBe('2001:db8:1:2::/64');
    for (const same of ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0db8:0001:0002:0:0:0:abcd', '2001:DB8:1:2:a:b:c:d']) {
      expect(clientKey(same)).toBe(key);
    }
    expect(clientKey('2001:db8:1:3::1')).not.toBe(key);
    expect(clientKey('::1')).toBe('::/64');
  });

  it('an IPv6 address carrying an IPv4 host (NAT64, 6to4) is that IPv4 host: users behind a translator are not one client, a 6to4 /48 is not thousands', () => {
    expect(clientKey('64:ff9b::198.51.100.1')).toBe('198.51.100.1');
    expect(clientKey('64:ff9b::cb00:714d')).toBe('203.0.113.77');
    expect(clientKey('2002:c633:6401:1::1')).toBe('198.51.100.1');
    expect(clientKey('2002:c633:6401:2::1')).toBe('198.51.100.1');
  });

  it('a port a proxy forwarded with the address does not make another client', () => {
    expect(clientKey('198.51.100.9:1000')).toBe('198.51.100.9');
    expect(clientKey('198.51.100.9:1001')).toBe('198.51.100.9');
    expect(clientKey('[2001:db8:1:2::1]:443')).toBe('2001:db8:1:2::/64');
    expect(clientKey('[::ffff:198.51.100.9]:80')).toBe('198.51.100.9');
  });

  it('what is not an address is kept as it is', () => {
    expect(clientKey('unknown')).toBe('unknown');
    expect(clientKey('')).toBe('');
  });
});

describe('clientAddressOf', () => {
  it("counts the socket's client by default, whatever X-Forwarded-For says", () => {
    const none = trustedProxies('');
    expect(clientAddressOf(request('2001:db8::5', '198.51.100.1'), none)).toBe('2001:db8::/64');
    expect(clientAddressOf(request(undefined), none)).toBe('unknown');
  });

  it('counts the nearest untrusted hop behind trusted proxies, as a client key', () => {
    const loopback = trustedProxies('loopback');
    expect(clientAddressOf(request('127.0.0.1', '2001:db8:7:7::1234'), loopback)).toBe('2001:db8:7:7::/64');
    expect(clientAddressOf(request('::ffff:127.0.0.1', '::ffff:198.51.100.1'), loopback)).toBe('198.51.100.1');
  });
});
