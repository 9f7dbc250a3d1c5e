/**
 * The navigation state with which a page tells /login that the API refused a session the SDK
 * could not clear, so the login page must not send the "signed-in" user straight back to a page
 * that will fail again.
 */
export const SESSION_REJECTED = { sessionRejected: true } as const;

export function isSessionRejected(state: unknown): boolean {
  return typeof state === 'object' && state !== null && 'sessionRejected' in state;
}
