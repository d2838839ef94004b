/** Certificates closer than this to their end are flagged. */
export const CERT_WARNING_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface CertLeft {
  /** Whole days until `notAfter` (negative once expired). */
  days: number;
  state: "ok" | "soon" | "expired";
}

/** How long a client certificate has left; `null` when `notAfter` does not parse. */
export function certLeft(notAfter: string, now: number = Date.now()): CertLeft | null {
  const end = Date.parse(notAfter);
  if (Number.isNaN(end)) return null;
  const days = Math.floor((end - now) / DAY_MS);
  const state = end <= now ? "expired" : days < CERT_WARNING_DAYS ? "soon" : "ok";
  return { days, state };
}
