import { Link } from 'react-router';
import { useDocumentTitle } from '../components/useDocumentTitle';

export function NotFoundPage() {
  useDocumentTitle('Page not found');
  return (
    <section className="card card--narrow" aria-labelledby="not-found-title">
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
