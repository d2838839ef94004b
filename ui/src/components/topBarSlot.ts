import { createContext, type ReactNode } from "react";

/** What the app shows in every top bar about the open estate (its label and switch). */
export const TopBarEstateSlot = createContext<ReactNode>(null);
