/** The message of anything thrown: an Error's message, else its string form. The one helper for error texts. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
