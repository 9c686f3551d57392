// Which addresses a runner may fetch input files from. By default only public unicast addresses: never loopback,
// private, link-local (169.254.169.254, the cloud metadata service), carrier-grade NAT, unique-local, multicast or
// reserved ones, and never a cloud metadata host name. The operator may allow host names, addresses and CIDRs.
import ipaddr from "ipaddr.js";

export interface AddressPolicy {
  /**
   * Why `address` (what `hostname` resolved to, or the literal address itself) may not be fetched from, in words
   * a user can read; null when it may.
   */
  check(hostname: string, address: string): string | null;
}

/** Names cloud providers serve instance metadata (and credentials) under. */
const METADATA_HOSTS = new Set(["metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"]);

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

const RANGE_WORDS: Record<string, string> = {
  loopback: "a loopback address",
  private: "a private address",
  linkLocal: "a link-local address (where cloud metadata services live)",
  uniqueLocal: "a private (unique local) address",
  carrierGradeNat: "a carrier-grade NAT address",
  unspecified: "an unspecified address",
  multicast: "a multicast address",
  broadcast: "a broadcast address",
};

/** Whether `entry` is something FERRY_ALLOWED_INPUT_HOSTS may list: a host name, an IP address, or a CIDR. */
export function isAllowEntry(entry: string): boolean {
  return ipaddr.isValidCIDR(entry) || ipaddr.isValid(entry) || HOSTNAME.test(entry);
}

/** A policy that also allows `allowed`: host names (exact, case-insensitive), IP addresses and CIDRs. Throws for an invalid entry. */
export function createAddressPolicy(allowed: readonly string[] = []): AddressPolicy {
  const names = new Set<string>();
  const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  for (const raw of allowed) {
    const entry = raw.trim();
    if (entry === "") continue;
    if (ipaddr.isValidCIDR(entry)) ranges.push(normalizedRange(ipaddr.parseCIDR(entry)));
    else if (ipaddr.isValid(entry)) {
      const address = ipaddr.process(entry);
      ranges.push([address, address.kind() === "ipv4" ? 32 : 128]);
    } else if (HOSTNAME.test(entry)) names.add(canonicalName(entry));
    else throw new Error(`Not a host name, IP address or CIDR: ${JSON.stringify(raw)}`);
  }

  return {
    check(hostname, address) {
      const name = canonicalName(hostname);
      if (names.has(name)) return null;
      if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
      const parsed = ipaddr.process(address);
      if (ranges.some((range) => parsed.kind() === range[0].kind() && parsed.match(range))) return null;
      if (METADATA_HOSTS.has(name)) return `${hostname} is a cloud metadata host, which is never fetched from`;
      const range = parsed.range();
      if (range === "unicast") return null;
      return `its address ${parsed.toString()} is ${RANGE_WORDS[range] ?? `a reserved address (${range})`}, which this server does not fetch from`;
    },
  };
}

/** Lowercase, without a trailing dot and without IPv6 brackets. */
function canonicalName(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, "").replace(/^\[(.*)\]$/, "$1");
}

/** An IPv4-mapped IPv6 CIDR (::ffff:10.0.0.0/104) becomes its IPv4 form, as addresses are compared after process(). */
function normalizedRange([address, bits]: [ipaddr.IPv4 | ipaddr.IPv6, number]): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return [address, bits];
}
