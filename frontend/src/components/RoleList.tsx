import { useId } from 'react';

export function RoleList({ roles }: { roles: string[] }) {
  const headingId = useId();
  return (
    <div className="roles">
      <h3 id={headingId}>Your Role(s):</h3>
      {roles.length > 0 ? (
        <ul className="roles__list" aria-labelledby={headingId}>
          {roles.map((role) => (
            <li key={role} className="chip">
              {role}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No role found!</p>
      )}
    </div>
  );
}
