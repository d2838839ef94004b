import { Button, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { VaultIcon } from "../../components/icons";
import { useVault } from "../../ipc/queries";
import { AddClusterDialog } from "../../app/screens";

const DISMISSED_KEY = "ksmc.welcomeDismissed";

function wasDismissed(): boolean {
  try {
    return window.localStorage.getItem(DISMISSED_KEY) === "1";
  } catch {
    return false;
  }
}

/**
 * First run on a real estate: the vault is empty, so offer to add the first cluster. Dismissing
 * it is remembered (a flag, nothing secret).
 */
export function WelcomeCard() {
  const { t } = useTranslation();
  const [dismissed, setDismissed] = useState(wasDismissed);
  const [adding, setAdding] = useState(false);
  const vault = useVault();
  if (dismissed || !vault.data || vault.data.clusters.length > 0) return null;

  const dismiss = () => {
    try {
      window.localStorage.setItem(DISMISSED_KEY, "1");
    } catch {
      // Storage can be unavailable; the card then comes back next start.
    }
    setDismissed(true);
  };

  return (
    <Paper component="section" aria-labelledby="welcome-title" p="lg" className="section" data-testid="welcome-card">
      <Stack gap="sm">
        <Group gap="sm">
          <VaultIcon />
          <Title order={2} size="h4" id="welcome-title">
            {t("welcome.title")}
          </Title>
        </Group>
        <Text size="sm">{t("welcome.body")}</Text>
        <Group gap="xs">
          <Button
            onClick={() => {
              setAdding(true);
            }}
            data-testid="welcome-add"
          >
            {t("welcome.add")}
          </Button>
          <Button variant="default" onClick={dismiss} data-testid="welcome-dismiss">
            {t("welcome.dismiss")}
          </Button>
        </Group>
      </Stack>
      {adding && (
        <Suspense fallback={null}>
        <AddClusterDialog
          existing={[]}
          onClose={() => {
            setAdding(false);
          }}
          onDone={() => {
            setAdding(false);
          }}
        />
        </Suspense>
      )}
    </Paper>
  );
}
