import { Combobox, Group, Kbd, Modal, ScrollArea, Text, TextInput, useCombobox, useMantineColorScheme } from "@mantine/core";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { SearchIcon } from "../../components/icons";
import type { NavId } from "../../components/Sidebar";
import { LANGUAGES, setLanguage } from "../../i18n";
import { useFleet } from "../../ipc/queries";
import type { AccessAction } from "../access/model";
import { isHost } from "../clusters/model";
import { WIZARD_KINDS, type WizardKind, emptyForm } from "../workflows/model";
import { useOptionalWorkflowSession } from "../workflows/sessionContext";
import { GROUPS, type PaletteCommand, filterCommands } from "./commands";
import type { CommandPaletteProps } from "./CommandPalette";

const SCREENS: readonly NavId[] = ["estate", "workflows", "access", "components", "activity", "vault"];
const ACCESS: readonly AccessAction[] = ["user", "workspace", "invite"];
const SCHEMES = ["light", "dark", "auto"] as const;

/** The palette itself: a search field over every command, grouped (loaded on first open). */
export function PaletteDialog({ onNavigate, onOpenCluster, onAccess, onClose }: CommandPaletteProps & { onClose: () => void }) {
  const { t } = useTranslation();
  const fleet = useFleet();
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const session = useOptionalWorkflowSession();
  const [query, setQuery] = useState("");
  const combobox = useCombobox({ opened: true, onOpenedChange: () => undefined });

  const commands = useMemo(() => {
    // A wizard starts on its form (a run going on keeps its progress: reset does nothing then).
    const onWorkflow = (kind: WizardKind) => {
      session?.reset();
      session?.setForm(emptyForm(kind));
      onNavigate("workflows");
    };
    const list: PaletteCommand[] = [
      ...SCREENS.map((id) => ({ id: `screen-${id}`, group: "screens" as const, label: t("palette.goTo", { screen: t(`nav.${id}`) }), keywords: id, run: () => { onNavigate(id); } })),
      ...(fleet.data?.clusters ?? []).map((c) => ({
        id: `cluster-${c.name}`,
        group: "clusters" as const,
        label: t("palette.openCluster", { name: c.name }),
        description: isHost(c) ? t("clusters.role.host") : undefined,
        keywords: "cluster",
        run: () => { onOpenCluster(c.name); },
      })),
      ...WIZARD_KINDS.map((kind) => ({ id: `workflow-${kind}`, group: "actions" as const, label: t(`palette.workflow.${kind}`), keywords: kind, run: () => { onWorkflow(kind); } })),
      ...ACCESS.map((a) => ({ id: `access-${a}`, group: "actions" as const, label: t(`access.actions.${a}`), keywords: a, run: () => { onAccess(a); } })),
      ...LANGUAGES.map((lng) => ({ id: `language-${lng}`, group: "preferences" as const, label: t("palette.language", { language: t(`language.${lng}`) }), keywords: "language 语言", run: () => void setLanguage(lng) })),
      ...SCHEMES.map((s) => ({
        id: `theme-${s}`,
        group: "preferences" as const,
        label: t(`palette.theme.${s}`),
        description: s === colorScheme ? t("palette.current") : undefined,
        keywords: "theme 主题",
        run: () => { setColorScheme(s); },
      })),
    ];
    return list;
  }, [t, fleet.data, colorScheme, session, onNavigate, onOpenCluster, onAccess, setColorScheme]);

  const shown = filterCommands(commands, query);
  const first = shown[0]?.id;
  // The first match is selected, so Enter runs it; arrows move from there.
  useEffect(() => {
    combobox.selectFirstOption();
  }, [combobox, query, first]);
  const byId = new Map(shown.map((c) => [c.id, c]));
  const options = GROUPS.map((g) => {
    const items = shown.filter((c) => c.group === g);
    if (items.length === 0) return null;
    return (
      <Combobox.Group key={g} label={t(`palette.groups.${g}`)}>
        {items.map((c) => (
          <Combobox.Option key={c.id} value={c.id} data-testid={`palette-${c.id}`}>
            <Group justify="space-between" wrap="nowrap">
              <Text size="sm">{c.label}</Text>
              {c.description && (
                <Text size="xs" c="dimmed">
                  {c.description}
                </Text>
              )}
            </Group>
          </Combobox.Option>
        ))}
      </Combobox.Group>
    );
  });

  return (
    <Modal
      opened
      onClose={onClose}
      withCloseButton={false}
      size="lg"
      padding="sm"
      // The title names the dialog for screen readers; the search field says the rest.
      title={t("palette.title")}
      classNames={{ header: "sr-only" }}
      data-testid="palette"
    >
      <Combobox
        store={combobox}
        onOptionSubmit={(id) => {
          const command = byId.get(id);
          onClose();
          command?.run();
        }}
      >
        <Combobox.EventsTarget>
          <TextInput
            data-autofocus
            aria-label={t("palette.title")}
            placeholder={t("palette.placeholder")}
            leftSection={<SearchIcon width={16} height={16} />}
            rightSection={<Kbd size="xs">Esc</Kbd>}
            rightSectionWidth={44}
            value={query}
            data-testid="palette-input"
            onChange={(e) => {
              setQuery(e.currentTarget.value);
            }}
            onKeyDown={(e) => {
              if (e.key === "Escape") onClose();
            }}
          />
        </Combobox.EventsTarget>
        <ScrollArea.Autosize mah={380} mt="xs" type="scroll">
          <Combobox.Options aria-label={t("palette.results")}>
            {shown.length > 0 ? options : <Combobox.Empty>{t("palette.nothing")}</Combobox.Empty>}
          </Combobox.Options>
        </ScrollArea.Autosize>
      </Combobox>
      <Text size="xs" c="dimmed" mt="xs">
        {t("palette.help")}
      </Text>
    </Modal>
  );
}
