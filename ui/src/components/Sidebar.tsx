import { Badge, Box, Group, NavLink, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { LanguageSwitch } from "./LanguageSwitch";
import {
  AccessIcon,
  ActivityIcon,
  ComponentsIcon,
  EstateIcon,
  LogoMark,
  VaultIcon,
  WorkflowIcon,
} from "./icons";

export type NavId = "estate" | "workflows" | "access" | "components" | "activity" | "vault";

interface NavItem {
  id: NavId;
  icon: ReactNode;
  /** Not built yet: shown so the shape of the product is visible, but inert. */
  soon: boolean;
}

const NAV: readonly NavItem[] = [
  { id: "estate", icon: <EstateIcon />, soon: false },
  { id: "workflows", icon: <WorkflowIcon />, soon: false },
  { id: "access", icon: <AccessIcon />, soon: false },
  { id: "components", icon: <ComponentsIcon />, soon: false },
  { id: "activity", icon: <ActivityIcon />, soon: false },
  { id: "vault", icon: <VaultIcon />, soon: false },
];

interface SidebarProps {
  active: NavId;
  onNavigate: (id: NavId) => void;
}

export function Sidebar({ active, onNavigate }: SidebarProps) {
  const { t } = useTranslation();
  return (
    <Stack h="100%" gap={0} justify="space-between">
      <Box>
        <Group gap="sm" wrap="nowrap" px="md" py="lg">
          <LogoMark />
          <Box miw={0}>
            <Text fw={700} size="md" lh={1.2}>
              {t("app.name")}
            </Text>
            <Text size="xs" c="dimmed" lh={1.3}>
              {t("app.tagline")}
            </Text>
          </Box>
        </Group>
        <Box component="nav" aria-label={t("nav.label")} px="xs">
          {NAV.map((item) => {
            const label = t(`nav.${item.id}`);
            const isActive = item.id === active;
            return (
              <NavLink
                key={item.id}
                component="button"
                type="button"
                label={label}
                leftSection={item.icon}
                rightSection={
                  item.soon ? (
                    <Badge size="xs" variant="default" tt="none" fw={500}>
                      {t("nav.soon")}
                    </Badge>
                  ) : undefined
                }
                active={isActive}
                aria-current={isActive ? "page" : undefined}
                disabled={item.soon}
                title={item.soon ? `${label} · ${t("nav.soonHint")}` : label}
                data-testid={`nav-${item.id}`}
                onClick={() => {
                  onNavigate(item.id);
                }}
                className="nav-item"
              />
            );
          })}
        </Box>
      </Box>
      <Box p="md">
        <LanguageSwitch />
      </Box>
    </Stack>
  );
}
