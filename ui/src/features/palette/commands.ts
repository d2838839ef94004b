/** What the command palette offers: places to go, things to start, preferences to switch. */

export type CommandGroup = "screens" | "clusters" | "actions" | "preferences";
export const GROUPS: readonly CommandGroup[] = ["screens", "clusters", "actions", "preferences"];

export interface PaletteCommand {
  id: string;
  group: CommandGroup;
  label: string;
  /** A second line (a cluster's role, the current setting). */
  description?: string;
  /** Extra words it is found by (the other language's name, synonyms). */
  keywords?: string;
  run: () => void;
}

/** Most commands shown at once; typing narrows the rest. */
export const MAX_SHOWN = 40;

/** Commands matching every word of the query (any order, case-insensitive), in their order. */
export function filterCommands(commands: readonly PaletteCommand[], query: string): PaletteCommand[] {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w !== "");
  const matching = commands.filter((c) => {
    const text = `${c.label} ${c.description ?? ""} ${c.keywords ?? ""}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
  return matching.slice(0, MAX_SHOWN);
}
