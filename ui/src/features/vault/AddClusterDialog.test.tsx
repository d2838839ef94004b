import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { AddChoice, AddOutcome, ContextPreview, ContextsPreview, VaultEntry } from "../../ipc/bindings";
import { vaultEntry, vaultListing } from "../../test/fixtures";
import { callsOf, mockCommands } from "../../test/ipc";
import { renderWithProviders } from "../../test/render";
import { VaultScreen } from "./VaultScreen";

const CANARY = "canary-paste-token-77d1";
const PASTED = `apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: ${CANARY}\n`;

function context(overrides: Partial<ContextPreview> & Pick<ContextPreview, "name">): ContextPreview {
  return {
    cluster: overrides.name,
    server: `https://${overrides.name}.example.com:6443`,
    current: false,
    authKind: "token",
    needsAcknowledgement: [],
    execCommand: null,
    refusal: null,
    ...overrides,
  };
}

const CONTEXTS: ContextsPreview = {
  contexts: [
    context({ name: "prod-admin", current: true }),
    context({ name: "Staging", needsAcknowledgement: ["insecure-skip-tls-verify"] }),
    context({
      name: "legacy",
      authKind: null,
      refusal: {
        reason: "basic-auth",
        error: {
          kind: "Invalid",
          message: 'user "legacy" uses a username and password (basic auth); refused: use a token or a client certificate',
          status: null,
        },
      },
    }),
  ],
};

/** The vault's add commands as the core answers them: acknowledgements enforced. */
function fakeAdd() {
  let clusters: VaultEntry[] = [];
  return {
    vault_list: () => vaultListing(clusters),
    vault_contexts: () => CONTEXTS,
    vault_add: ({ choices, acknowledgements }: Record<string, unknown>): AddOutcome[] =>
      (choices as AddChoice[]).map((choice) => {
        const ctx = CONTEXTS.contexts.find((c) => c.name === choice.context);
        const missing = (ctx?.needsAcknowledgement ?? []).filter((a) => !(acknowledgements as string[]).includes(a));
        if (missing.length > 0) {
          return {
            context: choice.context,
            record: null,
            refusal: { reason: "needs-acknowledgement", error: { kind: "Invalid", message: "needs acknowledgement", status: null } },
          };
        }
        const entry = vaultEntry({ name: choice.name, acknowledgements: ctx?.needsAcknowledgement ?? [] });
        clusters = [...clusters, entry];
        return { context: choice.context, record: entry, refusal: null };
      }),
  };
}

describe("AddClusterDialog", () => {
  it("pastes a kubeconfig, picks contexts, gates on the acknowledgement, and adds them", async () => {
    const calls = mockCommands(fakeAdd());
    const { user } = renderWithProviders(<VaultScreen />);
    await screen.findByText("The vault is empty");

    await user.click(screen.getByTestId("vault-add"));
    const dialog = await screen.findByRole("dialog", { name: "Add clusters to the vault" });
    fireEvent.change(within(dialog).getByRole("textbox", { name: /Kubeconfig/ }), { target: { value: PASTED } });
    await user.click(within(dialog).getByRole("button", { name: "Show contexts" }));

    // The current context is chosen, named as a vault name; the refused one says why.
    await within(dialog).findByTestId("add-pick");
    expect(within(dialog).getByRole("checkbox", { name: /prod-admin/ })).toHaveProperty("checked", true);
    const refusal = within(dialog).getByTestId("add-refusal-legacy");
    expect(within(refusal).getByTestId("add-refusal-legacy-reason").textContent).toBe("basic-auth");
    expect(refusal.textContent).toContain("uses a username and password (basic auth)");
    expect(within(dialog).getByRole("checkbox", { name: /legacy/ })).toHaveProperty("disabled", true);

    // A second context needs an acknowledgement: adding waits for the tick.
    await user.click(within(dialog).getByRole("checkbox", { name: /Staging/ }));
    const name = within(dialog).getByRole("textbox", { name: "Name in the vault for Staging" });
    expect((name as HTMLInputElement).value).toBe("staging");
    await user.clear(name);
    await user.type(name, "Bad Name");
    expect(within(dialog).getByText(/Lowercase letters, digits and '-'/)).toBeTruthy();
    await user.clear(name);
    await user.type(name, "staging");

    const submit = within(dialog).getByTestId("add-submit");
    expect(submit.textContent).toBe("Add 2 clusters");
    expect(submit).toHaveProperty("disabled", true);
    const ack = within(dialog).getByRole("checkbox", { name: /the server's certificate is not checked/ });
    await user.click(ack);
    expect(ack).toHaveProperty("checked", true);
    expect(submit).toHaveProperty("disabled", false);
    await user.click(submit);

    await waitFor(() => {
      expect(screen.queryByRole("dialog")).toBeNull();
    });
    expect(calls).toHaveBeenCalledWith("vault_add", {
      source: { kind: "text", text: PASTED },
      choices: [
        { context: "prod-admin", name: "prod-admin" },
        { context: "Staging", name: "staging" },
      ],
      acknowledgements: ["insecure-skip-tls-verify"],
    });
    expect(callsOf(calls, "vault_contexts")).toBe(1);
    expect(screen.getByTestId("vault-done").textContent).toBe("Added prod-admin, staging.");
    expect(await screen.findByTestId("vault-row-staging")).toBeTruthy();
    // The pasted secret is nowhere on the screen once added.
    expect(document.body.textContent).not.toContain(CANARY);
  });

  it("shows a refusal at add time with its reason and keeps the dialog open", async () => {
    const vault = fakeAdd();
    mockCommands({
      ...vault,
      vault_add: ({ choices }: Record<string, unknown>): AddOutcome[] =>
        (choices as AddChoice[]).map((c) => ({
          context: c.context,
          record: null,
          refusal: { reason: "name-taken", error: { kind: "Conflict", message: `a cluster named "${c.name}" is already in the vault`, status: null } },
        })),
    });
    const { user } = renderWithProviders(<VaultScreen />);
    await screen.findByText("The vault is empty");
    await user.click(screen.getByTestId("vault-add"));
    const dialog = await screen.findByRole("dialog", { name: "Add clusters to the vault" });
    fireEvent.change(within(dialog).getByRole("textbox", { name: /Kubeconfig/ }), { target: { value: PASTED } });
    await user.click(within(dialog).getByRole("button", { name: "Show contexts" }));
    await within(dialog).findByTestId("add-pick");
    await user.click(within(dialog).getByTestId("add-submit"));

    const refusal = await within(dialog).findByTestId("add-refusal-prod-admin");
    expect(within(refusal).getByTestId("add-refusal-prod-admin-reason").textContent).toBe("name-taken");
    expect(refusal.textContent).toContain('a cluster named "prod-admin" is already in the vault');
    expect(screen.getByRole("dialog")).toBeTruthy();
  });
});
