import type { Finding, Severity } from "../../ipc/bindings";

/** Most severe first. */
export const SEVERITIES: readonly Severity[] = ["error", "warning", "info"];

/** Mantine colour of each severity. */
export const SEVERITY_COLORS: Record<Severity, string> = {
  error: "red",
  warning: "yellow",
  info: "blue",
};

/** Findings most severe first, then by cluster; stable within equal keys. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank = (s: Severity) => SEVERITIES.indexOf(s);
  return [...findings].sort(
    (a, b) => rank(a.severity) - rank(b.severity) || a.cluster.localeCompare(b.cluster),
  );
}

/** How many findings each cluster has. */
export function countByCluster(findings: readonly Finding[]): ReadonlyMap<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.cluster, (counts.get(f.cluster) ?? 0) + 1);
  return counts;
}

/** How many findings of each severity. */
export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}
