import { CloseButton, Group, Text, TextInput, UnstyledButton } from "@mantine/core";
import { memo, useMemo, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useFormat } from "../i18n/format";
import { SearchIcon, SortIcon } from "./icons";
import { createRefiner, sortedIndices, type SortState } from "./tableView";

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
/** Rows rendered beyond each edge of the viewport. */
const OVERSCAN = 4;

interface RowProps<T> {
  row: T;
  columns: readonly Column<T>[];
  template: string;
  /** Position in the filtered view (0-based). */
  index: number;
  start: number;
  testId: string;
}

/**
 * One rendered row. Memoised: a keystroke in the filter or a scroll re-renders the table, but
 * a row whose data, columns and position are unchanged is left alone.
 */
function RowImpl<T>({ row, columns, template, index, start, testId }: RowProps<T>) {
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      className="vtable__row"
      data-testid={`${testId}-row`}
      style={{ gridTemplateColumns: template, transform: `translateY(${String(start)}px)` }}
    >
      {columns.map((c) => (
        <div key={c.id} role="cell" className="vtable__cell">
          {c.cell(row)}
        </div>
      ))}
    </div>
  );
}
const Row = memo(RowImpl) as typeof RowImpl;

/** A filterable, sortable table that renders only the rows in view. */
export function VirtualTable<T>(props: VirtualTableProps<T>) {
  const { rows, columns, rowKey, searchText, label, filterLabel, emptyLabel, initialSort, visibleRows = 12 } = props;
  const testId = props["data-testid"];
  const { t } = useTranslation();
  const format = useFormat();
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState<SortState | null>(initialSort ?? null);

  const haystacks = useMemo(() => rows.map((r) => searchText(r).toLowerCase()), [rows, searchText]);
  const order = useMemo(() => {
    const column = sort ? columns.find((c) => c.id === sort.column) : undefined;
    return sortedIndices(rows, sort && column?.sortValue ? { value: column.sortValue, direction: sort.direction } : null);
  }, [rows, sort, columns]);
  // Filtering is a substring test per row, and only over the previous matches while the query
  // grows, so it runs in the keystroke's own render (no deferred value: one render, not two).
  const [refine] = useState(createRefiner);
  const view = useMemo(() => refine(order, haystacks, filter), [refine, order, haystacks, filter]);

  // Every row is ROW_HEIGHT high and the body's height is set here, so the rows in view follow
  // from the scroll offset alone: no per-row measurement, and a filter that changes the row count
  // costs nothing beyond the rows it mounts (a general virtualiser rebuilds a position for each
  // of the 20,000 rows on every count change).
  const [topRow, setTopRow] = useState(0);
  const template = useMemo(() => columns.map((c) => c.width).join(" "), [columns]);
  const shownRows = Math.max(1, Math.min(view.length, visibleRows));
  const bodyHeight = shownRows * ROW_HEIGHT;
  // A filter that shrinks the list makes the browser clamp the scroll offset (and report it);
  // until it has, clamp here.
  const top = Math.min(topRow, Math.max(0, view.length - shownRows));
  const firstRendered = Math.max(0, top - OVERSCAN);
  const lastRendered = Math.min(view.length, top + shownRows + 1 + OVERSCAN);
  const rendered: number[] = [];
  for (let i = firstRendered; i < lastRendered; i++) rendered.push(i);
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
        <div
          role="rowgroup"
          className="vtable__body"
          style={{ height: bodyHeight }}
          onScroll={(e) => {
            setTopRow(Math.floor(e.currentTarget.scrollTop / ROW_HEIGHT));
          }}
        >
          {view.length === 0 ? (
            <div role="row" className="vtable__empty">
              <div role="cell">{emptyLabel}</div>
            </div>
          ) : (
            <div className="vtable__spacer" style={{ height: view.length * ROW_HEIGHT }}>
              {rendered.map((index) => {
                const row = rows[view[index] ?? 0] as T;
                return <Row key={rowKey(row)} row={row} columns={columns} template={template} index={index} start={index * ROW_HEIGHT} testId={testId} />;
              })}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
