import { AuthProvider } from '@descope/react-sdk';
import { Route, Routes } from 'react-router';
import { RequireSession } from './components/RequireSession';
import { RouteErrorBoundary } from './components/RouteErrorBoundary';
import { SiteLayout } from './components/SiteLayout';
import type { ConfigResult } from './config';
import { DashboardPage } from './pages/DashboardPage';
import { HomePage } from './pages/HomePage';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { ProfilePage } from './pages/ProfilePage';
import { SetupProblemPage } from './pages/SetupProblemPage';

/** The whole app below the router, so tests can mount it in a memory router. */
export function App({ configResult }: { configResult: ConfigResult }) {
  if (!configResult.ok) {
    return (
      <SiteLayout>
        <SetupProblemPage problem={configResult.problem} />
      </SiteLayout>
    );
  }

  const { projectId, baseUrl, localLogin } = configResult.config;
  return (
    <AuthProvider projectId={projectId} baseUrl={baseUrl}>
      <SiteLayout localMode={localLogin}>
        <RouteErrorBoundary>
          <Routes>
            <Route path="/" element={<HomePage />} />
            <Route path="/login" element={<LoginPage localLogin={localLogin} />} />
            <Route element={<RequireSession />}>
              <Route path="/profile" element={<ProfilePage />} />
              <Route path="/dashboard" element={<DashboardPage />} />
            </Route>
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </RouteErrorBoundary>
      </SiteLayout>
    </AuthProvider>
  );
}
