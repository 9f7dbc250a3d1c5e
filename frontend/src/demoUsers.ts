/**
 * The local Descope stand-in's demo accounts, stated once for the demo sign-in form and for
 * every test that signs in as one of them. They exist only in the stand-in, and no production
 * build may hold them (build-tests/productionBundle.test.ts looks for each value here).
 */
export const DEMO_PASSWORD = 'demo-password';

export interface DemoUser {
  email: string;
  name: string;
  roles: string[];
}

export const TEACHER: DemoUser = { email: 'teacher@example.com', name: 'Tess Teacher', roles: ['teacher'] };
export const STUDENT: DemoUser = { email: 'student@example.com', name: 'Sam Student', roles: ['student'] };
export const BOTH: DemoUser = {
  email: 'both@example.com',
  name: 'Blake Both',
  roles: ['teacher', 'student'],
};
export const NO_ROLE: DemoUser = { email: 'norole@example.com', name: 'Noa Norole', roles: [] };

export const DEMO_USERS: readonly DemoUser[] = [TEACHER, STUDENT, BOTH, NO_ROLE];
