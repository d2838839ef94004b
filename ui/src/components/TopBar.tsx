import { Group, Title } from "@mantine/core";
import type { ReactNode } from "react";

interface TopBarProps {
  title: ReactNode;
  /** Before the title (a back link). */
  leading?: ReactNode;
  /** Badges and the estate label, next to the title. */
  context?: ReactNode;
  /** Buttons on the right. */
  actions?: ReactNode;
}

/** The bar at the top of each screen: where you are, and what you can do here. */
export function TopBar({ title, leading, context, actions }: TopBarProps) {
  return (
    <Group component="header" className="topbar" justify="space-between" wrap="nowrap" px="xl" gap="md">
      <Group gap="sm" wrap="nowrap" miw={0}>
        {leading}
        <Title order={1} size="h3" className="topbar__title">
          {title}
        </Title>
        {context && (
          <Group gap="xs" wrap="nowrap" miw={0}>
            {context}
          </Group>
        )}
      </Group>
      {actions && (
        <Group gap="xs" wrap="nowrap">
          {actions}
        </Group>
      )}
    </Group>
  );
}
