import { Shell } from "../components/Shell";
import { EstateScreen } from "../features/clusters/EstateScreen";

export function App() {
  return (
    <Shell active="estate">
      <EstateScreen />
    </Shell>
  );
}
