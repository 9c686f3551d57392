// The address policy for input files, as a table: what is fetched from by default, and what the operator's
// allow list (host names, addresses, CIDRs) opens up.
import { describe, expect, it } from "vitest";
import { createAddressPolicy, isAllowEntry } from "../src/inputs/address-policy.js";

const DEFAULT_CASES: [host: string, address: string, blocked: RegExp | null][] = [
  ["169.254.169.254", "169.254.169.254", /link-local address \(where cloud metadata services live\)/],
  ["metadata.google.internal", "169.254.169.254", /cloud metadata host/],
  ["metadata.google.internal", "34.1.2.3", /cloud metadata host/],
  ["10.1.2.3", "10.1.2.3", /its address 10\.1\.2\.3 is a private address/],
  ["172.16.0.9", "172.16.0.9", /private address/],
  ["192.168.1.1", "192.168.1.1", /private address/],
  ["127.0.0.1", "127.0.0.1", /its address 127\.0\.0\.1 is a loopback address/],
  ["localhost", "127.0.0.1", /loopback address/],
  ["localhost", "::1", /its address ::1 is a loopback address/],
  ["mapped", "::ffff:127.0.0.1", /its address 127\.0\.0\.1 is a loopback address/],
  ["mapped", "::ffff:10.0.0.1", /private address/],
  ["aws-v6-metadata", "fd00:ec2::254", /unique local/],
  ["fe80", "fe80::1", /link-local/],
  ["cgnat", "100.100.100.200", /carrier-grade NAT/],
  ["zero", "0.0.0.0", /unspecified/],
  ["multicast", "224.0.0.1", /multicast/],
  ["reserved", "240.0.0.1", /reserved address/],
  ["6to4", "2002:7f00:1::1", /reserved address \(6to4\)/],
  ["example.com", "93.184.215.14", null],
  ["8.8.8.8", "8.8.8.8", null],
  ["cloudflare-v6", "2606:4700:4700::1111", null],
];

describe("the default address policy", () => {
  const policy = createAddressPolicy();
  it.each(DEFAULT_CASES)("%s at %s", (host, address, blocked) => {
    const reason = policy.check(host, address);
    if (blocked === null) expect(reason).toBeNull();
    else expect(reason).toMatch(blocked);
  });
});

describe("an allow list", () => {
  const policy = createAddressPolicy(["127.0.0.1", "10.0.0.0/8", "169.254.169.254", "files.internal", "Cache.Local.", "fd00::/8"]);

  it("allows exactly the listed addresses", () => {
    expect(policy.check("127.0.0.1", "127.0.0.1")).toBeNull();
    expect(policy.check("localhost", "::ffff:127.0.0.1")).toBeNull();
    expect(policy.check("127.0.0.2", "127.0.0.2")).toMatch(/loopback/);
    expect(policy.check("localhost", "::1")).toMatch(/loopback/);
    expect(policy.check("169.254.169.254", "169.254.169.254")).toBeNull();
    expect(policy.check("169.254.169.253", "169.254.169.253")).toMatch(/link-local/);
  });

  it("allows every address in a listed CIDR, and nothing next to it", () => {
    expect(policy.check("10.200.3.4", "10.200.3.4")).toBeNull();
    expect(policy.check("mapped", "::ffff:10.9.9.9")).toBeNull();
    expect(policy.check("192.168.0.1", "192.168.0.1")).toMatch(/private/);
    expect(policy.check("v6", "fd12::1")).toBeNull();
    expect(policy.check("v6", "fe80::1")).toMatch(/link-local/);
  });

  it("allows a listed host name whatever it resolves to, case and trailing dot aside", () => {
    expect(policy.check("files.internal", "192.168.7.7")).toBeNull();
    expect(policy.check("FILES.internal.", "127.0.0.5")).toBeNull();
    expect(policy.check("cache.local", "172.16.1.1")).toBeNull();
    expect(policy.check("other.internal", "192.168.7.7")).toMatch(/private/);
  });

  it("takes host names, addresses and CIDRs, and refuses anything else", () => {
    for (const entry of ["localhost", "files.example.com", "127.0.0.1", "::1", "10.0.0.0/8", "fd00::/8"]) expect(isAllowEntry(entry), entry).toBe(true);
    for (const entry of ["http://x", "10.0.0.0/33", "a b", "*.example.com", ""]) expect(isAllowEntry(entry), entry).toBe(false);
    expect(() => createAddressPolicy(["not a host"])).toThrow(/Not a host name, IP address or CIDR/);
  });
});
