import { GoHomeCard } from '../components/GoHomeCard';

export function NotFoundPage() {
  return (
    <GoHomeCard titleId="not-found-title" title="Page not found">
      <p>There is nothing at this address.</p>
    </GoHomeCard>
  );
}
