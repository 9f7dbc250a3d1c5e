import { Link } from 'react-router';
import { PageTitle } from '../components/PageTitle';

export function NotFoundPage() {
  return (
    <section className="card card--narrow" aria-labelledby="not-found-title">
      <PageTitle>Page not found</PageTitle>
      <h1 id="not-found-title">Page not found</h1>
      <p>There is nothing at this address.</p>
      <p className="actions">
        <Link to="/" className="button">
          Go to Home
        </Link>
      </p>
    </section>
  );
}
