import { use, type ComponentType } from "react";

/** A screen whose code is loaded on first use (`lazyScreen`), and the means to load it early. */
export type LazyScreen<P extends object> = ComponentType<P> & { preload: () => Promise<void> };

/**
 * Like `React.lazy` for a named export, but once its module has loaded the screen renders at
 * once, without suspending again: tests preload every screen (`preloadScreens`) and then see
 * each as if it were bundled eagerly. Vite puts each `import()` in its own chunk, a same-origin
 * file, which the CSP allows. Render it inside `<Suspense>`.
 */
export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>): LazyScreen<P> {
  let Loaded: ComponentType<P> | null = null;
  let pending: Promise<void> | null = null;
  const preload = () =>
    (pending ??= load().then((component) => {
      Loaded = component;
    }));
  function Lazy(props: P) {
    if (Loaded === null) use(preload());
    const Screen = Loaded;
    return Screen === null ? null : <Screen {...props} />;
  }
  return Object.assign(Lazy, { preload });
}
