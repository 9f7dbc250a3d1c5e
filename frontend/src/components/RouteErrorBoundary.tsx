import { Component, type ErrorInfo, type ReactNode } from 'react';
import { useLocation } from 'react-router';
import { GoHomeCard } from './GoHomeCard';

/**
 * Keeps a page that fails to render (a bug, or a page's code that no longer loads) from
 * blanking the whole site: the header and footer stay, the page says so and offers a way home.
 * Going to another address tries again.
 */
export function RouteErrorBoundary({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  return <PageErrorBoundary pathname={pathname}>{children}</PageErrorBoundary>;
}

interface PageErrorBoundaryProps {
  pathname: string;
  children: ReactNode;
}

interface PageErrorBoundaryState {
  /** The address the state below belongs to. */
  pathname: string;
  failed: boolean;
}

class PageErrorBoundary extends Component<PageErrorBoundaryProps, PageErrorBoundaryState> {
  override state: PageErrorBoundaryState = { pathname: this.props.pathname, failed: false };

  // Runs before every render, so a new address starts clean even in the render where its own
  // page then fails.
  static getDerivedStateFromProps(
    props: PageErrorBoundaryProps,
    state: PageErrorBoundaryState,
  ): Partial<PageErrorBoundaryState> | null {
    return props.pathname === state.pathname ? null : { pathname: props.pathname, failed: false };
  }

  static getDerivedStateFromError(): Partial<PageErrorBoundaryState> {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error('A page failed to render', error, info.componentStack);
  }

  override render() {
    return this.state.failed ? <PageFailed /> : this.props.children;
  }
}

function PageFailed() {
  return (
    <GoHomeCard titleId="page-failed-title" title="Something went wrong">
      <p role="alert">
        This page could not be shown. Reloading may help if the site was just updated.
      </p>
    </GoHomeCard>
  );
}
