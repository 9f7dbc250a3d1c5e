import { useEffect } from 'react';

const SITE_NAME = 'Descope Roles Demo';

export function useDocumentTitle(pageTitle: string) {
  useEffect(() => {
    document.title = `${pageTitle} · ${SITE_NAME}`;
  }, [pageTitle]);
}
