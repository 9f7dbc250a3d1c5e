/**
 * The project ID the local Descope stand-in serves; scripts/dev.sh starts it with this one.
 * Unlike the demo users (./demoUsers.ts) it may reach a production build: the setup page
 * names it as the value that selects the stand-in.
 */
export const STAND_IN_PROJECT_ID = 'P2LocalStandInProject';
