import { Page } from '../ui/page';

/** A screen not built yet (replaced by each feature's own). */
export function placeholder(title: string) {
  return function Placeholder() {
    return (
      <Page title={title}>
        <p>…</p>
      </Page>
    );
  };
}
