import { setNonce } from "get-nonce";

/**
 * The nonce Tauri puts in the CSP's `style-src` for this page load.
 *
 * The CSP allows no inline styles. Tauri adds `nonce="…"` to every `<style>` element of
 * index.html and the same random value to the CSP header at each load; index.html carries an
 * empty `<style id="ksmc-style-nonce">` for that. The style elements Mantine (and
 * react-remove-scroll, through get-nonce) insert at run time reuse the nonce, so they are
 * allowed without `'unsafe-inline'`. `undefined` outside Tauri (tests, `vite dev`, whose dev
 * CSP allows inline styles for Vite's hot reload).
 */
export function styleNonce(): string | undefined {
  if (typeof document === "undefined") return undefined;
  const carrier = document.getElementById("ksmc-style-nonce");
  // Browsers hide the attribute after parsing; the property keeps the value.
  const nonce = carrier?.nonce;
  return nonce === undefined || nonce === "" ? undefined : nonce;
}

/** Reads the nonce once and hands it to the libraries that inject style elements. */
export function installStyleNonce(): string | undefined {
  const nonce = styleNonce();
  if (nonce !== undefined) setNonce(nonce);
  return nonce;
}
