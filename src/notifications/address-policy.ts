/**
 * Which addresses a notification may be sent to. A webhook URL is chosen by a user, and one that
 * points at the server's own network (metadata endpoints, internal services) is a classic
 * server-side request forgery: loopback, link-local, private and other special ranges are refused
 * unless NOTIFY_ALLOWED_NETWORKS names them. The check runs on the address actually connected to
 * (see safe-http.ts), so a name that resolves elsewhere later gains nothing.
 */
import dns from 'node:dns';
import net from 'node:net';
import type { NotificationNetwork } from '../domain/ports';

const REFUSED_V4: Array<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const REFUSED_V6: Array<[string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
];

export class AddressPolicy {
  private readonly refused = new net.BlockList();
  private readonly allowed = new net.BlockList();

  constructor(readonly allowedNetworks: readonly string[]) {
    for (const [address, prefix] of REFUSED_V4) this.refused.addSubnet(address, prefix, 'ipv4');
    for (const [address, prefix] of REFUSED_V6) this.refused.addSubnet(address, prefix, 'ipv6');
    for (const entry of allowedNetworks) {
      const [address, prefix] = entry.split('/');
      const family = net.isIPv6(address!) ? 'ipv6' : 'ipv4';
      if (!net.isIP(address!)) throw new Error(`NOTIFY_ALLOWED_NETWORKS: ${entry} is not an IP address or CIDR range`);
      if (prefix === undefined) this.allowed.addAddress(address!, family);
      else this.allowed.addSubnet(address!, Number(prefix), family);
    }
  }

  /** Why the address may not be connected to, or null. IPv4-mapped IPv6 addresses are judged as IPv4. */
  refusal(address: string): string | null {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const ip = mapped ?? address;
    const family = net.isIPv6(ip) ? 'ipv6' : net.isIPv4(ip) ? 'ipv4' : null;
    if (!family) return `${address} is not an IP address`;
    if (this.allowed.check(ip, family)) return null;
    if (this.refused.check(ip, family)) return `${address} is a loopback, link-local, private or reserved address (allow it with NOTIFY_ALLOWED_NETWORKS)`;
    return null;
  }

  /** A `lookup` for http.request: resolves, then refuses the connection when any address is refused. */
  readonly lookup: net.LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as dns.LookupAddress[];
      const bad = list.map((a) => this.refusal(a.address)).find((why) => why !== null);
      if (bad || list.length === 0) {
        return callback(Object.assign(new Error(`refused: ${hostname} resolves to ${bad ?? 'nothing'}`), { code: 'NOTIFICATION_ADDRESS_REFUSED' }), '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };

  /** The configuration-time check: what the host resolves to now. */
  async check(url: URL): Promise<{ code: string; message: string } | null> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    if (net.isIP(host)) {
      addresses = [host];
    } else {
      try {
        addresses = (await dns.promises.lookup(host, { all: true })).map((a) => a.address);
      } catch (error) {
        return { code: 'INVALID_NOTIFICATION_URL', message: `invalid notification target URL: ${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
      }
    }
    for (const address of addresses) {
      const why = this.refusal(address);
      if (why) return { code: 'NOTIFICATION_ADDRESS_REFUSED', message: `notification target ${host} refused: ${why}` };
    }
    return null;
  }
}

export function notificationNetwork(policy: AddressPolicy): NotificationNetwork {
  return { refusal: (url) => policy.check(url) };
}
