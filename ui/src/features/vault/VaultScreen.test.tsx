import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { AppError, ClusterRecord, VaultEntry, VaultListing } from "../../ipc/bindings";
import { vaultEntry, vaultListing } from "../../test/fixtures";
import { callsOf, mockCommands } from "../../test/ipc";
import { renderWithProviders } from "../../test/render";
import { VaultScreen } from "./VaultScreen";

/** A vault in memory that the mocked commands change, as the core would. */
function fakeVault(entries: VaultEntry[]) {
  let clusters = [...entries];
  const record = (e: VaultEntry): ClusterRecord => ({ ...e });
  const fail = (error: AppError) => {
    // Tauri rejects with the serialized AppError itself, not an Error.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw error;
  };
  return {
    vault_list: (): VaultListing => vaultListing(clusters),
    vault_rename: ({ name, newName }: Record<string, unknown>) => {
      const entry = clusters.find((c) => c.name === name);
      if (!entry) return fail({ kind: "NotFound", message: `no cluster named "${String(name)}" in the vault`, status: null });
      if (clusters.some((c) => c.name === newName)) {
        return fail({ kind: "Conflict", message: `a cluster named "${String(newName)}" is already in the vault`, status: null });
      }
      const renamed = { ...entry, name: String(newName) };
      clusters = clusters.map((c) => (c.name === name ? renamed : c));
      return record(renamed);
    },
    vault_remove: ({ name }: Record<string, unknown>) => {
      const entry = clusters.find((c) => c.name === name);
      if (!entry) return fail({ kind: "NotFound", message: `no cluster named "${String(name)}" in the vault`, status: null });
      clusters = clusters.filter((c) => c.name !== name);
      return record(entry);
    },
  };
}

const ENTRIES = [
  vaultEntry({ name: "prod", roleHint: "host", lastSeenAt: "2026-11-27T07:00:00Z", acknowledgements: ["proxy-url"] }),
  vaultEntry({
    name: "eks",
    authKind: "exec",
    state: "approval-required",
    exec: { command: "aws", apiVersion: "client.authentication.k8s.io/v1", argCount: 4, envNames: ["AWS_PROFILE"], approval: null },
  }),
];

describe("VaultScreen", () => {
  it("shows the keyring, each cluster's state, auth kind and acknowledgements, apart from the demo", async () => {
    mockCommands(fakeVault(ENTRIES));
    renderWithProviders(<VaultScreen />);

    const prod = await screen.findByTestId("vault-row-prod");
    expect(screen.getByTestId("key-state").textContent).toBe("key present");
    expect(within(screen.getByTestId("keyring-status")).getByText("Secret Service (D-Bus)")).toBeTruthy();
    expect(within(prod).getByText("bearer token")).toBeTruthy();
    expect(within(prod).getByText("last seen as host")).toBeTruthy();
    expect(screen.getByTestId("vault-state-prod").textContent).toBe("ready");
    expect(screen.getByTestId("vault-acks-prod").textContent).toBe("proxy");
    expect(screen.getByTestId("vault-acks-eks").textContent).toBe("none");
    expect(screen.getByTestId("vault-state-eks").textContent).toBe("needs approval");
    expect(screen.getByTestId("vault-exec-eks").textContent).toBe("not approved");
    expect(within(screen.getByTestId("vault-row-eks")).getByText("aws")).toBeTruthy();
    // The demo estate is never stored here, and the screen says so.
    expect(screen.getByTestId("vault-demo-note").textContent).toContain("never stored in the vault");
  });

  it("renames a cluster, and shows a taken name under the field with what to do", async () => {
    const calls = mockCommands(fakeVault(ENTRIES));
    const { user } = renderWithProviders(<VaultScreen />);
    await screen.findByTestId("vault-row-prod");

    await user.click(screen.getByRole("button", { name: "Actions for prod" }));
    await user.click(screen.getByRole("menuitem", { name: "Rename" }));
    const dialog = await screen.findByRole("dialog", { name: "Rename prod" });
    const input = within(dialog).getByRole("textbox", { name: /New name/ });

    // Checked here before anything is sent.
    await user.clear(input);
    await user.type(input, "Prod Cluster");
    expect(within(dialog).getByText(/Use lowercase letters, digits and '-'/)).toBeTruthy();
    await user.click(within(dialog).getByRole("button", { name: "Rename" }));
    expect(callsOf(calls, "vault_rename")).toBe(0);

    // Taken: the core's message and the next step, in the form.
    await user.clear(input);
    await user.type(input, "eks");
    await user.click(within(dialog).getByRole("button", { name: "Rename" }));
    expect(await within(dialog).findByText(/already in the vault — That name is taken; choose another\./)).toBeTruthy();
    expect(input.getAttribute("aria-invalid")).toBe("true");

    await user.clear(input);
    await user.type(input, "production");
    await user.click(within(dialog).getByRole("button", { name: "Rename" }));

    await waitFor(() => {
      expect(screen.queryByRole("dialog")).toBeNull();
    });
    expect(calls).toHaveBeenCalledWith("vault_rename", { name: "prod", newName: "production" });
    expect(screen.getByTestId("vault-done").textContent).toBe("Renamed to production.");
    expect(await screen.findByTestId("vault-row-production")).toBeTruthy();
    expect(screen.queryByTestId("vault-row-prod")).toBeNull();
  });

  it("removes a cluster after confirmation, and cancelling removes nothing", async () => {
    const calls = mockCommands(fakeVault(ENTRIES));
    const { user } = renderWithProviders(<VaultScreen />);
    await screen.findByTestId("vault-row-eks");

    await user.click(screen.getByRole("button", { name: "Actions for eks" }));
    await user.click(screen.getByRole("menuitem", { name: "Remove" }));
    let dialog = await screen.findByRole("dialog", { name: "Remove eks from the vault?" });
    expect(within(dialog).getByText(/The cluster itself is not touched/)).toBeTruthy();
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(callsOf(calls, "vault_remove")).toBe(0);

    await user.click(screen.getByRole("button", { name: "Actions for eks" }));
    await user.click(screen.getByRole("menuitem", { name: "Remove" }));
    dialog = await screen.findByRole("dialog", { name: "Remove eks from the vault?" });
    await user.click(within(dialog).getByRole("button", { name: "Remove eks" }));

    await waitFor(() => {
      expect(screen.queryByTestId("vault-row-eks")).toBeNull();
    });
    expect(calls).toHaveBeenCalledWith("vault_remove", { name: "eks" });
    expect(screen.getByTestId("vault-done").textContent).toBe("eks was removed from the vault.");
    expect(screen.getByTestId("vault-row-prod")).toBeTruthy();
  });

  it("says what to do when a cluster was removed elsewhere", async () => {
    const vault = fakeVault(ENTRIES);
    mockCommands({
      ...vault,
      vault_remove: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw { kind: "NotFound", message: 'no cluster named "prod" in the vault', status: null } satisfies AppError;
      },
    });
    const { user } = renderWithProviders(<VaultScreen />);
    await screen.findByTestId("vault-row-prod");
    await user.click(screen.getByRole("button", { name: "Actions for prod" }));
    await user.click(screen.getByRole("menuitem", { name: "Remove" }));
    const dialog = await screen.findByRole("dialog");
    await user.click(within(dialog).getByRole("button", { name: "Remove prod" }));

    const panel = await within(dialog).findByTestId("error-panel");
    expect(within(panel).getByText("Not found")).toBeTruthy();
    expect(within(panel).getByText("It is no longer in the vault; refresh the list.")).toBeTruthy();
  });

  it("shows an unavailable keyring by kind, with the next step and a retry", async () => {
    let locked = true;
    const calls = mockCommands({
      vault_list: (): VaultListing => {
        const listing = vaultListing(locked ? ENTRIES.map((e) => ({ ...e, state: "unknown" as const })) : ENTRIES);
        if (locked) {
          listing.status.key = "unavailable";
          listing.status.error = {
            kind: "KeyringUnavailable",
            message: "keyring unavailable: the OS keyring is locked or refused access (prompt dismissed)",
            status: null,
          };
        }
        return listing;
      },
    });
    const { user } = renderWithProviders(<VaultScreen />);

    const panel = await screen.findByTestId("keyring-error");
    expect(within(panel).getByText("Keyring unavailable")).toBeTruthy();
    expect(within(panel).getByText(/the OS keyring is locked or refused access/)).toBeTruthy();
    expect(within(panel).getByText("Unlock your keyring (or answer its prompt), then try again.")).toBeTruthy();
    expect(screen.getByTestId("vault-state-prod").textContent).toBe("unknown");

    locked = false;
    await user.click(within(panel).getByRole("button", { name: "Try again" }));
    await waitFor(() => {
      expect(screen.queryByTestId("keyring-error")).toBeNull();
    });
    expect(screen.getByTestId("key-state").textContent).toBe("key present");
    expect(callsOf(calls, "vault_list")).toBe(2);
  });

  it("shows the vault's own failure with the next step", async () => {
    mockCommands({
      vault_list: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw { kind: "Internal", message: "the vault registry /x/registry.json is damaged: EOF", status: null } satisfies AppError;
      },
    });
    renderWithProviders(<VaultScreen />);
    const panel = await screen.findByTestId("error-panel");
    expect(within(panel).getByText("Could not open the vault")).toBeTruthy();
    expect(within(panel).getByText(/registry.json is damaged/)).toBeTruthy();
    expect(within(panel).getByText(/KSMC_LOG=debug/)).toBeTruthy();
  });

  it("reviews an exec plugin and approves exactly what was shown", async () => {
    const calls = mockCommands({
      ...fakeVault(ENTRIES),
      vault_exec_review: () => ({
        cluster: "eks",
        command: "aws",
        resolvedPath: "/usr/local/bin/aws",
        apiVersion: "client.authentication.k8s.io/v1",
        argCount: 4,
        envNames: ["AWS_PROFILE"],
        fingerprint: "fp-1234",
        approved: false,
      }),
      vault_approve_exec: () => ENTRIES[1],
    });
    const { user } = renderWithProviders(<VaultScreen />);
    const row = await screen.findByTestId("vault-row-eks");
    await user.click(within(row).getByRole("button", { name: "Review" }));

    const dialog = await screen.findByRole("dialog", { name: "Credential plugin of eks" });
    const review = await within(dialog).findByTestId("exec-review");
    expect(within(review).getByText("/usr/local/bin/aws")).toBeTruthy();
    expect(within(review).getByText("4 (not shown)")).toBeTruthy();
    expect(within(review).getByText("AWS_PROFILE (values not shown)")).toBeTruthy();

    await user.click(within(dialog).getByRole("button", { name: "Approve this plugin" }));
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).toBeNull();
    });
    expect(calls).toHaveBeenCalledWith("vault_approve_exec", { name: "eks", fingerprint: "fp-1234" });
    expect(screen.getByTestId("vault-done").textContent).toBe("Approved.");
  });

  it("offers the command line when the vault is empty", async () => {
    mockCommands(fakeVault([]));
    renderWithProviders(<VaultScreen />);
    expect(await screen.findByText("The vault is empty")).toBeTruthy();
    expect(screen.getByText("ksmc vault add --file ~/host.kubeconfig --name host")).toBeTruthy();
    expect(screen.getByTestId("key-state").textContent).toBe("key present");
  });
});
