/** Integer lists as stored: JSON arrays of decimal strings (values can exceed 2^53). */
export const encodeValues = (v: readonly bigint[] | null | undefined): string | null => (v == null ? null : JSON.stringify(v.map((x) => x.toString())));

export const decodeValues = (s: string | null): bigint[] | null => (s == null ? null : (JSON.parse(s) as string[]).map((x) => BigInt(x)));
