import { Link } from 'react-router';
import { fetchRoleData } from '../api/client';
import { useApiResource } from '../api/useApiResource';
import { ApiProblem } from '../components/ApiProblem';
import { LoadingState } from '../components/LoadingState';
import { PageTitle } from '../components/PageTitle';

export function DashboardPage() {
  const { state, retry } = useApiResource(fetchRoleData);

  return (
    <section className="card" aria-labelledby="dashboard-title">
      <PageTitle>Dashboard</PageTitle>
      <h1 id="dashboard-title">Dashboard</h1>
      {state.kind === 'loading' && <LoadingState />}
      {state.kind === 'ok' && (
        <div className="dashboard-grid">
          {state.data.valid_teacher && <TeacherSection />}
          {state.data.valid_student && <StudentSection />}
          {!state.data.valid_teacher && !state.data.valid_student && <NoRoleNotice />}
        </div>
      )}
      {(state.kind === 'auth-unavailable' || state.kind === 'failed') && (
        <ApiProblem problem={state} onRetry={retry} />
      )}
      <p className="actions">
        <Link to="/profile" className="button">
          Back to Profile
        </Link>
      </p>
    </section>
  );
}

function TeacherSection() {
  return (
    <section className="panel panel--teacher" aria-labelledby="teacher-title">
      <h2 id="teacher-title">Welcome back Teacher!</h2>
      <p>You have 50+ students currently 🧑‍🎓</p>
    </section>
  );
}

function StudentSection() {
  return (
    <section className="panel panel--student" aria-labelledby="student-title">
      <h2 id="student-title">Welcome back Student!</h2>
      <p>Unlucky! You have homework!</p>
    </section>
  );
}

function NoRoleNotice() {
  return (
    <section className="panel" aria-labelledby="no-role-title">
      <h2 id="no-role-title">No role found!</h2>
      <p>
        Your account has neither the teacher nor the student role, so there is nothing on the
        dashboard for you yet. Ask an administrator of the Descope project to assign you a role.
      </p>
    </section>
  );
}
