export type SortDirection = "asc" | "desc";

export interface SortState {
  column: string;
  direction: SortDirection;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

export interface SortBy<T> {
  value: (row: T) => string | number;
  direction: SortDirection;
}

/** Row indices in display order: numbers numerically, text naturally ("web-9" before "web-10"). */
export function sortedIndices<T>(rows: readonly T[], sort: SortBy<T> | null): number[] {
  const order = rows.map((_, i) => i);
  if (!sort) return order;
  const keys = rows.map(sort.value);
  const sign = sort.direction === "asc" ? 1 : -1;
  return order.sort((a, b) => {
    const ka = keys[a] ?? "";
    const kb = keys[b] ?? "";
    const cmp = typeof ka === "number" && typeof kb === "number" ? ka - kb : collator.compare(String(ka), String(kb));
    return sign * cmp || a - b;
  });
}

/** The indices of `order` whose row matches `query` (case-insensitive), order kept. */
export function filterIndices(order: readonly number[], haystacks: readonly string[], query: string): number[] {
  const q = query.trim().toLowerCase();
  if (q === "") return [...order];
  return order.filter((i) => (haystacks[i] ?? "").includes(q));
}

/**
 * Indices of the rows that match `query`, sorted. The table sorts once per sort change and
 * filters that order on each keystroke, so 20,000 rows stay responsive while typing.
 */
export function visibleIndices<T>(rows: readonly T[], haystacks: readonly string[], query: string, sort: SortBy<T> | null): number[] {
  return filterIndices(sortedIndices(rows, sort), haystacks, query);
}
