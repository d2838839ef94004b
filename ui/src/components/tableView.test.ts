import { describe, expect, it } from "vitest";
import { createRefiner, filterIndices, naturalKey, refineIndices, sortedIndices, visibleIndices, type Filtered } from "./tableView";

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

describe("refineIndices", () => {
  const names = Array.from({ length: 2_000 }, (_, i) => `proj-${String(i).padStart(4, "0")} ws-${String(i % 7)}`);
  const haystacks = names.map((n) => n.toLowerCase());
  const order = sortedIndices(names, { value: (n) => n, direction: "desc" });

  it("gives the rows of a fresh filter for every query in a typing sequence", () => {
    const typed = ["", "p", "pr", "proj-1", "proj-12", " PROJ-123", "proj-12", "ws-3", "proj-1999 ws", "zz", "", "WS"];
    let previous: Filtered | null = null;
    for (const query of typed) {
      previous = refineIndices(previous, order, haystacks, query);
      expect([...previous.indices], query).toEqual(filterIndices(order, haystacks, query));
    }
  });

  it("does not refine across a change of order or rows", () => {
    const first = refineIndices(null, order, haystacks, "proj-1");
    const asc = sortedIndices(names, { value: (n) => n, direction: "asc" });
    expect([...refineIndices(first, asc, haystacks, "proj-12").indices]).toEqual(filterIndices(asc, haystacks, "proj-12"));
    const other = haystacks.map((h) => h.replace("proj-0", "proj-1"));
    expect([...refineIndices(first, order, other, "proj-1").indices]).toEqual(filterIndices(order, other, "proj-1"));
  });

  it("createRefiner keeps the last result between calls", () => {
    const refine = createRefiner();
    expect(refine(order, haystacks, "")).toBe(order);
    const a = refine(order, haystacks, "proj-01");
    expect(refine(order, haystacks, "proj-01")).toBe(a);
    expect([...refine(order, haystacks, "proj-012")]).toEqual(filterIndices(order, haystacks, "proj-012"));
  });
});

describe("naturalKey", () => {
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  const compareKeys = (a: string, b: string) => {
    const ka = naturalKey(a) ?? "";
    const kb = naturalKey(b) ?? "";
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };

  it("orders random names exactly as the collator does", () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    for (const alphabet of ["aAbz09 1._-", "0123456789-a", "proj-0123456789ws", "00 1-._aZ9"]) {
      const word = () => Array.from({ length: Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
      for (let n = 0; n < 5_000; n++) {
        const a = word();
        const b = word();
        expect(compareKeys(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(Math.sign(collator.compare(a, b)));
      }
    }
  });

  it("leaves other text to the collator, which sorts it the same way as before", () => {
    expect(naturalKey("Überweisung")).toBeNull();
    expect(naturalKey("a:b")).toBeNull();
    const rows = ["b:2", "a:10", "a:9"];
    expect(sortedIndices(rows, { value: (r) => r, direction: "asc" })).toEqual([2, 1, 0]);
  });
});
