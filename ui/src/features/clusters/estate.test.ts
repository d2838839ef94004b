import { describe, expect, it } from "vitest";
import { cluster } from "../../test/render";
import { displayServer, summarize } from "./estate";

describe("summarize", () => {
  it("counts roles over all clusters and facts over reachable ones", () => {
    const stats = summarize([
      cluster({ name: "host", role: "host", namespaceCount: 10 }),
      cluster({ name: "m1", role: "member", namespaceCount: 5 }),
      cluster({ name: "m2", role: "member", namespaceCount: null }),
      cluster({
        name: "m3",
        role: "member",
        namespaceCount: 100,
        error: { kind: "Timeout", message: "deadline exceeded", status: null },
      }),
      cluster({ name: "lone", role: "none", namespaceCount: 1 }),
    ]);
    expect(stats).toEqual({ clusters: 5, reachable: 4, hosts: 1, members: 3, namespaces: 16 });
  });

  it("is all zeros for an empty estate", () => {
    expect(summarize([])).toEqual({ clusters: 0, reachable: 0, hosts: 0, members: 0, namespaces: 0 });
  });
});

describe("displayServer", () => {
  it("drops only the https scheme", () => {
    expect(displayServer("https://127.0.0.1:36111")).toBe("127.0.0.1:36111");
    expect(displayServer("http://10.0.0.1:8080")).toBe("http://10.0.0.1:8080");
  });
});
