import type { ReactNode } from "react";
import { TopBarEstateSlot } from "../../components/topBarSlot";
import type { EstateInfo } from "../../ipc/bindings";
import { EstateSwitchedContext } from "./EstateContext";
import { EstateControl } from "./EstateControl";

const control = <EstateControl />;

/**
 * Puts the estate label and switch in every screen's top bar, and tells the app when the
 * estate was switched (it shows the new estate's overview).
 */
export function EstateProvider({ onSwitched, children }: { onSwitched: (info: EstateInfo) => void; children: ReactNode }) {
  return (
    <EstateSwitchedContext.Provider value={onSwitched}>
      <TopBarEstateSlot.Provider value={control}>{children}</TopBarEstateSlot.Provider>
    </EstateSwitchedContext.Provider>
  );
}
