import { useEffect, useRef, type ReactNode } from 'react';
import { Link, useLocation } from 'react-router';

interface SiteLayoutProps {
  children: ReactNode;
  /** Shown in the header so nobody mistakes a local demo for the real thing. */
  localMode?: boolean;
}

export function SiteLayout({ children, localMode = false }: SiteLayoutProps) {
  const mainRef = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const isFirstPage = useRef(true);

  // A client-side page change is silent for screen readers and leaves focus on
  // a control that may be gone; start the new page from its content instead.
  useEffect(() => {
    if (isFirstPage.current) {
      isFirstPage.current = false;
      return;
    }
    mainRef.current?.focus();
  }, [pathname]);

  return (
    <div className="site">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="site-header__inner">
          <Link to="/" className="brand">
            <span className="brand__mark" aria-hidden="true">
              ◆
            </span>
            Descope Roles Demo
          </Link>
          {localMode && <span className="badge">Local stand-in</span>}
        </div>
      </header>
      <main id="main" ref={mainRef} className="site-main" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        Authentication by Descope · API on AWS Lambda, written in Rust
      </footer>
    </div>
  );
}
