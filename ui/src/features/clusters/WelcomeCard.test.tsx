import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { demoFleet, vaultEntry, vaultListing } from "../../test/fixtures";
import { callsOf, mockCommands } from "../../test/ipc";
import { renderWithProviders } from "../../test/render";

const DIRECTORY = { source: "directory", label: "/home/admin/kubeconfigs" };

describe("WelcomeCard", () => {
  it("greets a first run on a real estate with an empty vault, and can be dismissed", async () => {
    mockCommands({ estate_info: () => DIRECTORY, inspect_fleet: () => demoFleet(), vault_list: () => vaultListing([]) });
    const { user } = renderWithProviders();
    expect(await screen.findByTestId("welcome-card")).toBeTruthy();
    await user.click(screen.getByTestId("welcome-add"));
    expect(await screen.findByRole("dialog", { name: "Add clusters to the vault" })).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    await user.click(screen.getByTestId("welcome-dismiss"));
    await waitFor(() => {
      expect(screen.queryByTestId("welcome-card")).toBeNull();
    });
    expect(window.localStorage.getItem("ksmc.welcomeDismissed")).toBe("1");
  });

  it("stays away when the vault has clusters", async () => {
    mockCommands({ estate_info: () => DIRECTORY, inspect_fleet: () => demoFleet(), vault_list: () => vaultListing([vaultEntry({ name: "prod" })]) });
    renderWithProviders();
    await screen.findByTestId("cluster-table");
    expect(screen.queryByTestId("welcome-card")).toBeNull();
  });

  it("does not even read the vault on the demo estate", async () => {
    const calls = mockCommands({ inspect_fleet: () => demoFleet() });
    renderWithProviders();
    await screen.findByTestId("cluster-table");
    expect(screen.queryByTestId("welcome-card")).toBeNull();
    expect(callsOf(calls, "vault_list")).toBe(0);
  });
});
