export function LoadingState() {
  return (
    <p className="loading" role="status">
      Loading...
    </p>
  );
}
