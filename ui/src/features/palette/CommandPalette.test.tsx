import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { demoFleet } from "../../test/fixtures";
import { mockCommands } from "../../test/ipc";
import { renderWithProviders } from "../../test/render";
import { type PaletteCommand, filterCommands } from "./commands";

function open() {
  mockCommands({ inspect_fleet: () => demoFleet(), vault_list: () => ({ status: null, clusters: [] }) });
  return renderWithProviders();
}

describe("the command palette", () => {
  it("opens on Ctrl+K, filters as typed and navigates with Enter", async () => {
    const { user } = open();
    expect(screen.queryByTestId("palette-input")).toBeNull();
    await user.keyboard("{Control>}k{/Control}");
    const input = await screen.findByTestId("palette-input");
    expect(input.getAttribute("aria-label")).toBe("Command palette");
    await user.type(input, "go to comp");
    expect(screen.getByTestId("palette-screen-components")).toBeTruthy();
    expect(screen.queryByTestId("palette-screen-vault")).toBeNull();
    await user.keyboard("{Enter}");
    await screen.findByTestId("components-screen");
    expect(screen.queryByTestId("palette-input")).toBeNull();
    expect(screen.getByTestId("nav-components").getAttribute("aria-current")).toBe("page");
  });

  it("moves with the arrow keys and opens a cluster", async () => {
    const { user } = open();
    await user.keyboard("{Control>}k{/Control}");
    const input = await screen.findByTestId("palette-input");
    await screen.findByTestId("palette-cluster-member-1");
    await user.type(input, "open cluster");
    // First match selected; one down is member-1.
    await user.keyboard("{ArrowDown}");
    expect(screen.getByTestId("palette-cluster-member-1").hasAttribute("data-combobox-selected")).toBe(true);
    await user.keyboard("{Enter}");
    await waitFor(() => {
      expect(screen.getByTestId("detail-back")).toBeTruthy();
    });
    expect(screen.getAllByText("member-1").length).toBeGreaterThan(0);
  });

  it("switches the language and the theme, and closes on Escape", async () => {
    const { user } = open();
    await user.keyboard("{Control>}k{/Control}");
    await user.type(await screen.findByTestId("palette-input"), "简体中文");
    await user.keyboard("{Enter}");
    await waitFor(() => {
      expect(document.documentElement.lang).toBe("zh-CN");
    });
    expect(screen.getByTestId("nav-components").textContent).toContain("组件");
    await user.keyboard("{Control>}k{/Control}");
    await user.type(await screen.findByTestId("palette-input"), "深色");
    await user.keyboard("{Enter}");
    await waitFor(() => {
      expect(document.documentElement.getAttribute("data-mantine-color-scheme")).toBe("dark");
    });
    await user.keyboard("{Control>}k{/Control}");
    await screen.findByTestId("palette-input");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("palette-input")).toBeNull();
  });
});

describe("filterCommands", () => {
  const command = (id: string, label: string, keywords?: string): PaletteCommand => ({ id, group: "screens", label, keywords, run: () => undefined });
  it("matches every word in any order, by label or keyword", () => {
    const all = [command("a", "Go to Vault"), command("b", "Open cluster prod-1", "cluster"), command("c", "Theme: dark", "theme 主题")];
    expect(filterCommands(all, "").map((c) => c.id)).toEqual(["a", "b", "c"]);
    expect(filterCommands(all, "prod open").map((c) => c.id)).toEqual(["b"]);
    expect(filterCommands(all, "主题").map((c) => c.id)).toEqual(["c"]);
    expect(filterCommands(all, "nothing")).toEqual([]);
  });
});
