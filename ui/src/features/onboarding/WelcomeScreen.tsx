import { Button, Paper, SimpleGrid, Stack, Text, ThemeIcon, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { FlaskIcon, ServerIcon } from "../../components/icons";
import { AddClusterDialog } from "../vault/AddClusterDialog";
import { DemoScenarioForm } from "./DemoScenarioForm";

/**
 * A first run: the vault holds no cluster yet. Add the first host (its kubeconfig is sealed
 * in the vault, and the estate appears), or open the demo estate to look around.
 */
export function WelcomeScreen() {
  const { t } = useTranslation();
  const [adding, setAdding] = useState(false);
  return (
    <Stack gap="lg" data-testid="welcome-screen">
      <Stack gap={4}>
        <Title order={2} size="h2" id="welcome-title">
          {t("onboarding.title")}
        </Title>
        <Text c="dimmed">{t("onboarding.lead")}</Text>
      </Stack>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Paper component="section" aria-labelledby="welcome-add-title" p="lg" className="section">
          <Stack gap="sm">
            <ThemeIcon size={40} radius="xl" variant="light">
              <ServerIcon />
            </ThemeIcon>
            <Title order={3} size="h4" id="welcome-add-title">
              {t("onboarding.addTitle")}
            </Title>
            <Text size="sm">{t("onboarding.addBody")}</Text>
            <Text size="sm" c="dimmed">
              {t("onboarding.addSources")}
            </Text>
            <Button
              onClick={() => {
                setAdding(true);
              }}
              data-testid="onboarding-add"
              style={{ alignSelf: "flex-start" }}
            >
              {t("onboarding.add")}
            </Button>
          </Stack>
        </Paper>
        <Paper component="section" aria-labelledby="welcome-demo-title" p="lg" className="section">
          <Stack gap="sm">
            <ThemeIcon size={40} radius="xl" variant="light" color="orange">
              <FlaskIcon />
            </ThemeIcon>
            <Title order={3} size="h4" id="welcome-demo-title">
              {t("onboarding.demoTitle")}
            </Title>
            <Text size="sm">{t("onboarding.demoBody")}</Text>
            <DemoScenarioForm />
          </Stack>
        </Paper>
      </SimpleGrid>
      {adding && (
        <AddClusterDialog
          existing={[]}
          onClose={() => {
            setAdding(false);
          }}
          onDone={() => {
            setAdding(false);
          }}
        />
      )}
    </Stack>
  );
}
