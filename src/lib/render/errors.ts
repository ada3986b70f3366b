/** Every problem the renderer detects in its input is reported as a RenderError with a readable message. */
export type RenderErrorCode = 'bad-signals' | 'bad-samples' | 'bad-size' | 'bad-style' | 'bad-option';

export class RenderError extends Error {
  readonly code: RenderErrorCode;
  constructor(code: RenderErrorCode, message: string) {
    super(message);
    this.name = 'RenderError';
    this.code = code;
  }
}
