/** The local Descope stand-in's demo accounts; they exist only there. */
export const DEMO_PASSWORD = 'demo-password';

export interface DemoUser {
  email: string;
  name: string;
  roles: string[];
}

export const DEMO_USERS: readonly DemoUser[] = [
  { email: 'teacher@example.com', name: 'Tess Teacher', roles: ['teacher'] },
  { email: 'student@example.com', name: 'Sam Student', roles: ['student'] },
  { email: 'both@example.com', name: 'Blake Both', roles: ['teacher', 'student'] },
  { email: 'norole@example.com', name: 'Noa Norole', roles: [] },
];
