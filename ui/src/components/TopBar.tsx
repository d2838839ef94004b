import { Group, Title } from "@mantine/core";
import { useContext, type ReactNode } from "react";
import { TopBarEstateSlot } from "./topBarSlot";

interface TopBarProps {
  title: ReactNode;
  /** Before the title (a back link). */
  leading?: ReactNode;
  /** Badges and labels about this screen, next to the title. */
  context?: ReactNode;
  /** Buttons on the right. */
  actions?: ReactNode;
}

/**
 * The bar at the top of each screen: where you are, which estate is open (the app's slot:
 * the demo is flagged on every screen, with the switch), and what you can do here.
 */
export function TopBar({ title, leading, context, actions }: TopBarProps) {
  const estate = useContext(TopBarEstateSlot);
  return (
    <Group component="header" className="topbar" justify="space-between" wrap="nowrap" px="xl" gap="md">
      <Group gap="sm" wrap="nowrap" miw={0}>
        {leading}
        <Title order={1} size="h3" className="topbar__title">
          {title}
        </Title>
        {estate && (
          <Group gap="xs" wrap="nowrap" miw={0} data-testid="topbar-estate">
            {estate}
          </Group>
        )}
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
