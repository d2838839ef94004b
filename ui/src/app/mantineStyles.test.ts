import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mantineStylesPerComponent } from "../../vite.config";

// Vitest runs in ui/.
const mantine = join(process.cwd(), "node_modules/@mantine/core");

function transform(code: string, id: string): string | null {
  const hook = mantineStylesPerComponent().transform;
  if (typeof hook !== "function") throw new Error("the plugin's transform is not a function");
  const out: unknown = hook.call({} as never, code, id);
  if (out === null || out === undefined) return null;
  return (out as { code: string }).code;
}

function classNameModules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return classNameModules(path);
    return entry.name.endsWith(".module.mjs") ? [path] : [];
  });
}

// The built app no longer imports Mantine's whole sheet: if this mapping silently stopped
// matching (a Mantine upgrade moving its files), every component would lose its styles.
describe("Mantine's styles per component (vite.config.ts)", () => {
  it("gives every component's class-name module the import of that component's sheet, which exists", () => {
    const modules = classNameModules(join(mantine, "esm"));
    expect(modules.length).toBeGreaterThan(90);
    for (const module of modules) {
      const name = (module.split(/[\\/]/).pop() ?? "").replace(".module.mjs", "");
      const code = readFileSync(module, "utf8");
      const out = transform(code, module);
      expect(out?.startsWith(code), module).toBe(true);
      expect(out).toContain(`import "@mantine/core/styles/${name}.css";`);
      expect(existsSync(join(mantine, "styles", `${name}.css`)), name).toBe(true);
    }
  });

  it("reads the id without Vite's query", () => {
    const id = join(mantine, "esm/components/Badge/Badge.module.mjs");
    expect(transform("export default {};", `${id}?v=1a2b`)).toContain('import "@mantine/core/styles/Badge.css";');
  });

  it("leaves components' code, Mantine's other modules and the app's own modules alone", () => {
    expect(transform("export {};", join(mantine, "esm/components/Badge/Badge.mjs"))).toBeNull();
    expect(transform("export {};", join(mantine, "esm/index.mjs"))).toBeNull();
    expect(transform("export {};", "/work/ui/src/features/fleet/Badge.module.mjs")).toBeNull();
  });
});
