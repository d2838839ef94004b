interface SkeletonProps {
  /** Width as a CSS length class suffix: keeps styles out of inline attributes. */
  width?: "xs" | "sm" | "md" | "lg" | "full";
  size?: "text" | "title" | "stat";
}

/** A grey placeholder bar shown while data loads. */
export function Skeleton({ width = "md", size = "text" }: SkeletonProps) {
  return <span className={`skeleton skeleton--${width} skeleton--${size}`} aria-hidden="true" />;
}
