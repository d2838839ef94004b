import { describe, expect, it } from "vitest";
import { cellState, componentMatrix, enableInput, enableTargets, offersEnable } from "./model";
import { installPlan as plan, v4Fleet } from "./testData";

describe("the components matrix", () => {
  it("reads a 4.x InstallPlan on the host and its scheduled members by their Cluster name", () => {
    const m = componentMatrix(v4Fleet(plan({})));
    expect(m.rows.map((r) => r.name)).toEqual(["devops"]);
    const [row] = m.rows;
    const states = row?.cells.map(cellState);
    expect(states).toEqual(["active", "failed", "off"]);
    // The host's part comes from the extension center; prod-1 is its member; spare is not.
    expect(row?.cells.map((c) => c.disabled)).toEqual(["v4Extension", null, "v4NotMember"]);
    expect(row?.cells.map((c) => c.clusterName)).toEqual(["host", "prod-1", null]);
  });

  it("schedules a 4.x extension on the host's members by their Cluster names", () => {
    const m = componentMatrix(v4Fleet(plan({ placedClusters: [], clusters: [] })));
    const row = m.rows[0];
    if (!row) throw new Error("no row");
    expect(offersEnable(row)).toBe(true);
    const targets = enableTargets(m, row);
    expect(targets.map((t) => [t.name, t.done, t.disabled])).toEqual([
      ["old-host", true, "v4Extension"],
      ["prod-1", false, null],
      ["spare", false, "v4NotMember"],
    ]);
    expect(enableInput(row, targets, ["prod-1"])).toEqual({ workflow: "component", clusters: ["prod-1"], component: "devops", host: "old-host" });
    // Disabled on the host, or placed by a selector: not from here.
    const off = componentMatrix(v4Fleet(plan({ enabled: false, placedClusters: [], clusters: [] })));
    expect(off.rows[0]?.cells[1]?.disabled).toBe("v4Disabled");
    const selector = componentMatrix(v4Fleet(plan({ placedClusters: [], placedBySelector: true, clusters: [] })));
    expect(selector.rows[0]?.cells[1]?.disabled).toBe("v4Selector");
  });

  it("counts a member placed by selector, and a disabled plan as not configured", () => {
    const selector = componentMatrix(v4Fleet(plan({ placedClusters: [], placedBySelector: true, clusters: [{ cluster: "prod-1", state: "Installed", version: null, targetNamespace: null, message: null }] })));
    expect(selector.rows[0]?.cells.map(cellState)).toEqual(["active", "active", "off"]);
    const off = componentMatrix(v4Fleet(plan({ enabled: false, state: "Installed", clusters: [] })));
    expect(off.rows[0]?.cells.map(cellState)).toEqual(["leftover", "off", "off"]);
  });
});
