import { render } from '@testing-library/react';
import { MemoryRouter, useLocation } from 'react-router';
import { App } from '../App';
import type { ConfigResult } from '../config';
import { STAND_IN_PROJECT_ID } from '../localStandIn';
import { DESCOPE_BASE_URL } from './fakeBackend';

export const localModeConfig: ConfigResult = {
  ok: true,
  config: { projectId: STAND_IN_PROJECT_ID, baseUrl: DESCOPE_BASE_URL, localLogin: true },
};

export const hostedFlowConfig: ConfigResult = {
  ok: true,
  config: { projectId: STAND_IN_PROJECT_ID, baseUrl: DESCOPE_BASE_URL, localLogin: false },
};

function CurrentPath() {
  const location = useLocation();
  return <span data-testid="current-path">{location.pathname}</span>;
}

/** Mounts the real app (real AuthProvider and SDK) at `path` in a memory router. */
export function renderApp(path: string, configResult: ConfigResult = localModeConfig) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <App configResult={configResult} />
      <CurrentPath />
    </MemoryRouter>,
  );
}
