import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { PageTitle } from './PageTitle';

/**
 * A page that has nothing to show but a message: its title (as the document title and the
 * heading), the message, and a way home.
 */
export function GoHomeCard({
  titleId,
  title,
  children,
}: {
  titleId: string;
  title: string;
  children: ReactNode;
}) {
  return (
    <section className="card card--narrow" aria-labelledby={titleId}>
      <PageTitle>{title}</PageTitle>
      <h1 id={titleId}>{title}</h1>
      {children}
      <p className="actions">
        <Link to="/" className="button">
          Go to Home
        </Link>
      </p>
    </section>
  );
}
