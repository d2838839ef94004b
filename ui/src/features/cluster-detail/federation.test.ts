import { describe, expect, it } from "vitest";
import { CERT_WARNING_DAYS, certLeft } from "./federation";

describe("certLeft", () => {
  const now = Date.parse("2026-11-27T08:00:00Z");

  it("counts whole days and flags the last month and the past", () => {
    expect(certLeft("2027-11-27T08:00:00Z", now)).toEqual({ days: 365, state: "ok" });
    expect(certLeft("2026-12-07T20:00:00Z", now)).toEqual({ days: 10, state: "soon" });
    expect(certLeft("2026-12-27T07:59:59Z", now)?.state).toBe("soon");
    expect(certLeft("2026-12-27T08:00:00Z", now)).toEqual({ days: CERT_WARNING_DAYS, state: "ok" });
    expect(certLeft("2026-11-27T07:00:00Z", now)?.state).toBe("expired");
    expect(certLeft("not a date", now)).toBeNull();
  });
});
