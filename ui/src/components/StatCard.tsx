import { Paper, Skeleton, Text } from "@mantine/core";
import type { ReactNode } from "react";

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
    <Paper p="md" data-testid={rest["data-testid"]} component="dl" className="stat-card">
      <Text component="dt" size="sm" c="dimmed">
        {label}
      </Text>
      <Text component="dd" fz={26} fw={600} lh={1.3} className="stat-card__value">
        {loading ? <Skeleton h={26} w={48} mt={4} /> : value}
      </Text>
      {hint !== undefined && (
        <Text component="dd" size="xs" c="dimmed">
          {loading ? <Skeleton h={10} w="70%" mt={6} /> : hint}
        </Text>
      )}
    </Paper>
  );
}
