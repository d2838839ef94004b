import type { ReactNode } from "react";
import { Skeleton } from "./Skeleton";

interface StatCardProps {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  loading?: boolean;
  "data-testid"?: string;
}

/** One number of the summary strip. */
export function StatCard({ label, value, hint, loading = false, ...rest }: StatCardProps) {
  return (
    <div className="stat-card" data-testid={rest["data-testid"]}>
      <dt className="stat-card__label">{label}</dt>
      <dd className="stat-card__value">{loading ? <Skeleton width="sm" size="stat" /> : value}</dd>
      {hint !== undefined && <dd className="stat-card__hint">{loading ? <Skeleton width="md" /> : hint}</dd>}
    </div>
  );
}
