import { Button, Group, Radio, Skeleton, Stack, Text } from "@mantine/core";
import { useState, type SyntheticEvent } from "react";
import { useTranslation } from "react-i18next";
import { ErrorPanel } from "../../components/ErrorPanel";
import { FlaskIcon } from "../../components/icons";
import { useEstateSwitched } from "./EstateContext";
import en from "../../i18n/en.json";
import { DEFAULT_SCENARIO, useDemoScenarios, useOpenEstate } from "./estate";

type Described = keyof typeof en.scenarios;

function isDescribed(name: string): name is Described {
  return Object.hasOwn(en.scenarios, name);
}

/**
 * Picks a scenario of the simulator's catalog and opens the demo estate on it: simulated
 * clusters started inside the app, never stored in the vault.
 */
export function DemoScenarioForm({ onOpened }: { onOpened?: () => void }) {
  const { t } = useTranslation();
  const scenarios = useDemoScenarios();
  const switched = useEstateSwitched();
  const open = useOpenEstate((info) => {
    onOpened?.();
    switched?.(info);
  });
  const [scenario, setScenario] = useState(DEFAULT_SCENARIO);
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    open.mutate({ kind: "demo", scenario });
  };
  // A scenario the catalogue has no words for yet shows by its name.
  const described = (name: string, part: "title" | "body") => {
    if (isDescribed(name)) return t(`scenarios.${name}.${part}`);
    return part === "title" ? name : "";
  };

  return (
    <form onSubmit={submit} data-testid="demo-form">
      <Stack gap="sm">
        {scenarios.data ? (
          <Radio.Group
            value={scenario}
            onChange={setScenario}
            label={t("onboarding.scenarioLabel")}
            name="demo-scenario"
          >
            <Stack gap={6} mt={6}>
              {scenarios.data.map((name) => (
                <Radio
                  key={name}
                  value={name}
                  label={described(name, "title")}
                  description={described(name, "body")}
                  data-testid={`scenario-${name}`}
                />
              ))}
            </Stack>
          </Radio.Group>
        ) : (
          <Skeleton h={120} />
        )}
        {open.error && <ErrorPanel title={t("onboarding.demoFailed")} error={open.error} data-testid="demo-error" />}
        <Group justify="flex-end">
          <Button type="submit" color="orange" leftSection={<FlaskIcon />} loading={open.isPending} data-testid="demo-open">
            {t("onboarding.openDemo")}
          </Button>
        </Group>
        {open.isPending && (
          <Text size="xs" c="dimmed" role="status">
            {t("onboarding.demoStarting")}
          </Text>
        )}
      </Stack>
    </form>
  );
}
