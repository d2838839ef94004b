import { createContext, useContext } from "react";
import type { EstateInfo } from "../../ipc/bindings";

/** What the window does after the estate is switched (the app goes back to the overview). */
export const EstateSwitchedContext = createContext<((info: EstateInfo) => void) | undefined>(undefined);

export function useEstateSwitched() {
  return useContext(EstateSwitchedContext);
}
