import { mockIPC } from "@tauri-apps/api/mocks";
import { vi } from "vitest";
import { DEMO_INFO } from "./fixtures";

type Args = Record<string, unknown>;
type Handler = (args: Args) => unknown;

/**
 * Serves the named commands through Tauri's IPC mock (the real generated bindings call
 * `invoke`), records every call, and fails on any other command. `estate_info` answers the
 * demo estate, `list_runs` no run and `live_open` a view that never reports, unless given.
 */
export function mockCommands(handlers: Record<string, Handler>) {
  const calls = vi.fn<(cmd: string, args: Args) => void>();
  const all: Record<string, Handler> = { estate_info: () => DEMO_INFO, list_runs: () => [], ui_painted: () => null, live_open: () => 1, live_close: () => true, ...handlers };
  mockIPC((cmd, args) => {
    const payload = (args ?? {}) as Args;
    calls(cmd, payload);
    const handler = all[cmd];
    if (!handler) throw new Error(`unexpected command ${cmd}`);
    return handler(payload);
  });
  return calls;
}

/** How many times `cmd` was called. */
export function callsOf(calls: ReturnType<typeof mockCommands>, cmd: string): number {
  return calls.mock.calls.filter(([c]) => c === cmd).length;
}
