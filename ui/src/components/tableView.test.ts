import { describe, expect, it } from "vitest";
import { visibleIndices } from "./tableView";

interface Row {
  name: string;
  size: number;
}

describe("visibleIndices", () => {
  const rows: Row[] = [
    { name: "web-10", size: 3 },
    { name: "web-9", size: 1 },
    { name: "db", size: 2 },
  ];
  const haystacks = rows.map((r) => r.name);

  it("filters case-insensitively and sorts naturally in both directions", () => {
    expect(visibleIndices(rows, haystacks, "", null)).toEqual([0, 1, 2]);
    expect(visibleIndices(rows, haystacks, " WEB ", null)).toEqual([0, 1]);
    const byName = { value: (r: Row) => r.name, direction: "asc" as const };
    expect(visibleIndices(rows, haystacks, "", byName)).toEqual([2, 1, 0]);
    expect(visibleIndices(rows, haystacks, "", { ...byName, direction: "desc" })).toEqual([0, 1, 2]);
    expect(visibleIndices(rows, haystacks, "", { value: (r: Row) => r.size, direction: "asc" })).toEqual([1, 2, 0]);
  });

  it("filters and sorts 20,000 rows quickly", () => {
    const many: Row[] = Array.from({ length: 20_000 }, (_, i) => ({ name: `project-${String(19_999 - i)}`, size: i }));
    const hay = many.map((r) => r.name);
    const started = performance.now();
    const sorted = visibleIndices(many, hay, "", { value: (r: Row) => r.name, direction: "asc" });
    const filtered = visibleIndices(many, hay, "project-1999", { value: (r: Row) => r.name, direction: "asc" });
    const elapsed = performance.now() - started;
    expect(sorted[0]).toBe(19_999);
    expect(filtered.map((i) => many[i]?.name)).toEqual([
      "project-1999",
      "project-19990",
      "project-19991",
      "project-19992",
      "project-19993",
      "project-19994",
      "project-19995",
      "project-19996",
      "project-19997",
      "project-19998",
      "project-19999",
    ]);
    // Generous for a loaded CI machine; in practice a few tens of milliseconds.
    expect(elapsed).toBeLessThan(1500);
  });
});
