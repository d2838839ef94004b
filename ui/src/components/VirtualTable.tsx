import { CloseButton, Group, Text, TextInput, UnstyledButton } from "@mantine/core";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useDeferredValue, useMemo, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useFormat } from "../i18n/format";
import { SearchIcon, SortIcon } from "./icons";
import { filterIndices, sortedIndices, type SortState } from "./tableView";

export interface Column<T> {
  id: string;
  header: string;
  /** CSS grid track, e.g. `minmax(0, 2fr)` or `120px`. */
  width: string;
  cell: (row: T) => ReactNode;
  /** Sortable when given. */
  sortValue?: (row: T) => string | number;
}

interface VirtualTableProps<T> {
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  /** What the filter matches, case-insensitively. */
  searchText: (row: T) => string;
  /** Accessible name of the table. */
  label: string;
  filterLabel: string;
  emptyLabel: string;
  initialSort?: SortState;
  /** Most rows visible at once before the body scrolls. */
  visibleRows?: number;
  "data-testid": string;
}

const ROW_HEIGHT = 36;
/** A filterable, sortable table that renders only the rows in view. */
export function VirtualTable<T>(props: VirtualTableProps<T>) {
  const { rows, columns, rowKey, searchText, label, filterLabel, emptyLabel, initialSort, visibleRows = 12 } = props;
  const testId = props["data-testid"];
  const { t } = useTranslation();
  const format = useFormat();
  const [filter, setFilter] = useState("");
  // Typing stays responsive; the (cheap) filtering follows a beat later on huge lists.
  const query = useDeferredValue(filter);
  const [sort, setSort] = useState<SortState | null>(initialSort ?? null);

  const haystacks = useMemo(() => rows.map((r) => searchText(r).toLowerCase()), [rows, searchText]);
  const order = useMemo(() => {
    const column = sort ? columns.find((c) => c.id === sort.column) : undefined;
    return sortedIndices(rows, sort && column?.sortValue ? { value: column.sortValue, direction: sort.direction } : null);
  }, [rows, sort, columns]);
  const view = useMemo(() => filterIndices(order, haystacks, query), [order, haystacks, query]);

  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design; this component is not memoised by the compiler.
  const virtualizer = useVirtualizer({
    count: view.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  const template = columns.map((c) => c.width).join(" ");
  const bodyHeight = Math.max(1, Math.min(view.length, visibleRows)) * ROW_HEIGHT;
  const toggleSort = (id: string) => {
    setSort((s) =>
      s?.column === id ? { column: id, direction: s.direction === "asc" ? "desc" : "asc" } : { column: id, direction: "asc" },
    );
  };

  return (
    <div className="vtable" data-testid={testId}>
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <TextInput
          size="xs"
          w={280}
          aria-label={filterLabel}
          placeholder={filterLabel}
          leftSection={<SearchIcon width={14} height={14} />}
          value={filter}
          onChange={(e) => {
            setFilter(e.currentTarget.value);
          }}
          rightSection={
            filter !== "" ? (
              <CloseButton
                size="sm"
                aria-label={t("table.clearFilter")}
                onClick={() => {
                  setFilter("");
                }}
              />
            ) : undefined
          }
          data-testid={`${testId}-filter`}
        />
        <Text size="xs" c="dimmed" data-testid={`${testId}-count`} aria-live="polite">
          {t("table.count", { shown: format.integer(view.length), total: format.integer(rows.length) })}
        </Text>
      </Group>
      <div role="table" aria-label={label} aria-rowcount={view.length + 1} className="vtable__table">
        <div role="rowgroup">
          <div role="row" aria-rowindex={1} className="vtable__row vtable__row--head" style={{ gridTemplateColumns: template }}>
            {columns.map((c) => {
              const sorted = sort?.column === c.id ? sort.direction : null;
              return (
                <div
                  key={c.id}
                  role="columnheader"
                  className="vtable__cell"
                  aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
                >
                  {c.sortValue ? (
                    <UnstyledButton
                      className="vtable__sort"
                      onClick={() => {
                        toggleSort(c.id);
                      }}
                      title={t("table.sortBy", { column: c.header })}
                    >
                      {c.header}
                      <SortIcon sorted={sorted} />
                    </UnstyledButton>
                  ) : (
                    c.header
                  )}
                </div>
              );
            })}
          </div>
        </div>
        <div ref={scrollRef} role="rowgroup" className="vtable__body" style={{ height: bodyHeight }}>
          {view.length === 0 ? (
            <div role="row" className="vtable__empty">
              <div role="cell">{emptyLabel}</div>
            </div>
          ) : (
            <div className="vtable__spacer" style={{ height: virtualizer.getTotalSize() }}>
              {virtualizer.getVirtualItems().map((item) => {
                const row = rows[view[item.index] ?? 0] as T;
                return (
                  <div
                    key={rowKey(row)}
                    role="row"
                    aria-rowindex={item.index + 2}
                    className="vtable__row"
                    data-testid={`${testId}-row`}
                    style={{ gridTemplateColumns: template, transform: `translateY(${String(item.start)}px)` }}
                  >
                    {columns.map((c) => (
                      <div key={c.id} role="cell" className="vtable__cell">
                        {c.cell(row)}
                      </div>
                    ))}
                  </div>
                );
              })}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
