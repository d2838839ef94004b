import { describe, expect, it } from "vitest";
import en from "../i18n/en.json";
import { ERROR_KINDS, IpcError, errorHintKey, errorKindKey, isAppError, isTransient, toIpcError } from "./errors";
import { call } from "./queries";

describe("toIpcError", () => {
  it("keeps kind, message and status of an AppError", () => {
    const error = toIpcError({ kind: "Forbidden", message: "no access", status: 403 });
    expect(error).toBeInstanceOf(IpcError);
    expect(error).toBeInstanceOf(Error);
    expect(error.toJSON()).toEqual({ kind: "Forbidden", message: "no access", status: 403 });
  });

  it("treats a thrown Error, a string or junk as Internal", () => {
    const cause = new TypeError("invoke is not a function");
    const fromError = toIpcError(cause);
    expect(fromError.kind).toBe("Internal");
    expect(fromError.message).toBe("invoke is not a function");
    expect(fromError.cause).toBe(cause);
    expect(toIpcError("plain string").toJSON()).toEqual({ kind: "Internal", message: "plain string", status: null });
    expect(toIpcError(42).kind).toBe("Internal");
  });

  it("does not take an unknown kind for an AppError", () => {
    expect(isAppError({ kind: "Teapot", message: "short and stout", status: 418 })).toBe(false);
    expect(isAppError({ kind: "Timeout", message: "slow", status: null })).toBe(true);
    expect(toIpcError({ kind: "Teapot", message: "short and stout", status: 418 }).kind).toBe("Internal");
  });
});

describe("call", () => {
  it("unwraps ok and throws IpcError on error", async () => {
    await expect(call(() => Promise.resolve({ status: "ok", data: 7 }))).resolves.toBe(7);
    await expect(
      call(() => Promise.resolve({ status: "error", error: { kind: "NotFound", message: "gone", status: 404 } })),
    ).rejects.toMatchObject({ name: "IpcError", kind: "NotFound", message: "gone", status: 404 });
    await expect(call(() => Promise.reject(new Error("boom")))).rejects.toMatchObject({
      kind: "Internal",
      message: "boom",
    });
  });
});

describe("error kinds", () => {
  it("has a name and a hint in the catalogue for every kind", () => {
    for (const kind of ERROR_KINDS) {
      const [, group, name] = errorKindKey(kind).split(".");
      expect(group).toBe("kind");
      expect(en.errors.kind[name as keyof typeof en.errors.kind]).toBeTruthy();
      expect(en.errors.hint[errorHintKey(kind).split(".")[2] as keyof typeof en.errors.hint]).toBeTruthy();
    }
    expect(ERROR_KINDS).toHaveLength(12);
  });

  it("retries only network trouble", () => {
    expect(ERROR_KINDS.filter(isTransient)).toEqual(["Unreachable", "Timeout"]);
  });
});
