/**
 * RPC URLs carry credentials: userinfo (`https://user:pass@host`), API keys in the path
 * (`https://mainnet.infura.io/v3/<key>`) or the query (`?apikey=…`). Only `scheme://host[:port]` may be logged.
 */

/** `scheme://host[:port]` of `url`: no userinfo, no path, no query, no fragment ("[invalid url]" if it does not parse). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '[invalid url]';
  }
}

/** The parts of `url` that may be secrets, longest first (what {@link scrubber} removes from log lines). */
export function urlSecrets(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url.length > 0 ? [url] : [];
  }
  const origin = `${u.protocol}//${u.host}`;
  const parts = new Set<string>();
  // The whole URL in the forms it may be printed in (ethers, fetch and our own messages).
  for (const whole of [url, u.href, u.href.replace(/\/$/, '')]) if (whole !== origin && whole !== `${origin}/`) parts.add(whole);
  for (const p of [u.username, u.password, decodeURIComponent(u.username), decodeURIComponent(u.password)]) if (p.length >= 3) parts.add(p);
  if (u.pathname !== '/' && u.pathname !== '') parts.add(u.pathname);
  for (const segment of u.pathname.split('/')) if (segment.length >= 6) parts.add(segment);
  if (u.search) parts.add(u.search.slice(1));
  for (const value of u.searchParams.values()) if (value.length >= 4) parts.add(value);
  if (u.hash.length > 1) parts.add(u.hash.slice(1));
  return [...parts].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of the secrets (and of their JSON-escaped forms) in a line with `[redacted]`. */
export function scrubber(secrets: readonly string[]): (line: string) => string {
  const forms = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (line) => line;
  return (line) => {
    let out = line;
    for (const s of forms) if (out.includes(s)) out = out.split(s).join('[redacted]');
    return out;
  };
}
