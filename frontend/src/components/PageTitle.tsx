const SITE_NAME = 'Descope Roles Demo';

/**
 * The browser tab's title while the page that renders it is shown. React hoists a <title>
 * into <head> and removes it when the page goes, so no effect has to set `document.title`.
 */
export function PageTitle({ children: pageTitle }: { children: string }) {
  // A single string: React gives a <title> its text only from one text child.
  return <title>{`${pageTitle} · ${SITE_NAME}`}</title>;
}
