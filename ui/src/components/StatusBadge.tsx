import type { ReactNode } from "react";

export type Tone = "success" | "danger" | "warning" | "info" | "accent" | "neutral" | "demo";

interface StatusBadgeProps {
  tone: Tone;
  children: ReactNode;
  /** Longer explanation, shown as a tooltip. */
  title?: string;
  /** Show a leading dot, for states (OK, failing) rather than labels. */
  dot?: boolean;
  /** Dashed outline: for "we could not tell". */
  dashed?: boolean;
  "data-testid"?: string;
}

/** A small pill: a state or a category, coloured by tone. */
export function StatusBadge({ tone, children, title, dot, dashed, ...rest }: StatusBadgeProps) {
  const classes = ["badge", `badge--${tone}`];
  if (dashed) classes.push("badge--dashed");
  return (
    <span className={classes.join(" ")} title={title} data-testid={rest["data-testid"]}>
      {dot && <span className="badge__dot" aria-hidden="true" />}
      <span className="badge__text">{children}</span>
    </span>
  );
}
